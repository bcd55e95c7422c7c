/** 1536 → "1.5 KiB": byte counts in messages, in the binary units the model-file limits are set in. */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let k = 0;
  while (v >= 1024 && k < units.length - 1) {
    v /= 1024;
    k += 1;
  }
  if (k === 0) return `${n} bytes`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[k]}`;
}
