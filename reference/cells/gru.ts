/**
 * One GRU step for a whole batch (spec/gru.md §2). Blocks z, r, h (update, reset, candidate h̃) of
 * `units` columns each (§1.2). Two conventions, chosen by `reset_after` (§2.2: different functions):
 *
 *   reset_after = true (the default, §2.1)        reset_after = false (§2.2)
 *   xw  = x_t·W + b[0]                           xw  = x_t·W + b
 *   hu  = h_{t-1}·U + b[1]                       hu  = h_{t-1}·U[:, 0:2u]          (z and r only)
 *   z   = σr(xw_z + hu_z)                        z   = σr(xw_z + hu_z)
 *   r   = σr(xw_r + hu_r)                        r   = σr(xw_r + hu_r)
 *   h̃   = act(xw_h + r ⊙ hu_h)                   h̃   = act(xw_h + (r ⊙ h_{t-1})·U_h)
 *
 *   h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃             (§2.3: z weights the old state)
 *
 * The state is [h] (§1.1); `act` is applied once, to the candidate.
 */
import { affine } from "./affine.ts";
import { oneStateCell, type Cell, type GateActivations } from "./cell.ts";

/** GRU weights in Keras layout, row-major float64 (spec/gru.md §1). */
export interface GruParams {
  readonly inputDim: number;
  readonly units: number;
  /** (inputDim, 3·units), blocks z, r, h. */
  readonly kernel: Float64Array;
  /** (units, 3·units), blocks z, r, h. */
  readonly recurrentKernel: Float64Array;
  /** `reset_after` (§2.1, §2.2). */
  readonly resetAfter: boolean;
  /** (3·units) added to x_t·W: row 0 of the (2, 3u) bias with reset_after, the (3u) bias without; null without bias (§3.7). */
  readonly inputBias: Float64Array | null;
  /** (3·units) added to h_{t-1}·U: row 1 of the (2, 3u) bias; null without reset_after or without bias (§1.3). */
  readonly recurrentBias: Float64Array | null;
}

/**
 * Advances every batch row by one step. `x` is the step's input, (batch, inputDim) starting at
 * `xOffset` with row stride `xStride`; `hPrev` is (batch, units). Returns the new h.
 */
export function gruCellStep(p: GruParams, f: GateActivations, batch: number, x: Float64Array, xOffset: number, xStride: number, hPrev: Float64Array): Float64Array {
  const u = p.units;
  const n = 3 * u;
  const h = new Float64Array(batch * u);
  const xw = new Float64Array(n);
  const hu = new Float64Array(p.resetAfter ? n : 2 * u);
  const rh = new Float64Array(u);
  const rhu = new Float64Array(u);
  for (let b = 0; b < batch; b++) {
    const row = b * u;
    affine(xw, p.inputBias, x, xOffset + b * xStride, p.inputDim, p.kernel, n); // xw = x_t·W + b[0]
    if (p.resetAfter) {
      // §2.1: the reset gate scales the recurrent product, recurrent bias b_hh included.
      affine(hu, p.recurrentBias, hPrev, row, u, p.recurrentKernel, n); // hu = h_{t-1}·U + b[1]
      for (let k = 0; k < u; k++) {
        const z = f.recAct(xw[k]! + hu[k]!);
        const r = f.recAct(xw[u + k]! + hu[u + k]!);
        const hh = f.act(xw[2 * u + k]! + r * hu[2 * u + k]!);
        h[row + k] = z * hPrev[row + k]! + (1 - z) * hh;
      }
    } else {
      // §2.2: the reset gate scales h_{t-1} before its product with U_h.
      affine(hu, null, hPrev, row, u, p.recurrentKernel, n); // hu = h_{t-1}·U[:, 0:2u]
      for (let k = 0; k < u; k++) rh[k] = f.recAct(xw[u + k]! + hu[u + k]!) * hPrev[row + k]!; // r ⊙ h_{t-1}
      affine(rhu, null, rh, 0, u, p.recurrentKernel, n, 2 * u); // (r ⊙ h_{t-1})·U_h
      for (let k = 0; k < u; k++) {
        const z = f.recAct(xw[k]! + hu[k]!);
        const hh = f.act(xw[2 * u + k]! + rhu[k]!);
        h[row + k] = z * hPrev[row + k]! + (1 - z) * hh;
      }
    }
  }
  return h;
}

/** The GRU as a cell of the loop (reference/rnn.ts): state [h]. */
export function gruCell(p: GruParams, f: GateActivations): Cell {
  return oneStateCell(p, (batch, x, xOffset, xStride, h) => gruCellStep(p, f, batch, x, xOffset, xStride, h));
}
