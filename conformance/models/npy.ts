/**
 * A small `.npy` reader and writer (NumPy's format, numpy/lib/format.py, versions 1.0–3.0): enough for
 * weight and input files — little-endian float32 or float64 (read as float32), C order. Anything else
 * (Fortran order, big-endian, other dtypes, pickled objects) is refused with a message, never guessed.
 */
import type { Tensor } from "../tensor.ts";
import { sizeOf } from "../tensor.ts";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

export class NpyError extends Error {
  constructor(label: string, message: string) {
    super(`${label}: ${message}`);
    this.name = "NpyError";
  }
}

/** Parses `.npy` bytes into a float32 tensor. `label` names the file in errors. */
export function parseNpy(bytes: Uint8Array, label: string): Tensor {
  if (bytes.length < 10 || !MAGIC.every((b, k) => bytes[k] === b)) throw new NpyError(label, "not a .npy file (no \\x93NUMPY magic)");
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (major < 1 || major > 3 || start + headerLen > bytes.length) throw new NpyError(label, `unsupported .npy version ${major}.${bytes[7]} or truncated header`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError(label, `unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === "True") throw new NpyError(label, "Fortran-order arrays are not supported; save with np.ascontiguousarray(a)");
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(label, `bad shape (${shapeText})`);
  const n = sizeOf(shape);
  const dataStart = start + headerLen;
  const width = descr === "<f4" ? 4 : descr === "<f8" ? 8 : 0;
  if (!width) throw new NpyError(label, `dtype ${descr} is not supported; use little-endian float32 ('<f4') or float64 ('<f8')`);
  if (bytes.length - dataStart !== n * width) throw new NpyError(label, `data holds ${bytes.length - dataStart} bytes, shape (${shape.join(", ")}) of ${descr} needs ${n * width}`);
  const data = new Float32Array(n);
  for (let k = 0; k < n; k++) data[k] = width === 4 ? view.getFloat32(dataStart + 4 * k, true) : view.getFloat64(dataStart + 8 * k, true);
  return { shape, data };
}

/** Serialises a float32 tensor as a version 1.0 `.npy` file (`<f4`, C order). */
export function formatNpy(t: Tensor): Uint8Array {
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // format.py: the whole preamble (10 bytes + header + '\n') is padded with spaces to a multiple of 64.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + " ".repeat(pad === 64 ? 0 : pad) + "\n";
  const out = new Uint8Array(10 + header.length + 4 * t.data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[10 + k] = header.charCodeAt(k);
  for (let k = 0; k < t.data.length; k++) view.setFloat32(10 + header.length + 4 * k, t.data[k]!, true);
  return out;
}
