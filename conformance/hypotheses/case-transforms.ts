/**
 * Exact transformations of cases and outputs that the hypotheses (and the fixture-anchored
 * properties) are built from. Weights are in Keras layout: kernel (in, n·u), recurrent_kernel
 * (u, n·u) and the bias, `n` gate blocks of `u` columns along the last axis — n and the blocks'
 * order are the cell's (its descriptor, conformance/cells.ts: LSTM i, f, c, o, spec/lstm.md §1;
 * GRU z, r, h, spec/gru.md §1.2, its (2, 3u) bias one row per side; SimpleRNN one block,
 * spec/simple-rnn.md §1.2).
 */
import { cellLayers, type CallInputs, type LayerCase, type RecurrentConfig, type RecurrentLayer } from "../case.ts";
import { CELLS, cellOf, type CellClassName, type CellDescriptor } from "../cells.ts";
import type { Tensor } from "../tensor.ts";

/** Keras's gate order along the last axis of every LSTM weight (spec/lstm.md §1), as the LSTM's descriptor has it: "ifco". */
export const KERAS_GATE_ORDER: string = CELLS.LSTM.blocks.join("");

/** A recurrent layer of the cell named `K` (`LayerOf<"GRU">` is `GruLayer`). */
export type LayerOf<K extends CellClassName> = Extract<RecurrentLayer, { readonly className: K }>;

/** Every cell's class name. */
export const ALL_CELLS: readonly CellClassName[] = ["LSTM", "GRU", "SimpleRNN"];

/** Whether `layer` is a layer of one of `cells`. */
const isLayerOf = <K extends CellClassName>(layer: { readonly className: string }, cells: readonly K[]): layer is LayerOf<K> =>
  (cells as readonly string[]).includes(layer.className);

/**
 * Replaces every layer of the cells `cells` by `f(layer)`, other layers kept; null when `f` returns
 * null for any of them, or when the case has no layer of those cells (a mistake in a cell the case
 * does not use predicts nothing). A Bidirectional's two layers are reached too, forward then
 * backward (spec/bidirectional.md): a port that misreads a cell's weights or options misreads them
 * in both directions.
 */
export function mapLayersOf<K extends CellClassName>(c: LayerCase, cells: readonly K[], f: (layer: LayerOf<K>, index: number) => LayerOf<K> | null): LayerCase | null {
  let index = 0;
  let refused = false;
  const map = <L extends RecurrentLayer>(layer: L): L => {
    if (refused || !isLayerOf(layer, cells)) return layer;
    const mapped = f(layer, index++);
    if (!mapped) refused = true;
    return (mapped ?? layer) as unknown as L;
  };
  const layers = c.layers.map((layer) => {
    if (layer.className === "Masking") return layer;
    if (layer.className === "Bidirectional") return { ...layer, forward: map(layer.forward), backward: map(layer.backward) };
    return map(layer);
  });
  return index === 0 || refused ? null : { ...c, layers };
}

/** The recurrent layers of `c` of the cells `cells`, in order, a Bidirectional's two included. */
export const layersOf = <K extends CellClassName>(c: LayerCase, cells: readonly K[]): LayerOf<K>[] => cellLayers(c).filter((l): l is LayerOf<K> => isLayerOf(l, cells));

/** The descriptor of the case's first recurrent layer (a Bidirectional's forward one): whose words an explanation uses (a stack mixing cells is named after its first). */
export function firstCell(c: LayerCase): CellDescriptor | undefined {
  const first = cellLayers(c)[0];
  return first ? cellOf(first) : undefined;
}

/** How many gate blocks the layer's weights have (its cell's descriptor: LSTM 4, GRU 3, SimpleRNN 1). */
export const blockCount = (layer: RecurrentLayer): number => cellOf(layer).blocks.length;

/** The layer with some config keys replaced (Keras's names, spec/lstm.md §3.13). */
export function withConfig<L extends RecurrentLayer>(layer: L, patch: Partial<RecurrentConfig>): L {
  return { ...layer, config: { ...layer.config, ...patch } };
}

/** Replaces the weights of a recurrent layer. */
export function withWeights<L extends RecurrentLayer>(layer: L, weights: L["weights"]): L {
  return { ...layer, weights };
}

/**
 * A (rows, 4u) weight whose gate block g is `pick(g)` of the original: gate blocks reordered,
 * duplicated or replaced. `pick` returns the source block index. `blocks` is the cell's number of
 * blocks (4, an LSTM's, by default); a GRU bias (2, 3u) is two rows like any other.
 */
export function pickBlocks(w: Tensor, units: number, pick: (gate: number) => number, blocks = 4): Tensor {
  const cols = blocks * units;
  const rows = w.data.length / cols;
  const data = new Float32Array(w.data.length);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < blocks; g++) {
      const from = pick(g);
      for (let j = 0; j < units; j++) data[r * cols + g * units + j] = w.data[r * cols + from * units + j]!;
    }
  }
  return { shape: w.shape, data };
}

/** The layer with gate block g of kernel, recurrent_kernel and bias taken from block `pick(g)` (see {@link pickBlocks}); blocks as the layer's cell has them. */
export function withBlocksPicked<L extends RecurrentLayer>(layer: L, pick: (gate: number) => number): L {
  const u = layer.config.units;
  const n = blockCount(layer);
  const w = layer.weights;
  return withWeights(layer, {
    kernel: pickBlocks(w.kernel, u, pick, n),
    recurrent_kernel: pickBlocks(w.recurrent_kernel, u, pick, n),
    ...(w.bias ? { bias: pickBlocks(w.bias, u, pick, n) } : {}),
  });
}

/** Applies `f` to each (rows, u) gate block of a (rows, n·u) weight (n = `blocks`, 4 by default); `f` gets and returns row-major blocks. */
export function mapBlocks(w: Tensor, units: number, f: (block: Float32Array, rows: number) => Float32Array, blocks = 4): Tensor {
  const cols = blocks * units;
  const rows = w.data.length / cols;
  const data = new Float32Array(w.data.length);
  for (let g = 0; g < blocks; g++) {
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
