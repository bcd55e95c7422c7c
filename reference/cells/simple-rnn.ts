/**
 * One SimpleRNN step for a whole batch (spec/simple-rnn.md §2.1):
 *
 *   h_t = act(x_t·W + b + h_{t-1}·U)          (one block of `units` columns, no gate, §1.2)
 *
 * computed as (x_t·W + b) + h_{t-1}·U, then act. The state is [h].
 */
import type { Activation } from "../activations.ts";
import { affine } from "./affine.ts";
import { oneStateCell, type Cell } from "./cell.ts";

/** SimpleRNN weights in Keras layout, row-major float64 (spec/simple-rnn.md §1). */
export interface SimpleRnnParams {
  readonly inputDim: number;
  readonly units: number;
  /** (inputDim, units) */
  readonly kernel: Float64Array;
  /** (units, units) */
  readonly recurrentKernel: Float64Array;
  /** (units), or null when `use_bias` is false (§3.7). */
  readonly bias: Float64Array | null;
}

/** Advances every batch row by one step (arguments as `gruCellStep`); returns the new h. */
export function simpleRnnCellStep(p: SimpleRnnParams, act: Activation, batch: number, x: Float64Array, xOffset: number, xStride: number, hPrev: Float64Array): Float64Array {
  const u = p.units;
  const h = new Float64Array(batch * u);
  const xw = new Float64Array(u);
  const hu = new Float64Array(u);
  for (let b = 0; b < batch; b++) {
    const row = b * u;
    affine(xw, p.bias, x, xOffset + b * xStride, p.inputDim, p.kernel, u); // x_t·W + b
    affine(hu, null, hPrev, row, u, p.recurrentKernel, u); // h_{t-1}·U
    for (let k = 0; k < u; k++) h[row + k] = act(xw[k]! + hu[k]!);
  }
  return h;
}

/** The SimpleRNN as a cell of the loop (reference/rnn.ts): state [h]. */
export function simpleRnnCell(p: SimpleRnnParams, act: Activation): Cell {
  return oneStateCell(p, (batch, x, xOffset, xStride, h) => simpleRnnCellStep(p, act, batch, x, xOffset, xStride, h));
}
