/**
 * TensorFlow 1.x `LSTMCell` / `BasicLSTMCell` / `LSTMBlockCell` weights → Keras (spec/porting.md §7).
 *
 * TF1 (tf-keras tf_keras/layers/rnn/legacy_cells.py `BasicLSTMCell.build/call`, `LSTMCell.build/call`;
 * tensorflow/core/kernels/rnn/lstm_ops.h `GateLayout::ICFO` for `LSTMBlockCell`): one `kernel`
 * [input_depth + units, 4·units] applied to `concat([x, h])`, one `bias` [4·units], gate blocks
 * `i, j, f, o` (j = the cell candidate, Keras's c), and `forget_bias` (default 1.0) added to `f` at run
 * time, before the sigmoid: `c = σ(f + forget_bias)·c_prev + σ(i)·tanh(j)`. State is `(c, h)`, the
 * reverse of Keras's `[h, c]`. Peepholes, `cell_clip` and `num_proj` have no Keras equivalent.
 */
import type { LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import { ICFO, IFCO, expectShape, reorderGates, unitsFromGateAxis, zeros } from "./gates.ts";
import { kerasLstmDims } from "./keras-layout.ts";

/** A TF1 LSTM cell's variables. */
export interface Tf1LstmCellWeights {
  /** [input_depth + units, 4·units], blocks i, j, f, o; rows: first the input, then h. */
  readonly kernel: Tensor;
  /** [4·units], blocks i, j, f, o. */
  readonly bias: Tensor;
}

export interface Tf1Options {
  /** The cell's `forget_bias` (run-time constant added to f). Default 1.0, TF1's default. `BlockLSTMV2`: 0. */
  readonly forgetBias?: number;
}

function splitRows(t: Tensor, rows: number): [Tensor, Tensor] {
  const cols = t.shape[1]!;
  return [
    { shape: [rows, cols], data: t.data.slice(0, rows * cols) },
    { shape: [t.shape[0]! - rows, cols], data: t.data.slice(rows * cols) },
  ];
}

/**
 * TF1 cell → Keras: rows `[:input_depth]` of the kernel → `kernel`, rows `[input_depth:]` →
 * `recurrent_kernel`, blocks i, j, f, o → i, f, c, o, and `forgetBias` folded into the f block of the
 * bias. The fold is a float32 addition, so the Keras bias is `fround(b_f + forget_bias)`: the outputs
 * agree to float32 rounding of that sum (the TF1 op adds it in float32 too, at run time).
 */
export function tf1LstmCellToKeras(w: Tf1LstmCellWeights, inputDim: number, options: Tf1Options = {}): LstmWeights {
  const units = unitsFromGateAxis(w.bias, 1, 0, "bias", "[4·num_units]");
  expectShape(w.kernel, [inputDim + units, 4 * units], "kernel");
  const [x, h] = splitRows(reorderGates(w.kernel, 1, ICFO, IFCO), inputDim);
  const bias = reorderGates(w.bias, 0, ICFO, IFCO);
  const forgetBias = options.forgetBias ?? 1;
  for (let k = units; k < 2 * units; k++) bias.data[k] = bias.data[k]! + forgetBias;
  return { kernel: x, recurrent_kernel: h, bias };
}

/**
 * Keras → TF1 cell (for a cell that will add `forgetBias` at run time). LOSSY in float32: the f block
 * becomes `fround(b_f - forget_bias)`, and adding `forget_bias` back may not give `b_f` bit for bit.
 * With `forgetBias: 0` it is exact.
 */
export function kerasToTf1LstmCell(w: LstmWeights, options: Tf1Options = {}): Tf1LstmCellWeights {
  const { inputDim, units } = kerasLstmDims(w);
  const stacked: Tensor = { shape: [inputDim + units, 4 * units], data: new Float32Array((inputDim + units) * 4 * units) };
  stacked.data.set(w.kernel.data, 0);
  stacked.data.set(w.recurrent_kernel.data, w.kernel.data.length);
  // A TF1 cell always has a bias; Keras's use_bias=False is a zero bias.
  const bias = reorderGates(w.bias ?? zeros([4 * units]), 0, IFCO, ICFO);
  const forgetBias = options.forgetBias ?? 1;
  for (let k = 2 * units; k < 3 * units; k++) bias.data[k] = bias.data[k]! - forgetBias;
  return { kernel: reorderGates(stacked, 1, IFCO, ICFO), bias };
}
