/**
 * Exact transformations of cases and outputs that the hypotheses (and the fixture-anchored
 * properties) are built from. Weights are in Keras layout (spec/lstm.md §1): kernel (in, 4u),
 * recurrent_kernel (u, 4u), bias (4u), gate blocks i, f, c, o along the last axis.
 */
import type { CallInputs, LayerCase, LstmLayer, LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";

/** Keras's gate order along the last axis of every LSTM weight (spec/lstm.md §1). */
export const KERAS_GATE_ORDER = "ifco";

/**
 * Replaces every LSTM layer by `f(layer)`; null when `f` returns null for any of them (the
 * transformation does not apply to this case).
 */
export function mapLstmLayers(c: LayerCase, f: (layer: LstmLayer, lstmIndex: number) => LstmLayer | null): LayerCase | null {
  let lstmIndex = 0;
  const layers = [];
  for (const layer of c.layers) {
    if (layer.className !== "LSTM") {
      layers.push(layer);
      continue;
    }
    const mapped = f(layer, lstmIndex++);
    if (!mapped) return null;
    layers.push(mapped);
  }
  return { ...c, layers };
}

/** Replaces the weights of an LSTM layer. */
export function withWeights(layer: LstmLayer, weights: LstmWeights): LstmLayer {
  return { ...layer, weights };
}

/**
 * A (rows, 4u) weight whose gate block g is `pick(g)` of the original: gate blocks reordered,
 * duplicated or replaced. `pick` returns the source block index.
 */
export function pickBlocks(w: Tensor, units: number, pick: (gate: number) => number): Tensor {
  const cols = 4 * units;
  const rows = w.data.length / cols;
  const data = new Float32Array(w.data.length);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < 4; g++) {
      const from = pick(g);
      for (let j = 0; j < units; j++) data[r * cols + g * units + j] = w.data[r * cols + from * units + j]!;
    }
  }
  return { shape: w.shape, data };
}

/** The layer with gate block g of kernel, recurrent_kernel and bias taken from block `pick(g)` (see {@link pickBlocks}). */
export function withBlocksPicked(layer: LstmLayer, pick: (gate: number) => number): LstmLayer {
  const u = layer.config.units;
  const w = layer.weights;
  return withWeights(layer, {
    kernel: pickBlocks(w.kernel, u, pick),
    recurrent_kernel: pickBlocks(w.recurrent_kernel, u, pick),
    ...(w.bias ? { bias: pickBlocks(w.bias, u, pick) } : {}),
  });
}

/** Applies `f` to each (rows, u) gate block of a (rows, 4u) weight; `f` gets and returns row-major blocks. */
export function mapBlocks(w: Tensor, units: number, f: (block: Float32Array, rows: number) => Float32Array): Tensor {
  const cols = 4 * units;
  const rows = w.data.length / cols;
  const data = new Float32Array(w.data.length);
  for (let g = 0; g < 4; g++) {
    const block = new Float32Array(rows * units);
    for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) block[r * units + j] = w.data[r * cols + g * units + j]!;
    const out = f(block, rows);
    for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) data[r * cols + g * units + j] = out[r * units + j]!;
  }
  return { shape: w.shape, data };
}

/** Transpose of a square row-major (n, n) matrix. */
export function transposeSquare(m: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let r = 0; r < n; r++) for (let k = 0; k < n; k++) out[k * n + r] = m[r * n + k]!;
  return out;
}

/** A (rows, cols) tensor's buffer read as (cols, rows) row-major and transposed: "reshape instead of transpose". */
export function reshapeThenTranspose(w: Tensor): Tensor {
  const [rows, cols] = w.shape as [number, number];
  const data = new Float32Array(w.data.length);
  for (let r = 0; r < cols; r++) for (let k = 0; k < rows; k++) data[k * cols + r] = w.data[r * rows + k]!;
  return { shape: w.shape, data };
}

/** A tensor with every element mapped. */
export function mapTensor(t: Tensor, f: (v: number, index: number) => number): Tensor {
  return { shape: t.shape, data: Float32Array.from(t.data, f) };
}

