/**
 * Float32 values as JSON numbers that parse back to the same bits (spec/fixture-format.md §3.3): the
 * shortest decimal that `Math.fround(Number(s))` maps back to the value.
 */
export function float32Text(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v === 0 ? 0 : v;
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return v;
}
