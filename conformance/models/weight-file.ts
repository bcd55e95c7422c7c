/**
 * Weight files for the `convert` command (spec/porting.md §10): a set of named float32 tensors as
 * - JSON: `{ "layout": "<layout>", "tensors": { "<name>": { "shape": [...], "data": [...] } } }`
 *   (`data` flat, row-major; a fixture-format tensor with `dtype` is accepted too);
 * - a directory of `.npy` files, one per tensor, `<name>.npy` (a name with `/` is a subfolder);
 * - a Keras model file (`.keras`, `.h5`) with a layer name: that LSTM's Keras weights.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { Tensor } from "../tensor.ts";
import { formatShape, sizeOf } from "../tensor.ts";
import { float32Text } from "./float32-text.ts";
import { formatNpy, parseNpy } from "./npy.ts";

export class WeightFileError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "WeightFileError";
  }
}

export interface WeightFile {
  /** The layout the file says it holds (JSON `layout` key), if any. */
  readonly layout?: string;
  readonly tensors: Record<string, Tensor>;
}

function jsonTensor(file: string, name: string, raw: unknown): Tensor {
  const t = raw as { shape?: unknown; data?: unknown; dtype?: unknown };
  if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data)) throw new WeightFileError(file, `tensor "${name}" needs "shape" and "data" arrays`);
  if (t.dtype !== undefined && t.dtype !== "float32") throw new WeightFileError(file, `tensor "${name}" has dtype ${String(t.dtype)}, expected float32`);
  const shape = t.shape as number[];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new WeightFileError(file, `tensor "${name}" has a bad shape ${JSON.stringify(t.shape)}`);
  if (t.data.length !== sizeOf(shape)) throw new WeightFileError(file, `tensor "${name}": shape ${formatShape(shape)} needs ${sizeOf(shape)} values, "data" has ${t.data.length}`);
  const bad = t.data.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (bad >= 0) throw new WeightFileError(file, `tensor "${name}": data[${bad}] is ${JSON.stringify(t.data[bad])}, expected a finite number`);
  return { shape: [...shape], data: Float32Array.from(t.data as number[]) };
}

/** Reads a JSON weight file or a directory of `.npy` files. */
export function readWeightFile(path: string): WeightFile {
  if (!existsSync(path)) throw new WeightFileError(path, "no such file or directory");
  if (statSync(path).isDirectory()) {
    const tensors: Record<string, Tensor> = {};
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir).sort()) {
        const full = join(dir, entry);
        if (statSync(full).isDirectory()) walk(full);
        else if (entry.endsWith(".npy")) tensors[relative(path, full).replace(/\\/g, "/").replace(/\.npy$/, "")] = parseNpy(readFileSync(full), full);
      }
    };
    walk(path);
    if (Object.keys(tensors).length === 0) throw new WeightFileError(path, "directory holds no .npy files");
    return { tensors };
  }
  if (path.endsWith(".npy")) throw new WeightFileError(path, "one .npy file holds one tensor; give a directory of <name>.npy files, or a JSON weight file");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new WeightFileError(path, `not valid JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new WeightFileError(path, 'expected an object { "layout", "tensors": { name: { shape, data } } }');
  const obj = json as Record<string, unknown>;
  const raw = (obj["tensors"] ?? obj) as Record<string, unknown>;
  const tensors: Record<string, Tensor> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === "layout" && obj["tensors"] === undefined) continue;
    tensors[name] = jsonTensor(path, name, value);
  }
  const layout = typeof obj["layout"] === "string" ? obj["layout"] : undefined;
  return layout === undefined ? { tensors } : { layout, tensors };
}

/** Writes tensors as JSON (`path` ends in `.json`) or as a directory of `.npy` files. */
export function writeWeightFile(path: string, layout: string, tensors: Readonly<Record<string, Tensor>>): void {
  if (path.endsWith(".json")) {
    const body = Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, { shape: t.shape, data: Array.from(t.data, float32Text) }]));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify({ layout, tensors: body })}\n`);
    return;
  }
  for (const [name, t] of Object.entries(tensors)) {
    const file = join(path, `${name}.npy`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, formatNpy(t));
  }
}
