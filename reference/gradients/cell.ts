/**
 * What the backward loop (rnn.ts) needs of a cell (spec/gradients.md §4): a forward step that keeps
 * what its backward needs (a *record*), and the backward of that step for one batch row. The forward
 * step computes exactly what reference/cells/<kind>.ts computes, in the same order of sums, so the
 * outputs the gradient run returns are the reference's outputs bit for bit (checked in the tests).
 */
import type { Cell } from "../cells/cell.ts";

/** The gradient of the scalar w.r.t. one layer's weights, row-major in Keras layout (spec/gradients.md §2.2). */
export interface WeightGradients {
  /** (inputDim, n·units) */
  readonly kernel: Float64Array;
  /** (units, n·units) */
  readonly recurrent_kernel: Float64Array;
  /** The bias's shape (a GRU with reset_after: (2, 3·units), input row first); null without use_bias. */
  readonly bias: Float64Array | null;
}

/** Zeroed accumulators for a layer of `blocks` gate blocks; `biasRows` 2 for a reset_after GRU. */
export function zeroWeightGradients(inputDim: number, units: number, blocks: number, useBias: boolean, biasRows = 1): WeightGradients {
  const n = blocks * units;
  return { kernel: new Float64Array(inputDim * n), recurrent_kernel: new Float64Array(units * n), bias: useBias ? new Float64Array(biasRows * n) : null };
}

/** One step of a batch as the forward ran it: where x_t was, the states before it, and the cell's own intermediates. */
export interface StepRecord {
  readonly x: Float64Array;
  readonly xOffset: number;
  readonly xStride: number;
  /** The states the step started from, in the cell's order, each (batch, units). */
  readonly prev: readonly Float64Array[];
  /** Per-cell intermediates, (batch, width) row-major. */
  readonly saved: Float64Array;
}

export interface GradientCell {
  /** A forward cell for reference/rnn.ts that pushes a record of every step it computes onto `tape`. */
  recording(tape: StepRecord[]): Cell;
  /**
   * The backward of one recorded step for batch row `b`: given the gradient w.r.t. the step's new
   * states `dNext` (each `units` long, state 0 = h), adds to `acc` the step's weight gradients and
   * writes the gradient w.r.t. the step's input into `dx` (inputDim) and w.r.t. its previous states
   * into `dPrev` (each `units`, overwritten).
   */
  backward(record: StepRecord, b: number, dNext: readonly Float64Array[], acc: WeightGradients, dx: Float64Array, dPrev: readonly Float64Array[]): void;
  /** Fresh zeroed accumulators for this cell's weights. */
  zeroGradients(): WeightGradients;
}

/** acc[d, col0 + j] += v[vOffset + d] · g[j] for d < rows, j < g.length: the outer product a step adds to a weight gradient. */
export function addOuter(acc: Float64Array, ld: number, col0: number, v: Float64Array, vOffset: number, rows: number, g: Float64Array): void {
  const n = g.length;
  for (let d = 0; d < rows; d++) {
    const vd = v[vOffset + d]!;
    if (vd === 0) continue;
    const row = d * ld + col0;
    for (let j = 0; j < n; j++) acc[row + j]! += vd * g[j]!;
  }
}

/** out[d] (+)= Σ_j M[d, col0 + j] · g[j] for d < out.length: a gradient taken back through `v·M` (M transposed). */
export function backThrough(out: Float64Array, M: Float64Array, ld: number, col0: number, g: Float64Array, accumulate = false): void {
  const n = g.length;
  for (let d = 0; d < out.length; d++) {
    const row = d * ld + col0;
    let s = accumulate ? out[d]! : 0;
    for (let j = 0; j < n; j++) s += M[row + j]! * g[j]!;
    out[d] = s;
  }
}
