/**
 * A faster `lstmLayer`: the same arithmetic as the readable `rnn.ts` + `cells/lstm.ts` (the spec in
 * code), reorganised for speed. `fast.test.ts` proves the two bit-for-bit equal with a property.
 *
 * Why it is equal, not merely close: every gate pre-activation is summed in the readable order —
 * start from the bias (or 0), add x_t[d]·W[d, j] for d = 0 … D−1, then h[k]·U[k, j] for
 * k = 0 … U−1 (cells/lstm.ts `preActivations`) — one rounded multiply and one rounded add at a time
 * (JavaScript never fuses them). Only *when* each sum is computed changes:
 *  1. bias + x_t·W for every row and step in one pass before the time loop (it does not depend on h);
 *  2. per step, + h_{t−1}·U, then the same gate formulas as `lstmCellStep`.
 * The weights are transposed once so that every sum walks contiguous memory, and the products are
 * register-blocked (two rows × four columns share their loads). Buffers are allocated once per call.
 */
import type { GateActivations } from "./cells/cell.ts";
import type { LstmParams } from "./cells/lstm.ts";
import type { LayerOptions, LayerResult, SequenceInput } from "./rnn.ts";

/** (rows, cols) row-major → (cols, rows) row-major. */
function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}

/** Rows per tile: a tile of `a` (≤ 32 × 256 doubles = 64 KiB) stays in L2 while the column blocks sweep it. */
const ROW_TILE = 32;

/**
 * out[m][j] += Σ_k a[m][k] · bT[j][k], k ascending, for m < rows and j < n.
 * `a` row m starts at aOffset + m·aStride (length k); `out` row m at outOffset + m·outStride;
 * `bT` is (n, k) row-major (a weight matrix transposed). Each out element is read once, summed in
 * a local in k order, and written once — the same rounding sequence as adding in place.
 * Loop order: row tiles, then blocks of four weight columns (kept in L1), then pairs of rows.
 */
function addProducts(
  out: Float64Array,
  outOffset: number,
  outStride: number,
  a: Float64Array,
  aOffset: number,
  aStride: number,
  rows: number,
  k: number,
  bT: Float64Array,
  n: number,
): void {
  for (let tile = 0; tile < rows; tile += ROW_TILE) {
    const tileEnd = Math.min(rows, tile + ROW_TILE);
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let m = tile;
      for (; m + 1 < tileEnd; m += 2) {
        const a0 = aOffset + m * aStride;
        const a1 = a0 + aStride;
        const o0 = outOffset + m * outStride + j;
        const o1 = o0 + outStride;
        let s00 = out[o0]!, s01 = out[o0 + 1]!, s02 = out[o0 + 2]!, s03 = out[o0 + 3]!;
        let s10 = out[o1]!, s11 = out[o1 + 1]!, s12 = out[o1 + 2]!, s13 = out[o1 + 3]!;
        for (let d = 0; d < k; d++) {
          const x0 = a[a0 + d]!;
          const x1 = a[a1 + d]!;
          const w0 = bT[b0 + d]!, w1 = bT[b1 + d]!, w2 = bT[b2 + d]!, w3 = bT[b3 + d]!;
          s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
          s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
        }
        out[o0] = s00; out[o0 + 1] = s01; out[o0 + 2] = s02; out[o0 + 3] = s03;
        out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
      }
      if (m < tileEnd) {
        const a0 = aOffset + m * aStride;
        const o0 = outOffset + m * outStride + j;
        let s0 = out[o0]!, s1 = out[o0 + 1]!, s2 = out[o0 + 2]!, s3 = out[o0 + 3]!;
        for (let d = 0; d < k; d++) {
          const x0 = a[a0 + d]!;
          s0 += x0 * bT[b0 + d]!; s1 += x0 * bT[b1 + d]!; s2 += x0 * bT[b2 + d]!; s3 += x0 * bT[b3 + d]!;
        }
        out[o0] = s0; out[o0 + 1] = s1; out[o0 + 2] = s2; out[o0 + 3] = s3;
      }
    }
    for (; j < n; j++) {
      const b0 = j * k;
      for (let m = tile; m < tileEnd; m++) {
        const a0 = aOffset + m * aStride;
        const o0 = outOffset + m * outStride + j;
        let s = out[o0]!;
        for (let d = 0; d < k; d++) s += a[a0 + d]! * bT[b0 + d]!;
        out[o0] = s;
      }
    }
  }
}

/** Drop-in replacement for `lstmLayer` (rnn.ts): same inputs, bit-identical results. */
export function lstmLayerFast(p: LstmParams, f: GateActivations, o: LayerOptions, input: SequenceInput): LayerResult {
  const { batch: B, timesteps: T } = input;
  const U = p.units;
  const D = p.inputDim;
  const N = 4 * U;
  const { act, recAct } = f;
  const mask = input.mask;

  // 1. zx[b, t] = bias + x[b, t]·W for every row and step (cells/lstm.ts preActivations, first two terms).
  const zx = new Float64Array(B * T * N);
  if (p.bias) for (let r = 0; r < B * T; r++) zx.set(p.bias, r * N);
  addProducts(zx, 0, N, input.x, 0, D, B * T, D, transpose(p.kernel, D, N), N);
  const recurrentT = transpose(p.recurrentKernel, U, N);

  const h = input.initialState ? Float64Array.from(input.initialState.h) : new Float64Array(B * U);
  const c = input.initialState ? Float64Array.from(input.initialState.c) : new Float64Array(B * U);
  const emitted = new Float64Array(B * U); // rnn.ts: the previous emitted output, zeros at first
  const z = new Float64Array(B * N);
  const sequence = new Float64Array(B * T * U);
  const stepsH = new Float64Array(B * T * U);
  const stepsC = new Float64Array(B * T * U);

  for (let k = 0; k < T; k++) {
    const t = o.goBackwards ? T - 1 - k : k;
    // 2. z = zx[:, t] + h_{t−1}·U, for every row, before any row's h changes.
    for (let b = 0; b < B; b++) z.set(zx.subarray((b * T + t) * N, (b * T + t + 1) * N), b * N);
    addProducts(z, 0, N, h, 0, U, B, U, recurrentT, N);
    for (let b = 0; b < B; b++) {
      const row = b * U;
      const at = (b * T + k) * U;
      if (mask && !mask[b * T + t]) {
        // rnn.ts: a masked step keeps the state and repeats (or zeros) the output.
        if (o.zeroOutputForMask) emitted.fill(0, row, row + U);
      } else {
        const zr = b * N;
        for (let j = 0; j < U; j++) {
          const i = recAct(z[zr + j]!);
          const fg = recAct(z[zr + U + j]!);
          const g = act(z[zr + 2 * U + j]!);
          const og = recAct(z[zr + 3 * U + j]!);
          const ct = fg * c[row + j]! + i * g;
          c[row + j] = ct;
          h[row + j] = og * act(ct);
        }
        emitted.set(h.subarray(row, row + U), row);
      }
      sequence.set(emitted.subarray(row, row + U), at);
      stepsH.set(h.subarray(row, row + U), at);
      stepsC.set(c.subarray(row, row + U), at);
    }
  }
  return {
    output: o.returnSequences ? sequence : emitted,
    outputShape: o.returnSequences ? [B, T, U] : [B, U],
    state: { h, c },
    steps: { h: stepsH, c: stepsC },
  };
}
