/**
 * Tensors to and from the wire form of spec/fixture-format.md §3.3 (flat row-major list + shape),
 * which any language reads with its JSON parser alone (spec/adapter.md §8.6).
 */
import { formatShape, sizeOf, type BoolTensor, type Tensor } from "../tensor.ts";
import type { WireBoolTensor, WireFloat, WireFloatTensor } from "./messages.ts";

/**
 * The shortest decimal that gives back `v`'s float32 bits after `Math.fround(Number(s))`, as a
 * number whose JSON form is that decimal (spec/fixture-format.md §3.3). Shorter lines than the
 * 17-digit binary64 form, and exact.
 */
export function float32ToWire(v: number): WireFloat {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v === 0) return Object.is(v, -0) ? -0 : 0;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === v) return candidate;
  }
  // 9 significant digits always identify a float32 (IEEE 754 §5.12.2).
  return Number(v.toPrecision(9));
}

export function tensorToWire(t: Tensor | Tensor<Float64Array>, name?: string): WireFloatTensor {
  const data = Array.from(t.data, (v) => float32ToWire(Math.fround(v)));
  return name === undefined ? { dtype: "float32", shape: [...t.shape], data } : { dtype: "float32", shape: [...t.shape], data, name };
}

export function boolTensorToWire(t: BoolTensor): WireBoolTensor {
  return { dtype: "bool", shape: [...t.shape], data: Array.from(t.data, (v) => v !== 0) };
}

/** Thrown when a message's content does not make a tensor; `path` says where (JSON pointer). */
export class WireTensorError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "WireTensorError";
  }
}

function wireFloatToNumber(v: unknown, path: string): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  throw new WireTensorError(path, `expected a number (or "NaN", "Infinity", "-Infinity"), got ${JSON.stringify(v)}`);
}

/**
 * Reads a float tensor an engine sent. Checked even without --validate-protocol, because a
 * malformed tensor must become an *error* verdict naming the field, never a crash or a silent pass.
 */
export function tensorFromWire(value: unknown, path: string): Tensor {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WireTensorError(path, `expected a tensor {dtype, shape, data}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  const { dtype, shape, data } = value as { dtype?: unknown; shape?: unknown; data?: unknown };
  if (dtype !== "float32") throw new WireTensorError(`${path}/dtype`, `expected "float32", got ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new WireTensorError(`${path}/shape`, `expected a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(data)) throw new WireTensorError(`${path}/data`, "expected a flat list of numbers");
  const dims = shape as number[];
  if (data.length !== sizeOf(dims)) {
    throw new WireTensorError(`${path}/data`, `shape ${formatShape(dims)} needs ${sizeOf(dims)} values, got ${data.length}`);
  }
  const out = new Float32Array(data.length);
  for (let k = 0; k < data.length; k++) out[k] = wireFloatToNumber(data[k], `${path}/data/${k}`);
  return { shape: dims, data: out };
}
