/**
 * Weight files for the `convert` command (spec/porting.md §10): a set of named float32 tensors as
 * - JSON: `{ "layout": "<layout>", "cell"?: "lstm" | "gru" | "simple_rnn", "reset_after"?: bool,
 *   "tensors": { "<name>": { "shape": [...], "data": [...] } } }` (`data` flat, row-major; a
 *   fixture-format tensor with `dtype` is accepted too). `cell` and `reset_after` say what the tensors
 *   are where their names and shapes do not (spec/porting.md §10: a TF1 BasicRNNCell's `kernel, bias`
 *   look like an LSTMCell's; a GRU without bias does not show its reset convention);
 * - a directory of `.npy` files, one per tensor, `<name>.npy` (a name with `/` is a subfolder);
 * - a Keras model file (`.keras`, `.h5`) with a layer name: that recurrent layer's Keras weights.
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
  /** The cell the file says it holds (JSON `cell` key), if any. */
  readonly cell?: string;
  /** A GRU's `reset_after` (JSON `reset_after` key), if the file says it. */
  readonly resetAfter?: boolean;
  readonly tensors: Record<string, Tensor>;
}

/** What a JSON weight file says besides its tensors. */
export interface WeightFileMeta {
  readonly cell?: string;
  readonly resetAfter?: boolean;
}

/** The keys of a JSON weight file that are not tensors (when its tensors sit at the top level). */
const META_KEYS = new Set(["layout", "cell", "reset_after"]);

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
    if (META_KEYS.has(name) && obj["tensors"] === undefined) continue;
    tensors[name] = jsonTensor(path, name, value);
  }
  const layout = typeof obj["layout"] === "string" ? obj["layout"] : undefined;
  if (obj["cell"] !== undefined && typeof obj["cell"] !== "string") throw new WeightFileError(path, `"cell" must be a string (lstm, gru, simple_rnn), got ${JSON.stringify(obj["cell"])}`);
  if (obj["reset_after"] !== undefined && typeof obj["reset_after"] !== "boolean") throw new WeightFileError(path, `"reset_after" must be true or false, got ${JSON.stringify(obj["reset_after"])}`);
  return {
    ...(layout === undefined ? {} : { layout }),
    ...(typeof obj["cell"] === "string" ? { cell: obj["cell"] } : {}),
    ...(typeof obj["reset_after"] === "boolean" ? { resetAfter: obj["reset_after"] } : {}),
    tensors,
  };
}

/**
 * Writes tensors as JSON (`path` ends in `.json`, with `meta`'s cell and reset_after when given) or
 * as a directory of `.npy` files (which has no place for them).
 */
export function writeWeightFile(path: string, layout: string, tensors: Readonly<Record<string, Tensor>>, meta: WeightFileMeta = {}): void {
  if (path.endsWith(".json")) {
    const body = Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, { shape: t.shape, data: Array.from(t.data, float32Text) }]));
    mkdirSync(dirname(path), { recursive: true });
    const head = { layout, ...(meta.cell === undefined ? {} : { cell: meta.cell }), ...(meta.resetAfter === undefined ? {} : { reset_after: meta.resetAfter }) };
    writeFileSync(path, `${JSON.stringify({ ...head, tensors: body })}\n`);
    return;
  }
  for (const [name, t] of Object.entries(tensors)) {
    const file = join(path, `${name}.npy`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, formatNpy(t));
  }
}
