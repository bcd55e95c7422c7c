/**
 * HDF5 access for Keras model files, through h5wasm (the HDF5 C library compiled to WebAssembly; its
 * Node build reads files straight from the file system, no network, no native build).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import h5wasm, { Dataset, Group, type File as H5File } from "h5wasm/node";
import type { Tensor } from "../tensor.ts";
import { formatBytes } from "./sizes.ts";

export type { H5File };

/** A model file that cannot be read as Keras saved it; names the file and the place inside it. */
export class ModelFileError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "ModelFileError";
  }
}

/**
 * Opens an HDF5 file (from its path, or from bytes such as a `.keras` archive member), runs `use`, and
 * closes it again. Bytes go through a private temporary file, removed afterwards.
 */
export async function withH5File<T>(source: string | Uint8Array, label: string, use: (f: H5File) => T): Promise<T> {
  const bytes = typeof source === "string" ? readFileSync(source) : source;
  if (!hasHdf5Signature(bytes)) throw new ModelFileError(label, "not an HDF5 file (no HDF5 signature)");
  await h5wasm.ready;
  let dir: string | undefined;
  let path: string;
  if (typeof source === "string") path = source;
  else {
    dir = mkdtempSync(join(tmpdir(), "krc-h5-"));
    path = join(dir, "weights.h5");
    writeFileSync(path, source);
  }
  let file: H5File;
  try {
    file = new h5wasm.File(path, "r");
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw new ModelFileError(label, `not an HDF5 file h5wasm can open (${(e as Error).message})`);
  }
  try {
    return use(file);
  } finally {
    file.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5 files start with this signature at byte 0, 512, 1024, 2048, … (HDF5 File Format Specification, superblock). */
function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, k) => bytes[at + k] === b)) return true;
  }
  return false;
}

/** The group at `path`, or an error naming it. */
export function h5Group(f: H5File, path: string, label: string): Group {
  const g = f.get(path);
  if (!(g instanceof Group)) throw new ModelFileError(label, `no HDF5 group "${path}"`);
  return g;
}

/** Whether `path` exists in the file. */
export function h5Has(f: H5File, path: string): boolean {
  return f.get(path) !== null;
}

/**
 * A float dataset as a float32 tensor (Keras saves weights as float32; float64 is narrowed). A chunked,
 * gzip-compressed dataset may declare gigabytes while storing a few bytes, so its declared size (shape
 * times element size, which is what reading it allocates) is checked against `maxBytes` before it is read.
 */
export function h5Tensor(f: H5File, path: string, label: string, maxBytes = Number.POSITIVE_INFINITY): Tensor {
  const d = f.get(path);
  if (!(d instanceof Dataset)) throw new ModelFileError(label, `no HDF5 dataset "${path}"`);
  const declared = (d.shape ?? []).reduce((n, k) => n * k, 1) * d.metadata.size;
  if (declared > maxBytes) throw new ModelFileError(label, `dataset "${path}" of shape (${(d.shape ?? []).join(", ")}) holds ${formatBytes(declared)}, over the ${formatBytes(maxBytes)} limit for one weight array; not read`);
  const value = d.value;
  if (!(value instanceof Float32Array || value instanceof Float64Array)) {
    throw new ModelFileError(label, `dataset "${path}" holds ${d.dtype} values, expected float32`);
  }
  return { shape: [...(d.shape ?? [])], data: value instanceof Float32Array ? value : Float32Array.from(value) };
}

/** A string attribute (or a list of strings), or undefined when absent. */
export function h5StringAttr(entity: Group | H5File, name: string): string | string[] | undefined {
  const a = entity.attrs[name];
  if (!a) return undefined;
  const v = a.value;
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
  if (ArrayBuffer.isView(v) && (v as ArrayLike<number>).length === 0) return [];
  return undefined;
}
