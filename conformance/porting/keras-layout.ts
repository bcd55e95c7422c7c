/**
 * The Keras weight layouts every converter starts from or ends in: the LSTM's (spec/lstm.md §1
 * (weights)) `kernel (input_dim, 4·units)`, `recurrent_kernel (units, 4·units)`, optional
 * `bias (4·units)`, gate blocks i, f, c, o along the last axis; the GRU's and SimpleRNN's as their
 * descriptors say (conformance/cells.ts).
 */
import type { LstmWeights, RecurrentWeights } from "../case.ts";
import { CELLS } from "../cells.ts";
import { expectShape, unitsFromBlockAxis, unitsFromGateAxis } from "./gates.ts";

export interface KerasLstmDims {
  readonly inputDim: number;
  readonly units: number;
}

/** Checks a Keras weight set and returns its sizes; throws naming the tensor and the shape expected. */
export function kerasLstmDims(w: LstmWeights, label = "keras"): KerasLstmDims {
  const units = unitsFromGateAxis(w.recurrent_kernel, 2, 1, `${label}.recurrent_kernel`, "(units, 4·units)");
  expectShape(w.recurrent_kernel, [units, 4 * units], `${label}.recurrent_kernel`);
  const inputDim = w.kernel.shape[0] ?? 0;
  expectShape(w.kernel, [inputDim, 4 * units], `${label}.kernel`);
  if (w.bias) expectShape(w.bias, [4 * units], `${label}.bias`);
  return { inputDim, units };
}

/** The sizes of one direction of a Keras GRU or SimpleRNN, and a GRU's reset convention as its weights say it. */
export interface KerasCellDims extends KerasLstmDims {
  /** GRU: true for a (2, 3u) bias, false for a (3u) one, undefined without a bias (the weights do not tell, spec/gru.md §1.3). */
  readonly resetAfter?: boolean;
}

/**
 * Checks one direction's weights against the cell's layout (its descriptor, conformance/cells.ts:
 * spec/gru.md §1.1, spec/simple-rnn.md §1.1) and returns its sizes; throws naming the tensor and the
 * shape expected. A GRU's bias may have either shape; `resetAfter`, when given, must match it.
 */
export function kerasCellDims(className: "GRU" | "SimpleRNN", w: RecurrentWeights, label = "keras", resetAfter?: boolean): KerasCellDims {
  const cell = CELLS[className];
  const n = cell.blocks.length;
  const units = unitsFromBlockAxis(w.recurrent_kernel, 2, 1, n, `${label}.recurrent_kernel`, `(units, ${n === 1 ? "" : `${n}·`}units)`);
  expectShape(w.recurrent_kernel, [units, n * units], `${label}.recurrent_kernel`);
  const inputDim = w.kernel.shape[0] ?? 0;
  expectShape(w.kernel, [inputDim, n * units], `${label}.kernel`);
  if (!w.bias) return resetAfter === undefined ? { inputDim, units } : { inputDim, units, resetAfter };
  if (className === "SimpleRNN") {
    expectShape(w.bias, [units], `${label}.bias`);
    return { inputDim, units };
  }
  // spec/gru.md §1.3: (2, 3u) with reset_after, (3u) without; the shape says which.
  const fromShape = w.bias.shape.length === 2;
  const want = resetAfter ?? fromShape;
  const shape = cell.weights({ units, reset_after: want }, inputDim).find((x) => x.name === "bias")!.shape;
  expectShape(w.bias, shape, `${label}.bias`);
  return { inputDim, units, resetAfter: want };
}
