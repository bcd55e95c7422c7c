/**
 * Keras GRU ⇄ other frameworks' GRU weights (spec/porting.md §14): PyTorch `nn.GRU`, ONNX `GRU`,
 * cuDNN's canonical GRU and Keras 2's `CuDNNGRU`, Keras 1's nine arrays, TF 1.x `GRUCell`.
 *
 * Keras (spec/gru.md §1): `kernel (D, 3u)`, `recurrent_kernel (u, 3u)`, blocks z, r, h; the bias is
 * `(2, 3u)` with `reset_after=True` — row 0 added to x·W, row 1 to h·U, so its candidate part `b_hh`
 * sits inside the reset product — and `(3u)` (input side only) with `reset_after=False` (§1.3, §2.1,
 * §2.2). The two conventions are different functions (§2.2): a converter maps a layout only to the
 * convention that layout computes, and refuses the other with the reason. Without a bias the weights
 * do not say the convention; it is an option then (default `reset_after=True`, Keras 3's).
 *
 * Every GRU conversion here is exact except ONNX `linear_before_reset=0` → Keras, which sums `Wb`
 * and `Rb` (LOSSY, as for the LSTM, spec/porting.md §2): a reset-after GRU has two biases in Keras too.
 */
import type { GruWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import {
  WeightShapeError,
  addTensors,
  expectShape,
  joinColumns,
  joinRows,
  joinVectors,
  reorderBlocks,
  splitColumns,
  splitVector,
  stackTensors,
  takeFirstAxis,
  takeRows,
  transpose2d,
  unitsFromBlockAxis,
  zeros,
} from "./gates.ts";
import { kerasCellDims, type KerasCellDims } from "./keras-layout.ts";
import { pytorchStateDictToStack, stackToPytorchStateDict, type KerasDirections, type PytorchRnnParams } from "./pytorch.ts";

/** The GRU's blocks under Keras's names (spec/gru.md §1.2): z update, r reset, h candidate (PyTorch `n`, TF1 `candidate`). */
export type GruGate = "z" | "r" | "h";

/** An order of the three GRU blocks, first block first. */
export type GruGateOrder = readonly [GruGate, GruGate, GruGate];

/** Keras, ONNX (`W[zrh]`), Keras 1 and CuDNNGRU's stored blocks (spec/gru.md §1.2, §6 Q3, Q4). */
export const ZRH: GruGateOrder = ["z", "r", "h"];
/** PyTorch `nn.GRU` (`W_ir|W_iz|W_in`) and cuDNN's canonical order (spec/gru.md §3.11, §6 Q1). */
export const RZH: GruGateOrder = ["r", "z", "h"];

/** Reorders the three GRU blocks of `t` along `axis` from order `from` to order `to`. */
export function reorderGruGates(t: Tensor, axis: number, from: GruGateOrder, to: GruGateOrder): Tensor {
  if (new Set(from).size !== 3 || new Set(to).size !== 3) throw new Error(`gate orders ${from.join("")} → ${to.join("")} are not permutations of zrh`);
  return reorderBlocks(t, axis, to.map((g) => from.indexOf(g)));
}

/** One direction of a Keras GRU read from another layout: its weights and the convention they compute. */
export interface KerasGru {
  readonly weights: GruWeights;
  /** `reset_after` of the Keras layer these weights belong in (spec/gru.md §2.1, §2.2). */
  readonly resetAfter: boolean;
}

export interface GruOptions {
  /**
   * The Keras layer's `reset_after`. A bias says it by its shape (this must then agree); without a bias
   * the weights cannot, and the default is Keras 3's `true` (spec/gru.md §3.13).
   */
  readonly resetAfter?: boolean;
}

/** Checks a Keras GRU's weights (conformance/cells.ts) and returns its sizes and convention. */
function gruDims(w: GruWeights, options: GruOptions, label = "keras"): KerasCellDims & { readonly resetAfter: boolean } {
  const dims = kerasCellDims("GRU", w, label, options.resetAfter);
  return { ...dims, resetAfter: dims.resetAfter ?? true };
}

/** Rows 0 and 1 of a reset-after bias (2, 3u): the input bias and the recurrent bias (spec/gru.md §1.3). */
function biasRows(bias: Tensor): [Tensor, Tensor] {
  return [takeFirstAxis(bias, 0), takeFirstAxis(bias, 1)];
}

/** Refuses a reset-before GRU for a layout that computes reset-after only, naming the layout and the section. */
function needResetAfter(resetAfter: boolean, layout: string): void {
  if (!resetAfter) {
    throw new RangeError(`a Keras GRU with reset_after=False has no ${layout} equivalent: ${layout} applies the reset gate after the recurrent product, Keras's reset_after=True (spec/gru.md §2.2, §6 Q1, Q4)`);
  }
}

/** Refuses a reset-after GRU for a layout that computes reset-before only. */
function needResetBefore(resetAfter: boolean, layout: string): void {
  if (resetAfter) {
    throw new RangeError(`a Keras GRU with reset_after=True has no ${layout} equivalent: ${layout} applies the reset gate to h before the recurrent product, Keras's reset_after=False (spec/gru.md §2.1, §2.2)`);
  }
}

// ---- PyTorch nn.GRU (spec/porting.md §14.1) -------------------------------------------------------

/**
 * Keras → PyTorch `nn.GRU`, one layer and direction (spec/gru.md §6 Q1): `weight_ih = kernel.T`,
 * `weight_hh = recurrent_kernel.T`, each with the blocks z, r, h → r, z, n; `bias_ih` = bias row 0,
 * `bias_hh` = row 1, reordered alike. Exact. `nn.GRU` computes `reset_after=True` only: a
 * reset-before GRU is refused. A GRU without bias maps to `bias=False`.
 */
export function kerasGruToPytorch(w: GruWeights, options: GruOptions = {}): PytorchRnnParams {
  const { resetAfter } = gruDims(w, options);
  needResetAfter(resetAfter, "torch.nn.GRU");
  const toTorch = (t: Tensor): Tensor => reorderGruGates(t, 0, ZRH, RZH);
  const weight_ih = toTorch(transpose2d(w.kernel));
  const weight_hh = toTorch(transpose2d(w.recurrent_kernel));
  if (!w.bias) return { weight_ih, weight_hh };
  const [input, recurrent] = biasRows(w.bias);
  return { weight_ih, weight_hh, bias_ih: toTorch(input), bias_hh: toTorch(recurrent) };
}

/**
 * PyTorch `nn.GRU` → Keras, one layer and direction: the inverse of {@link kerasGruToPytorch}, a
 * `reset_after=True` GRU with a (2, 3u) bias `[bias_ih; bias_hh]` (blocks r, z, n → z, r, h). Exact:
 * unlike the LSTM's, the two biases are not summed (`b_hn` is scaled by r, spec/gru.md §6 Q1).
 */
export function pytorchGruToKeras(p: PytorchRnnParams, nameOf: (kind: keyof PytorchRnnParams) => string = (kind) => `pytorch.${kind}`): KerasGru {
  const units = unitsFromBlockAxis(p.weight_hh, 2, 0, 3, nameOf("weight_hh"), "(3·hidden_size, hidden_size)");
  expectShape(p.weight_hh, [3 * units, units], nameOf("weight_hh"));
  expectShape(p.weight_ih, [3 * units, p.weight_ih.shape[1] ?? 0], nameOf("weight_ih"));
  const toKeras = (t: Tensor): Tensor => reorderGruGates(t, 0, RZH, ZRH);
  const kernel = transpose2d(toKeras(p.weight_ih));
  const recurrent_kernel = transpose2d(toKeras(p.weight_hh));
  if (!p.bias_ih && !p.bias_hh) return { weights: { kernel, recurrent_kernel }, resetAfter: true };
  if (!p.bias_ih || !p.bias_hh) throw new WeightShapeError(nameOf(p.bias_ih ? "bias_hh" : "bias_ih"), `(${3 * units},) (PyTorch has both biases or neither)`, []);
  expectShape(p.bias_ih, [3 * units], nameOf("bias_ih"));
  expectShape(p.bias_hh, [3 * units], nameOf("bias_hh"));
  return { weights: { kernel, recurrent_kernel, bias: stackTensors([toKeras(p.bias_ih), toKeras(p.bias_hh)]) }, resetAfter: true };
}

/**
 * Keras GRUs (stacked, or `Bidirectional` halves) → the `state_dict` of one `nn.GRU(num_layers=…,
 * bidirectional=…)`, keys prefixed with `prefix` (e.g. `"gru."`), names as `nn.LSTM`'s (rnn.py `RNNBase`).
 */
export function kerasGruToPytorchStateDict(stack: readonly KerasDirections<GruWeights>[], options: GruOptions & { readonly prefix?: string } = {}): Record<string, Tensor> {
  return stackToPytorchStateDict(stack, (w) => kerasGruToPytorch(w, options), options.prefix);
}

/** The inverse of {@link kerasGruToPytorchStateDict}: per layer, the directions' Keras weights (reset_after=True). Exact. */
export function pytorchGruStateDictToKeras(dict: Readonly<Record<string, Tensor>>, prefix = ""): KerasDirections<GruWeights>[] {
  return pytorchStateDictToStack(dict, (p, nameOf) => pytorchGruToKeras(p, nameOf).weights, prefix);
}

// ---- ONNX GRU (spec/porting.md §14.2) --------------------------------------------------------------

/** The weight inputs of an ONNX `GRU` node and its `linear_before_reset` attribute. */
export interface OnnxGruWeights {
  /** [num_directions, 3·H, input_size], blocks z, r, h. */
  readonly W: Tensor;
  /** [num_directions, 3·H, H], blocks z, r, h. */
  readonly R: Tensor;
  /** [num_directions, 6·H] = [Wb (z, r, h), Rb (z, r, h)]; absent when the Keras layer has no bias. */
  readonly B?: Tensor;
  /** 1: Keras `reset_after=True`; 0 (ONNX's default): `reset_after=False` (spec/gru.md §6 Q3). */
  readonly linearBeforeReset: 0 | 1;
}

/**
 * Keras → ONNX `GRU`: one weight set (unidirectional) or `[forward, backward]` (a `Bidirectional`),
 * both of one convention. ONNX keeps Keras's block order z, r, h, so the kernels are only transposed.
 * `reset_after=True` → `linear_before_reset=1`, `Wb` = bias row 0, `Rb` = row 1 (`Rb_h` must stay
 * inside the reset product); `reset_after=False` → `linear_before_reset=0`, `Wb` = the bias, `Rb` = 0
 * (both sit outside every product there). Exact both ways for `reset_after=True`, and Keras → ONNX → Keras
 * gives back the weights for either.
 */
export function kerasGruToOnnx(weights: GruWeights | readonly GruWeights[], options: GruOptions = {}): OnnxGruWeights {
  const directions = Array.isArray(weights) ? (weights as readonly GruWeights[]) : [weights as GruWeights];
  if (directions.length !== 1 && directions.length !== 2) throw new RangeError(`kerasGruToOnnx: expected 1 or 2 weight sets (forward[, backward]), got ${directions.length}`);
  const dims = directions.map((w, d) => gruDims(w, options, `direction ${d}`));
  const { inputDim, units, resetAfter } = dims[0]!;
  if (dims.some((x) => x.inputDim !== inputDim || x.units !== units)) throw new WeightShapeError("direction 1.kernel", `(${inputDim}, ${3 * units}) like direction 0`, directions[1]!.kernel.shape);
  if (dims.some((x) => x.resetAfter !== resetAfter)) throw new RangeError("kerasGruToOnnx: the two directions have different reset_after (one ONNX node has one linear_before_reset)");
  if (new Set(directions.map((w) => w.bias !== undefined)).size > 1) throw new RangeError("kerasGruToOnnx: one direction has a bias and the other has none");
  const W = stackTensors(directions.map((w) => transpose2d(w.kernel)));
  const R = stackTensors(directions.map((w) => transpose2d(w.recurrent_kernel)));
  const linearBeforeReset = resetAfter ? 1 : 0;
  if (!directions[0]!.bias) return { W, R, linearBeforeReset };
  const B = stackTensors(directions.map((w) => (resetAfter ? joinVectors(biasRows(w.bias!)) : joinVectors([w.bias!, zeros([3 * units])]))));
  return { W, R, B, linearBeforeReset };
}

/**
 * ONNX `GRU` → Keras, one weight set per direction, in the convention `linear_before_reset` says.
 * `linear_before_reset=1`: bias `[Wb; Rb]` (2, 3H), exact. `linear_before_reset=0`: LOSSY for the
 * bias — `bias = Wb + Rb` (float32 sum), the split cannot be recovered (the outputs agree to its
 * rounding). Non-default `activations`, `clip` are not read (Keras has no clip).
 */
export function onnxGruToKeras(onnx: OnnxGruWeights): { readonly weights: GruWeights[]; readonly resetAfter: boolean } {
  const units = unitsFromBlockAxis(onnx.W, 3, 1, 3, "W", "[num_directions, 3·hidden_size, input_size]");
  const numDirections = onnx.W.shape[0]!;
  if (numDirections !== 1 && numDirections !== 2) throw new WeightShapeError("W", "[1 or 2, 3·hidden_size, input_size]", onnx.W.shape);
  expectShape(onnx.R, [numDirections, 3 * units, units], "R");
  if (onnx.B) expectShape(onnx.B, [numDirections, 6 * units], "B");
  if (onnx.linearBeforeReset !== 0 && onnx.linearBeforeReset !== 1) throw new RangeError(`linear_before_reset must be 0 or 1, got ${String(onnx.linearBeforeReset)}`);
  const resetAfter = onnx.linearBeforeReset === 1;
  const weights = Array.from({ length: numDirections }, (_, d): GruWeights => {
    const kernel = transpose2d(takeFirstAxis(onnx.W, d));
    const recurrent_kernel = transpose2d(takeFirstAxis(onnx.R, d));
    if (!onnx.B) return { kernel, recurrent_kernel };
    const [wb, rb] = splitVector(takeFirstAxis(onnx.B, d), 2) as [Tensor, Tensor];
    return { kernel, recurrent_kernel, bias: resetAfter ? stackTensors([wb, rb]) : addTensors(wb, rb) };
  });
  return { weights, resetAfter };
}

// ---- cuDNN canonical GRU and Keras 2 CuDNNGRU (spec/porting.md §14.3) ------------------------------

/** cuDNN's canonical GRU parameters for one layer and direction, linLayerID order 0–5 (r, z, h). */
export interface CudnnGruCanonical {
  /** `[W_r, W_z, W_h]` each (units, input_dim), then `[R_r, R_z, R_h]` each (units, units). */
  readonly weights: readonly Tensor[];
  /** `[bW_r, bW_z, bW_h, bR_r, bR_z, bR_h]`, each (units). */
  readonly biases: readonly Tensor[];
}

/**
 * Keras → cuDNN canonical GRU (CUDA `cudnnGetRNNWeightParams`, mode `CUDNN_GRU`: linLayerID 0, 1, 2
 * the reset, update and new-memory input matrices, 3, 4, 5 the recurrent ones; Keras 3's `_cudnn_gru`
 * reorders z, r, h to r, z, h the same way, spec/gru.md §3.11). cuDNN's GRU is reset-after with both
 * biases, so bias row 0 gives `bW`, row 1 `bR`, exactly; a GRU without bias gets zeros, a reset-before
 * GRU is refused.
 */
export function kerasGruToCudnnCanonical(w: GruWeights, options: GruOptions = {}): CudnnGruCanonical {
  const { units, resetAfter } = gruDims(w, options);
  needResetAfter(resetAfter, "cuDNN (CUDNN_GRU)");
  const [bW, bR] = w.bias ? biasRows(w.bias) : [zeros([3 * units]), zeros([3 * units])];
  const rzh = (t: Tensor): Tensor[] => {
    const [z, r, h] = (t.shape.length === 2 ? splitColumns(t, 3) : splitVector(t, 3)) as [Tensor, Tensor, Tensor];
    return [r, z, h];
  };
  return { weights: [...rzh(w.kernel), ...rzh(w.recurrent_kernel)].map(transpose2d), biases: [...rzh(bW), ...rzh(bR)] };
}

/** cuDNN canonical GRU → Keras: a `reset_after=True` GRU, bias `[bW; bR]` (z, r, h). Exact. */
export function cudnnGruCanonicalToKeras(c: CudnnGruCanonical): KerasGru {
  if (c.weights.length !== 6) throw new RangeError(`cuDNN canonical GRU has 6 weight matrices (linLayerID 0-5), got ${c.weights.length}`);
  if (c.biases.length !== 6) throw new RangeError(`cuDNN canonical GRU has 6 bias vectors (linLayerID 0-5), got ${c.biases.length}`);
  const units = c.weights[3]!.shape[0] ?? 0;
  const inputDim = c.weights[0]!.shape[1] ?? 0;
  c.weights.forEach((m, k) => expectShape(m, k < 3 ? [units, inputDim] : [units, units], `cudnn weights[${k}]`));
  c.biases.forEach((b, k) => expectShape(b, [units], `cudnn biases[${k}]`));
  const zrh = <T>(r: T, z: T, h: T): T[] => [z, r, h];
  const [Wr, Wz, Wh, Rr, Rz, Rh] = c.weights as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const [bWr, bWz, bWh, bRr, bRz, bRh] = c.biases as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  return {
    weights: {
      kernel: joinColumns(zrh(Wr, Wz, Wh).map(transpose2d)),
      recurrent_kernel: joinColumns(zrh(Rr, Rz, Rh).map(transpose2d)),
      bias: stackTensors([joinVectors(zrh(bWr, bWz, bWh)), joinVectors(zrh(bRr, bRz, bRh))]),
    },
    resetAfter: true,
  };
}

/** The weights of a Keras 2 `CuDNNGRU` layer (`get_weights()` order). */
export interface KerasCudnnGruWeights {
  /** (input_dim, 3·units), blocks z, r, h, each holding cuDNN's (units, input_dim) matrix row-major. */
  readonly kernel: Tensor;
  /** (units, 3·units), blocks z, r, h, each holding cuDNN's (units, units) matrix. */
  readonly recurrent_kernel: Tensor;
  /** (6·units) = [input z, r, h | recurrent z, r, h]. */
  readonly bias: Tensor;
}

/** Reinterprets a row-major block's data under another shape (what cuDNN does with a CuDNNGRU block). */
function reinterpret(t: Tensor, shape: readonly number[]): Tensor {
  return { shape: [...shape], data: t.data.slice() };
}

/**
 * Keras → Keras 2 `CuDNNGRU` (tf_keras/layers/rnn/cudnn_gru.py `build`, `_process_batch`;
 * tf_keras/saving/legacy/hdf5_format.py `_convert_rnn_weights`): blocks stay z, r, h (the layer
 * reorders them when it calls cuDNN); each kernel block holds cuDNN's `(u, in)` matrix row-major
 * (tf-keras: `k.T.reshape(k.shape, order="C")` per block), each recurrent block is transposed, and
 * the (2, 3u) bias is flattened to (6u). Exact. Only a `reset_after=True` GRU has a CuDNNGRU form
 * (tf-keras raises "… is not compatible with …" otherwise); a GRU without bias gets zeros.
 */
export function kerasToCudnnGruLayer(w: GruWeights, options: GruOptions = {}): KerasCudnnGruWeights {
  const { inputDim, units, resetAfter } = gruDims(w, options);
  needResetAfter(resetAfter, "CuDNNGRU");
  return {
    kernel: joinColumns(splitColumns(w.kernel, 3).map((b) => reinterpret(transpose2d(b), [inputDim, units]))),
    recurrent_kernel: joinColumns(splitColumns(w.recurrent_kernel, 3).map(transpose2d)),
    bias: w.bias ? { shape: [6 * units], data: w.bias.data.slice() } : zeros([6 * units]),
  };
}

/** Keras 2 `CuDNNGRU` weights → a Keras `GRU(reset_after=True)`: the inverse of {@link kerasToCudnnGruLayer}. Exact. */
export function cudnnGruLayerToKeras(w: KerasCudnnGruWeights): KerasGru {
  const units = unitsFromBlockAxis(w.recurrent_kernel, 2, 1, 3, "CuDNNGRU.recurrent_kernel", "(units, 3·units)");
  expectShape(w.recurrent_kernel, [units, 3 * units], "CuDNNGRU.recurrent_kernel");
  const inputDim = w.kernel.shape[0] ?? 0;
  expectShape(w.kernel, [inputDim, 3 * units], "CuDNNGRU.kernel");
  // spec/gru.md §6 Q4: the bias shape tells the source — (6u,) CuDNNGRU, (2, 3u) reset-after, (3u,) reset-before.
  if (w.bias.shape.length === 2) throw new WeightShapeError("CuDNNGRU.bias", `(${6 * units},) — this (2, ${3 * units}) bias is a GRU(reset_after=True)'s, already Keras's layout`, w.bias.shape);
  if (w.bias.shape[0] === 3 * units) throw new WeightShapeError("CuDNNGRU.bias", `(${6 * units},) — this (${3 * units},) bias is a GRU(reset_after=False)'s, which no CuDNNGRU computes`, w.bias.shape);
  expectShape(w.bias, [6 * units], "CuDNNGRU.bias");
  return {
    weights: {
      kernel: joinColumns(splitColumns(w.kernel, 3).map((b) => transpose2d(reinterpret(b, [units, inputDim])))),
      recurrent_kernel: joinColumns(splitColumns(w.recurrent_kernel, 3).map(transpose2d)),
      bias: { shape: [2, 3 * units], data: w.bias.data.slice() },
    },
    resetAfter: true,
  };
}

// ---- Keras 1 (spec/porting.md §14.4) -----------------------------------------------------------------

/** Keras 1's GRU arrays with `consume_less` cpu or mem, in the order Keras 1 saved them (spec/gru.md §4.5). */
export const KERAS1_GRU_WEIGHT_ORDER = ["W_z", "U_z", "b_z", "W_r", "U_r", "b_r", "W_h", "U_h", "b_h"] as const;

/**
 * Keras 1's nine arrays → Keras: `kernel = concat(W_z, W_r, W_h)`, `recurrent_kernel = concat(U_z, U_r,
 * U_h)`, `bias = concat(b_z, b_r, b_h)` (tf-keras `preprocess_weights_for_loading`), a reset-before GRU
 * (Keras 1 had no other). Exact. (`consume_less='gpu'` saved the fused `W, U, b` of Keras 2's layout.)
 */
export function keras1GruToKeras(arrays: readonly Tensor[]): KerasGru {
  if (arrays.length !== 9) throw new RangeError(`a Keras 1 GRU has 9 weight arrays (${KERAS1_GRU_WEIGHT_ORDER.join(", ")}), got ${arrays.length}`);
  const named = Object.fromEntries(KERAS1_GRU_WEIGHT_ORDER.map((n, k) => [n, arrays[k]!])) as Record<(typeof KERAS1_GRU_WEIGHT_ORDER)[number], Tensor>;
  const units = named.U_z.shape[0] ?? 0;
  const inputDim = named.W_z.shape[0] ?? 0;
  for (const g of ZRH) {
    expectShape(named[`W_${g}`], [inputDim, units], `W_${g}`);
    expectShape(named[`U_${g}`], [units, units], `U_${g}`);
    expectShape(named[`b_${g}`], [units], `b_${g}`);
  }
  return {
    weights: {
      kernel: joinColumns(ZRH.map((g) => named[`W_${g}`])),
      recurrent_kernel: joinColumns(ZRH.map((g) => named[`U_${g}`])),
      bias: joinVectors(ZRH.map((g) => named[`b_${g}`])),
    },
    resetAfter: false,
  };
}

/** Keras → Keras 1's nine arrays. Exact; a reset-after GRU is refused; a GRU without bias gets zero `b_*` (Keras 1 always had them). */
export function kerasToKeras1Gru(w: GruWeights, options: GruOptions = {}): Tensor[] {
  const { units, resetAfter } = gruDims(w, { resetAfter: options.resetAfter ?? (w.bias ? undefined : false) });
  needResetBefore(resetAfter, "Keras 1 GRU");
  const [Wz, Wr, Wh] = splitColumns(w.kernel, 3) as [Tensor, Tensor, Tensor];
  const [Uz, Ur, Uh] = splitColumns(w.recurrent_kernel, 3) as [Tensor, Tensor, Tensor];
  const [bz, br, bh] = splitVector(w.bias ?? zeros([3 * units]), 3) as [Tensor, Tensor, Tensor];
  return [Wz, Uz, bz, Wr, Ur, br, Wh, Uh, bh];
}

/**
 * A Keras 1 GRU config → Keras 2/3 names (`output_dim` → `units`, `inner_activation` →
 * `recurrent_activation`) with Keras 1's defaults (tanh, hard_sigmoid) and `reset_after: false`
 * (spec/gru.md §4.5). A tf-keras-dialect config: its `hard_sigmoid` is the 0.2-slope one.
 */
export function keras1GruConfigToKeras(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { output_dim, inner_activation, consume_less: _consumeLess, ...rest } = config;
  if (typeof output_dim !== "number") throw new RangeError("Keras 1 GRU config: output_dim (a number) is required");
  return {
    activation: "tanh",
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    use_bias: true,
    ...rest,
    units: output_dim,
    recurrent_activation: inner_activation ?? "hard_sigmoid",
    reset_after: false,
  };
}

// ---- TensorFlow 1.x GRUCell (spec/porting.md §14.5) --------------------------------------------------

/** A TF1 `GRUCell`'s variables (tf_keras/layers/rnn/legacy_cells.py `GRUCell.build`). */
export interface Tf1GruCellWeights {
  /** `gates/kernel` [input_depth + units, 2·units] on `concat([x, h])`, blocks r, u (u is Keras's z). */
  readonly gates_kernel: Tensor;
  /** `gates/bias` [2·units], blocks r, u. */
  readonly gates_bias: Tensor;
  /** `candidate/kernel` [input_depth + units, units] on `concat([x, r ⊙ h])`. */
  readonly candidate_kernel: Tensor;
  /** `candidate/bias` [units]. */
  readonly candidate_bias: Tensor;
}

/**
 * TF1 `GRUCell` → Keras (legacy_cells.py `GRUCell.call`: `r, u = split(σ(concat([x, h])·gates_kernel +
 * gates_bias))`, `c = act(concat([x, r ⊙ h])·candidate_kernel + candidate_bias)`, `h' = u ⊙ h + (1 − u) ⊙ c`):
 * a reset-before GRU whose z is TF1's u. Rows `[:input_dim]` of each kernel → `kernel`, the rest →
 * `recurrent_kernel`; blocks r, u → z, r, then the candidate block. Exact. The gates are always
 * sigmoid (`recurrent_activation="sigmoid"`); `activation` is the cell's (default tanh).
 */
export function tf1GruCellToKeras(w: Tf1GruCellWeights, inputDim?: number): KerasGru {
  const units = unitsFromBlockAxis(w.candidate_bias, 1, 0, 1, "candidate/bias", "[num_units]");
  const D = inputDim ?? (w.candidate_kernel.shape[0] ?? 0) - units;
  expectShape(w.gates_kernel, [D + units, 2 * units], "gates/kernel");
  expectShape(w.gates_bias, [2 * units], "gates/bias");
  expectShape(w.candidate_kernel, [D + units, units], "candidate/kernel");
  const [r, u] = splitColumns(w.gates_kernel, 2) as [Tensor, Tensor];
  const blocks = [u, r, w.candidate_kernel];
  const [br, bu] = splitVector(w.gates_bias, 2) as [Tensor, Tensor];
  return {
    weights: {
      kernel: joinColumns(blocks.map((b) => takeRows(b, 0, D))),
      recurrent_kernel: joinColumns(blocks.map((b) => takeRows(b, D, D + units))),
      bias: joinVectors([bu, br, w.candidate_bias]),
    },
    resetAfter: false,
  };
}

/** Keras → TF1 `GRUCell`: the inverse of {@link tf1GruCellToKeras}. Exact; a reset-after GRU is refused, no bias gives zeros. */
export function kerasToTf1GruCell(w: GruWeights, options: GruOptions = {}): Tf1GruCellWeights {
  const { units, resetAfter } = gruDims(w, { resetAfter: options.resetAfter ?? (w.bias ? undefined : false) });
  needResetBefore(resetAfter, "TF1 GRUCell");
  const [kz, kr, kh] = splitColumns(w.kernel, 3) as [Tensor, Tensor, Tensor];
  const [uz, ur, uh] = splitColumns(w.recurrent_kernel, 3) as [Tensor, Tensor, Tensor];
  const [bz, br, bh] = splitVector(w.bias ?? zeros([3 * units]), 3) as [Tensor, Tensor, Tensor];
  return {
    gates_kernel: joinRows([joinColumns([kr, kz]), joinColumns([ur, uz])]),
    gates_bias: joinVectors([br, bz]),
    candidate_kernel: joinRows([kh, uh]),
    candidate_bias: bh,
  };
}
