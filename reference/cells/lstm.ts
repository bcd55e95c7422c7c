/**
 * One LSTM step for a whole batch (spec/lstm.md §2.1):
 *
 *   z   = x_t·W + h_{t-1}·U + b          (bias added once, after both products, §2.2)
 *   i   = σr(z_i)   f = σr(z_f)   g = act(z_c)   o = σr(z_o)    (blocks of `units` columns, in this order, §1.2)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g
 *   h_t = o ⊙ act(c_t)
 *
 * The state is [h, c] (§2.1: the cell returns `h, [h, c]`).
 */
import type { Cell, GateActivations } from "./cell.ts";

/** LSTM weights in Keras layout, row-major float64 (spec/lstm.md §1). */
export interface LstmParams {
  readonly inputDim: number;
  readonly units: number;
  /** (inputDim, 4·units): column block k·units … (k+1)·units − 1 feeds gate k of i, f, c, o. */
  readonly kernel: Float64Array;
  /** (units, 4·units), same blocks. */
  readonly recurrentKernel: Float64Array;
  /** (4·units), or null when `use_bias` is false (§3.7). */
  readonly bias: Float64Array | null;
}

/** The state of every batch row: h and c, each (batch, units). */
export interface LstmState {
  readonly h: Float64Array;
  readonly c: Float64Array;
}

/**
 * Gate pre-activations z = x_t·W + h_{t-1}·U + b for one batch row, written into `z` (4·units).
 * The fast layer (reference/fast.ts) sums in exactly this order: start from the bias (or 0), add
 * x_t[d]·W[d, j] for d ascending, then h[k]·U[k, j] for k ascending.
 */
export function preActivations(p: LstmParams, x: Float64Array, xOffset: number, h: Float64Array, hOffset: number, z: Float64Array): void {
  const n = 4 * p.units;
  if (p.bias) z.set(p.bias);
  else z.fill(0);
  for (let d = 0; d < p.inputDim; d++) {
    const xd = x[xOffset + d]!;
    const row = d * n;
    for (let j = 0; j < n; j++) z[j]! += xd * p.kernel[row + j]!;
  }
  for (let k = 0; k < p.units; k++) {
    const hk = h[hOffset + k]!;
    const row = k * n;
    for (let j = 0; j < n; j++) z[j]! += hk * p.recurrentKernel[row + j]!;
  }
}

/**
 * Advances every batch row by one step. `x` is the step's input, (batch, inputDim) starting at
 * `xOffset` with row stride `xStride`; returns the new state (the old one is left untouched).
 */
export function lstmCellStep(
  p: LstmParams,
  f: GateActivations,
  batch: number,
  x: Float64Array,
  xOffset: number,
  xStride: number,
  prev: LstmState,
): LstmState {
  const u = p.units;
  const h = new Float64Array(batch * u);
  const c = new Float64Array(batch * u);
  const z = new Float64Array(4 * u);
  for (let b = 0; b < batch; b++) {
    preActivations(p, x, xOffset + b * xStride, prev.h, b * u, z);
    for (let k = 0; k < u; k++) {
      const i = f.recAct(z[k]!);
      const fg = f.recAct(z[u + k]!);
      const g = f.act(z[2 * u + k]!);
      const o = f.recAct(z[3 * u + k]!);
      const ct = fg * prev.c[b * u + k]! + i * g;
      c[b * u + k] = ct;
      h[b * u + k] = o * f.act(ct);
    }
  }
  return { h, c };
}

/** The LSTM as a cell of the loop (reference/rnn.ts): states [h, c]. */
export function lstmCell(p: LstmParams, f: GateActivations): Cell {
  return {
    inputDim: p.inputDim,
    units: p.units,
    stateCount: 2,
    step(batch, x, xOffset, xStride, [h, c]) {
      const next = lstmCellStep(p, f, batch, x, xOffset, xStride, { h: h!, c: c! });
      return [next.h, next.c];
    },
  };
}
