/**
 * The one product every cell makes: a row vector times a block of a weight matrix, plus a bias —
 * `bias + v·M[:, col0 : col0 + n]`, summed bias first, then d = 0 … rows−1 (spec/lstm.md §2.2: any
 * order is allowed; this is the readable one).
 */

/**
 * Writes `bias[j] (or 0) + Σ_d v[vOffset + d] · M[d, col0 + j]` into `out[j]` for j < out.length.
 * `M` has `rows` rows of `ld` columns, row-major; `bias` (out.length values) may be null.
 */
export function affine(out: Float64Array, bias: Float64Array | null, v: Float64Array, vOffset: number, rows: number, M: Float64Array, ld: number, col0 = 0): Float64Array {
  if (bias) out.set(bias);
  else out.fill(0);
  const n = out.length;
  for (let d = 0; d < rows; d++) {
    const vd = v[vOffset + d]!;
    const row = d * ld + col0;
    for (let j = 0; j < n; j++) out[j]! += vd * M[row + j]!;
  }
  return out;
}
