/**
 * Keras LSTM ⇄ cuDNN (spec/porting.md §5): the canonical per-gate cuDNN parameters, and the weights of
 * Keras 2's `CuDNNLSTM` layer.
 *
 * cuDNN canonical form (tf-keras tf_keras/layers/rnn/lstm.py `gpu_lstm`; CUDA docs
 * `cudnnGetRNNWeightParams`, linLayerID 0–3 input-side, 4–7 recurrent-side): eight matrices
 * `W_i, W_f, W_c, W_o` (units, input_dim) and `R_i, R_f, R_c, R_o` (units, units), each applied as
 * `W·x` (so `W_g = kernel_g.T`), and eight biases `bW_i … bW_o, bR_i … bR_o` (units), both sets added.
 * Gate order i, f, c, o like Keras. (ROCm MIOpen uses i, f, o, c: use `reorderGates` from gates.ts.)
 *
 * Keras 2 `CuDNNLSTM` (tf_keras/layers/rnn/cudnn_lstm.py `build` and `_process_batch`): `kernel`
 * (input_dim, 4·units), `recurrent_kernel` (units, 4·units), `bias` (8·units) = [input i,f,c,o | recurrent
 * i,f,c,o]. Its gate blocks are handed to cuDNN *without* a transpose (`canonical_to_params` with
 * `transpose_weights=False`): cuDNN reads each row-major block as its (units, ·) matrix. So the
 * block of a `CuDNNLSTM` kernel is `reshape(W_g, (input_dim, units))` and of its recurrent kernel
 * `R_g`, which is what tf_keras/saving/legacy/hdf5_format.py `_convert_rnn_weights` undoes
 * (`kernel.T.reshape(shape, order="F")` per input block, `k.T` per recurrent block, biases summed).
 */
import type { LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import {
  WeightShapeError,
  addTensors,
  expectShape,
  joinColumns,
  joinVectors,
  splitBias,
  splitColumns,
  splitVector,
  transpose2d,
  unitsFromGateAxis,
  zeros,
  type BiasSplit,
} from "./gates.ts";
import { kerasLstmDims } from "./keras-layout.ts";

/** cuDNN's canonical LSTM parameters for one layer and direction, in linLayerID order 0–7. */
export interface CudnnLstmCanonical {
  /** `[W_i, W_f, W_c, W_o]` each (units, input_dim), then `[R_i, R_f, R_c, R_o]` each (units, units). */
  readonly weights: readonly Tensor[];
  /** `[bW_i, bW_f, bW_c, bW_o, bR_i, bR_f, bR_c, bR_o]`, each (units). */
  readonly biases: readonly Tensor[];
}

/** The weights of a Keras 2 `CuDNNLSTM` layer (`get_weights()` order). */
export interface KerasCudnnLstmWeights {
  /** (input_dim, 4·units), each gate block holding cuDNN's (units, input_dim) matrix row-major. */
  readonly kernel: Tensor;
  /** (units, 4·units), each gate block holding cuDNN's (units, units) matrix. */
  readonly recurrent_kernel: Tensor;
  /** (8·units) = [input-side i,f,c,o | recurrent-side i,f,c,o]. */
  readonly bias: Tensor;
}

/**
 * Keras → cuDNN canonical. cuDNN always has both biases; a Keras layer without bias gets zeros. The
 * default split `"recurrent"` is what tf-keras's GPU path does (`full_bias = concat(zeros_like(bias), bias)`).
 */
export function kerasToCudnnCanonical(w: LstmWeights, options: { readonly biasSplit?: BiasSplit } = {}): CudnnLstmCanonical {
  const { units } = kerasLstmDims(w);
  const weights = [...splitColumns(w.kernel, 4), ...splitColumns(w.recurrent_kernel, 4)].map(transpose2d);
  const [bW, bR] = splitBias(w.bias ?? zeros([4 * units]), options.biasSplit ?? "recurrent");
  return { weights, biases: [...splitVector(bW, 4), ...splitVector(bR, 4)] };
}

/** cuDNN canonical → Keras. LOSSY for the bias: `bias = bW + bR` (float32 sum), the split is lost. */
export function cudnnCanonicalToKeras(c: CudnnLstmCanonical): LstmWeights {
  if (c.weights.length !== 8) throw new RangeError(`cuDNN canonical LSTM has 8 weight matrices (linLayerID 0-7), got ${c.weights.length}`);
  if (c.biases.length !== 8) throw new RangeError(`cuDNN canonical LSTM has 8 bias vectors (linLayerID 0-7), got ${c.biases.length}`);
  const units = c.weights[4]!.shape[0] ?? 0;
  const inputDim = c.weights[0]!.shape[1] ?? 0;
  c.weights.forEach((m, k) => expectShape(m, k < 4 ? [units, inputDim] : [units, units], `cudnn weights[${k}]`));
  c.biases.forEach((b, k) => expectShape(b, [units], `cudnn biases[${k}]`));
  const kernel = joinColumns(c.weights.slice(0, 4).map(transpose2d));
  const recurrent_kernel = joinColumns(c.weights.slice(4).map(transpose2d));
  const bias = addTensors(joinVectors(c.biases.slice(0, 4)), joinVectors(c.biases.slice(4)));
  return { kernel, recurrent_kernel, bias };
}

/** Reinterprets a row-major block's data under another shape (what cuDNN does with a CuDNNLSTM block). */
function reinterpret(t: Tensor, shape: readonly number[]): Tensor {
  return { shape: [...shape], data: t.data.slice() };
}

/**
 * Keras → Keras 2 `CuDNNLSTM` weights. Default bias split `"half"`, as tf-keras's HDF5 loader
 * (`np.tile(0.5 * b, 2)`: "The way of splitting doesn't matter as long as the two sets sum is kept").
 */
export function kerasToCudnnLstmLayer(w: LstmWeights, options: { readonly biasSplit?: BiasSplit } = {}): KerasCudnnLstmWeights {
  const { inputDim, units } = kerasLstmDims(w);
  const c = kerasToCudnnCanonical(w, { biasSplit: options.biasSplit ?? "half" });
  return {
    kernel: joinColumns(c.weights.slice(0, 4).map((m) => reinterpret(m, [inputDim, units]))),
    recurrent_kernel: joinColumns(c.weights.slice(4)),
    bias: joinVectors(c.biases),
  };
}

/** Keras 2 `CuDNNLSTM` weights → Keras `LSTM`. LOSSY for the bias (input and recurrent halves summed). */
export function cudnnLstmLayerToKeras(w: KerasCudnnLstmWeights): LstmWeights {
  const units = unitsFromGateAxis(w.recurrent_kernel, 2, 1, "CuDNNLSTM.recurrent_kernel", "(units, 4·units)");
  expectShape(w.recurrent_kernel, [units, 4 * units], "CuDNNLSTM.recurrent_kernel");
  const inputDim = w.kernel.shape[0] ?? 0;
  expectShape(w.kernel, [inputDim, 4 * units], "CuDNNLSTM.kernel");
  if (w.bias.shape[0] === 4 * units) throw new WeightShapeError("CuDNNLSTM.bias", `(${8 * units},) — this (${4 * units},) bias is a plain LSTM's`, w.bias.shape);
  expectShape(w.bias, [8 * units], "CuDNNLSTM.bias");
  return cudnnCanonicalToKeras({
    weights: [...splitColumns(w.kernel, 4).map((b) => reinterpret(b, [units, inputDim])), ...splitColumns(w.recurrent_kernel, 4)],
    biases: splitVector(w.bias, 8),
  });
}