/** Replaces every call's inputs by `f(call)`; null when `f` returns null for any call. */
export function mapCalls(c: LayerCase, f: (call: CallInputs, index: number) => CallInputs | null): LayerCase | null {
  const calls: CallInputs[] = [];
  for (const [k, call] of c.calls.entries()) {
    const mapped = f(call, k);
    if (!mapped) return null;
    calls.push(mapped);
  }
  return { ...c, calls };
}

/** Call inputs without `initialState` / `mask` (the field removed, not set to undefined). */
export function withoutField(call: CallInputs, field: "initialState" | "mask"): CallInputs {
  const { [field]: _removed, ...rest } = call;
  return rest;
}

/** Elements per time step of a (B, T, …) tensor (1 for a mask). */
const innerSize = (shape: readonly number[]): number => shape.slice(2).reduce((a, b) => a * b, 1);

/** Flips a (B, T, …) tensor (or mask) along its time axis. */
export function flipTime<T extends { readonly shape: readonly number[]; readonly data: Float32Array | Uint8Array }>(t: T): T {
  const [B, T] = t.shape as [number, number];
  const inner = innerSize(t.shape);
  const data = new (t.data.constructor as new (n: number) => T["data"])(t.data.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) data.set(t.data.subarray((b * T + s) * inner, (b * T + s + 1) * inner), (b * T + (T - 1 - s)) * inner);
  }
  return { ...t, shape: t.shape, data };
}

/** Two (B, T1, …) and (B, T2, …) tensors joined along time. */
export function concatTime(a: Tensor, b: Tensor): Tensor {
  const [B, T1] = a.shape as [number, number];
  const T2 = b.shape[1]!;
  const inner = innerSize(a.shape);
  const data = new Float32Array(B * (T1 + T2) * inner);
  for (let r = 0; r < B; r++) {
    data.set(a.data.subarray(r * T1 * inner, (r + 1) * T1 * inner), r * (T1 + T2) * inner);
    data.set(b.data.subarray(r * T2 * inner, (r + 1) * T2 * inner), (r * (T1 + T2) + T1) * inner);
  }
  return { shape: [B, T1 + T2, ...a.shape.slice(2)], data };
}

/** The time steps `[from, to)` of a (B, T, …) tensor. */
export function sliceTime<D extends Float32Array | Uint8Array>(t: { shape: readonly number[]; data: D }, from: number, to: number): { shape: number[]; data: D } {
  const [B, T] = t.shape as [number, number];
  const inner = innerSize(t.shape);
  const n = to - from;
  const data = new (t.data.constructor as new (n: number) => D)(B * n * inner);
  for (let b = 0; b < B; b++) data.set(t.data.subarray((b * T + from) * inner, (b * T + to) * inner), b * n * inner);
  return { shape: [B, n, ...t.shape.slice(2)], data };
}

/** Inserts `count` zero time steps at position `at` of a (B, T, …) tensor. */
export function insertZeroSteps(t: Tensor, at: number, count: number): Tensor {
  const [B, T] = t.shape as [number, number];
  const inner = innerSize(t.shape);
  const T2 = T + count;
  const data = new Float32Array(B * T2 * inner);
  for (let b = 0; b < B; b++) {
    data.set(t.data.subarray(b * T * inner, (b * T + at) * inner), b * T2 * inner);
    data.set(t.data.subarray((b * T + at) * inner, (b + 1) * T * inner), (b * T2 + at + count) * inner);
  }
  return { shape: [B, T2, ...t.shape.slice(2)], data };
}

/**
 * A (B, T, …) tensor (or mask) as an engine sees it that takes the buffer for time-major (T, B, …):
 * its row b, step t is the buffer's element t·B + b (`read`); or a (B, T, …) result such an engine
 * writes back time-major, element t·B + b holding row b, step t (`write`).
 */
export function timeMajor<T extends { readonly shape: readonly number[]; readonly data: Float32Array | Uint8Array }>(t: T, direction: "read" | "write"): T {
  const [B, T] = t.shape as [number, number];
  const inner = innerSize(t.shape);
  const data = t.data.slice() as T["data"];
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const batchMajor = (b * T + s) * inner;
      const timeMajorAt = (s * B + b) * inner;
      const [to, from] = direction === "read" ? [batchMajor, timeMajorAt] : [timeMajorAt, batchMajor];
      data.set(t.data.subarray(from, from + inner), to);
    }
  }
  return { ...t, shape: t.shape, data };
}
