/**
 * Keras SimpleRNN ⇄ other frameworks' weights (spec/porting.md §15): PyTorch `nn.RNN`, ONNX `RNN`,
 * Keras 1's three arrays, TF 1.x `BasicRNNCell`.
 *
 * Keras (spec/simple-rnn.md §1, §2.1): `kernel (D, u)`, `recurrent_kernel (u, u)`, `bias (u)`, one
 * block, `h_t = act(x_t·W + b + h_{t-1}·U)`. The only traps are orientation (the square recurrent
 * kernel transposed has the right shape and the wrong numbers, §1.3) and the two biases of PyTorch and
 * ONNX, which sit outside the activation: their sum is exact math, and lossy only in float32 (§6 Q1, Q2).
 */
import type { SimpleRnnWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import {
  WeightShapeError,
  addTensors,
  expectShape,
  joinRows,
  joinVectors,
  splitBias,
  splitVector,
  stackTensors,
  takeFirstAxis,
  takeRows,
  transpose2d,
  unitsFromBlockAxis,
  zeros,
  type BiasSplit,
} from "./gates.ts";
import { kerasCellDims } from "./keras-layout.ts";
import { pytorchStateDictToStack, stackToPytorchStateDict, type KerasDirections, type PytorchRnnParams } from "./pytorch.ts";

// ---- PyTorch nn.RNN (spec/porting.md §15.1) -----------------------------------------------------------

/**
 * Keras → PyTorch `nn.RNN`, one layer and direction (spec/simple-rnn.md §6 Q1): `weight_ih = kernel.T`,
 * `weight_hh = recurrent_kernel.T`, the bias split by `biasSplit` (default `"input"`, as for the LSTM,
 * spec/porting.md §2). Exact. `nonlinearity` must be the layer's activation: `'tanh'` or `'relu'`.
 */
export function kerasSimpleRnnToPytorch(w: SimpleRnnWeights, options: { readonly biasSplit?: BiasSplit } = {}): PytorchRnnParams {
  kerasCellDims("SimpleRNN", w);
  const weight_ih = transpose2d(w.kernel);
  const weight_hh = transpose2d(w.recurrent_kernel);
  if (!w.bias) return { weight_ih, weight_hh };
  const [bias_ih, bias_hh] = splitBias(w.bias, options.biasSplit ?? "input");
  return { weight_ih, weight_hh, bias_ih, bias_hh };
}

/** PyTorch `nn.RNN` → Keras, one layer and direction. LOSSY for the bias: `bias = bias_ih + bias_hh` (float32 sum). */
export function pytorchRnnToKeras(p: PytorchRnnParams, nameOf: (kind: keyof PytorchRnnParams) => string = (kind) => `pytorch.${kind}`): SimpleRnnWeights {
  const units = unitsFromBlockAxis(p.weight_hh, 2, 0, 1, nameOf("weight_hh"), "(hidden_size, hidden_size)");
  expectShape(p.weight_hh, [units, units], nameOf("weight_hh"));
  expectShape(p.weight_ih, [units, p.weight_ih.shape[1] ?? 0], nameOf("weight_ih"));
  const kernel = transpose2d(p.weight_ih);
  const recurrent_kernel = transpose2d(p.weight_hh);
  if (!p.bias_ih && !p.bias_hh) return { kernel, recurrent_kernel };
  if (!p.bias_ih || !p.bias_hh) throw new WeightShapeError(nameOf(p.bias_ih ? "bias_hh" : "bias_ih"), `(${units},) (PyTorch has both biases or neither)`, []);
  expectShape(p.bias_ih, [units], nameOf("bias_ih"));
  expectShape(p.bias_hh, [units], nameOf("bias_hh"));
  return { kernel, recurrent_kernel, bias: addTensors(p.bias_ih, p.bias_hh) };
}

/** Keras SimpleRNNs (stacked, or `Bidirectional` halves) → the `state_dict` of one `nn.RNN`. */
export function kerasSimpleRnnToPytorchStateDict(stack: readonly KerasDirections<SimpleRnnWeights>[], options: { readonly biasSplit?: BiasSplit; readonly prefix?: string } = {}): Record<string, Tensor> {
  return stackToPytorchStateDict(stack, (w) => kerasSimpleRnnToPytorch(w, options), options.prefix);
}

/** The inverse of {@link kerasSimpleRnnToPytorchStateDict} (lossy for the biases, see {@link pytorchRnnToKeras}). */
export function pytorchRnnStateDictToKeras(dict: Readonly<Record<string, Tensor>>, prefix = ""): KerasDirections<SimpleRnnWeights>[] {
  return pytorchStateDictToStack(dict, pytorchRnnToKeras, prefix);
}

// ---- ONNX RNN (spec/porting.md §15.2) -----------------------------------------------------------------

/** The weight inputs of an ONNX `RNN` node. */
export interface OnnxRnnWeights {
  /** [num_directions, H, input_size]. */
  readonly W: Tensor;
  /** [num_directions, H, H]. */
  readonly R: Tensor;
  /** [num_directions, 2·H] = [Wb, Rb]; absent when the Keras layer has no bias. */
  readonly B?: Tensor;
}

/**
 * Keras → ONNX `RNN` (onnx.ai operator RNN: `Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)`, default f Tanh):
 * `W = kernel.T`, `R = recurrent_kernel.T`, `Wb` = the bias, `Rb` = 0. One weight set or `[forward,
 * backward]`. Exact.
 */
export function kerasSimpleRnnToOnnx(weights: SimpleRnnWeights | readonly SimpleRnnWeights[]): OnnxRnnWeights {
  const directions = Array.isArray(weights) ? (weights as readonly SimpleRnnWeights[]) : [weights as SimpleRnnWeights];
  if (directions.length !== 1 && directions.length !== 2) throw new RangeError(`kerasSimpleRnnToOnnx: expected 1 or 2 weight sets (forward[, backward]), got ${directions.length}`);
  const dims = directions.map((w, d) => kerasCellDims("SimpleRNN", w, `direction ${d}`));
  const { inputDim, units } = dims[0]!;
  if (dims.some((x) => x.inputDim !== inputDim || x.units !== units)) throw new WeightShapeError("direction 1.kernel", `(${inputDim}, ${units}) like direction 0`, directions[1]!.kernel.shape);
  if (new Set(directions.map((w) => w.bias !== undefined)).size > 1) throw new RangeError("kerasSimpleRnnToOnnx: one direction has a bias and the other has none");
  const W = stackTensors(directions.map((w) => transpose2d(w.kernel)));
  const R = stackTensors(directions.map((w) => transpose2d(w.recurrent_kernel)));
  if (!directions[0]!.bias) return { W, R };
  return { W, R, B: stackTensors(directions.map((w) => joinVectors([w.bias!, zeros([units])]))) };
}

/** ONNX `RNN` → Keras, one weight set per direction. LOSSY for the bias: `bias = Wb + Rb` (float32 sum). */
export function onnxRnnToKeras(onnx: OnnxRnnWeights): SimpleRnnWeights[] {
  const units = unitsFromBlockAxis(onnx.W, 3, 1, 1, "W", "[num_directions, hidden_size, input_size]");
  const numDirections = onnx.W.shape[0]!;
  if (numDirections !== 1 && numDirections !== 2) throw new WeightShapeError("W", "[1 or 2, hidden_size, input_size]", onnx.W.shape);
  expectShape(onnx.R, [numDirections, units, units], "R");
  if (onnx.B) expectShape(onnx.B, [numDirections, 2 * units], "B");
  return Array.from({ length: numDirections }, (_, d): SimpleRnnWeights => {
    const kernel = transpose2d(takeFirstAxis(onnx.W, d));
    const recurrent_kernel = transpose2d(takeFirstAxis(onnx.R, d));
    if (!onnx.B) return { kernel, recurrent_kernel };
    const [wb, rb] = splitVector(takeFirstAxis(onnx.B, d), 2) as [Tensor, Tensor];
    return { kernel, recurrent_kernel, bias: addTensors(wb, rb) };
  });
}

// ---- Keras 1 (spec/porting.md §15.3) ------------------------------------------------------------------

/** Keras 1's SimpleRNN arrays, in the order it saved them (spec/simple-rnn.md §4.4). */
export const KERAS1_SIMPLE_RNN_WEIGHT_ORDER = ["W", "U", "b"] as const;

/** Keras 1's `W, U, b` → Keras: the same three tensors (spec/simple-rnn.md §4.4: no conversion). Exact. */
export function keras1SimpleRnnToKeras(arrays: readonly Tensor[]): SimpleRnnWeights {
  if (arrays.length !== 3) throw new RangeError(`a Keras 1 SimpleRNN has 3 weight arrays (${KERAS1_SIMPLE_RNN_WEIGHT_ORDER.join(", ")}), got ${arrays.length}`);
  const [W, U, b] = arrays as [Tensor, Tensor, Tensor];
  const units = U.shape[0] ?? 0;
  expectShape(W, [W.shape[0] ?? 0, units], "W");
  expectShape(U, [units, units], "U");
  expectShape(b, [units], "b");
  return { kernel: W, recurrent_kernel: U, bias: b };
}

/** Keras → Keras 1's `W, U, b`. Exact; without a bias, `b` is zeros (Keras 1 always had one). */
export function kerasToKeras1SimpleRnn(w: SimpleRnnWeights): Tensor[] {
  const { units } = kerasCellDims("SimpleRNN", w);
  return [w.kernel, w.recurrent_kernel, w.bias ?? zeros([units])];
}

// ---- TensorFlow 1.x BasicRNNCell (spec/porting.md §15.4) ----------------------------------------------

/** A TF1 `BasicRNNCell`'s variables (tf_keras/layers/rnn/legacy_cells.py `BasicRNNCell.build`). */
export interface Tf1RnnCellWeights {
  /** [input_depth + units, units] on `concat([x, h])`. */
  readonly kernel: Tensor;
  /** [units]. */
  readonly bias: Tensor;
}

/**
 * TF1 `BasicRNNCell` → Keras (`output = act(concat([x, h])·kernel + bias)`): rows `[:input_dim]` →
 * `kernel`, the rest → `recurrent_kernel`. Exact.
 */
export function tf1RnnCellToKeras(w: Tf1RnnCellWeights, inputDim?: number): SimpleRnnWeights {
  const units = unitsFromBlockAxis(w.bias, 1, 0, 1, "bias", "[num_units]");
  const D = inputDim ?? (w.kernel.shape[0] ?? 0) - units;
  expectShape(w.kernel, [D + units, units], "kernel");
  return { kernel: takeRows(w.kernel, 0, D), recurrent_kernel: takeRows(w.kernel, D, D + units), bias: w.bias };
}

/** Keras → TF1 `BasicRNNCell`. Exact; without a bias, zeros (the cell always has one). */
export function kerasToTf1RnnCell(w: SimpleRnnWeights): Tf1RnnCellWeights {
  const { units } = kerasCellDims("SimpleRNN", w);
  return { kernel: joinRows([w.kernel, w.recurrent_kernel]), bias: w.bias ?? zeros([units]) };
}
