/**
 * The Keras LSTM weight layout every converter starts from or ends in (spec/lstm.md §1 (weights)):
 * `kernel (input_dim, 4·units)`, `recurrent_kernel (units, 4·units)`, optional `bias (4·units)`, gate
 * blocks i, f, c, o along the last axis.
 */
import type { LstmWeights } from "../case.ts";
import { expectShape, unitsFromGateAxis } from "./gates.ts";

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
