/**
 * Gate-block helpers shared by every converter (spec/porting.md §1). An LSTM stacks its four gate
 * blocks, each `units` wide, along one axis of each weight tensor; frameworks differ only in the
 * order of the blocks, in which axis holds them (Keras: the last; PyTorch, ONNX, cuDNN: the first)
 * and in how the bias is split. These helpers do the block moves and the shape checks, so that
 * every converter is a short list of named steps.
 */
import { formatShape, sameShape, sizeOf, type Tensor } from "../tensor.ts";

/** The four LSTM gates under Keras's names (spec/lstm.md §1 (weights)); `c` is the cell candidate (PyTorch `g`, TF1 `j`). */
export type Gate = "i" | "f" | "c" | "o";

/** An order of the four gate blocks, first block first. */
export type GateOrder = readonly [Gate, Gate, Gate, Gate];

/** Keras, tfjs, PyTorch, cuDNN and TFLite order (spec/porting.md §1). */
export const IFCO: GateOrder = ["i", "f", "c", "o"];
/** ONNX `LSTM` order `iofc`. */
export const IOFC: GateOrder = ["i", "o", "f", "c"];
/** Keras 1 per-gate list order and TF1 `LSTMCell` / `LSTMBlockCell` order `i, j, f, o`. */
export const ICFO: GateOrder = ["i", "c", "f", "o"];
/** ROCm MIOpen order. */
export const IFOC: GateOrder = ["i", "f", "o", "c"];

/** A conversion input that does not have the shape it must have. Names the tensor and the shape expected. */
export class WeightShapeError extends Error {
  constructor(tensorName: string, expected: string, actual: readonly number[]) {
    super(`${tensorName}: expected shape ${expected}, got ${formatShape(actual)}`);
    this.name = "WeightShapeError";
  }
}

/** Throws a {@link WeightShapeError} unless `t` has exactly `shape`. */
export function expectShape(t: Tensor, shape: readonly number[], tensorName: string): void {
  if (!sameShape(t.shape, shape) || t.data.length !== sizeOf(shape)) {
    throw new WeightShapeError(tensorName, formatShape(shape), t.shape);
  }
}

/** Throws unless `t` has `rank` dimensions and `axis` is 4·units long; returns `units`. */
export function unitsFromGateAxis(t: Tensor, rank: number, axis: number, tensorName: string, expected: string): number {
  const len = t.shape[axis];
  if (t.shape.length !== rank || len === undefined || len === 0 || len % 4 !== 0 || t.data.length !== sizeOf(t.shape)) {
    throw new WeightShapeError(tensorName, expected, t.shape);
  }
  return len / 4;
}

/** Position of each gate of `to` in `from`: block k of the result is block `perm[k]` of the input. */
export function gatePermutation(from: GateOrder, to: GateOrder): number[] {
  return to.map((g) => {
    const k = from.indexOf(g);
    if (k < 0 || new Set(from).size !== 4) throw new Error(`gate order ${from.join("")} is not a permutation of ifco`);
    return k;
  });
}

/**
 * Reorders the four gate blocks of `t` along `axis` from order `from` to order `to`. Pure; returns a
 * new tensor. Works for any rank (a bias, a kernel, ONNX's [dir, 4H, in]).
 */
export function reorderGates(t: Tensor, axis: number, from: GateOrder, to: GateOrder): Tensor {
  const perm = gatePermutation(from, to);
  const shape = t.shape;
  const len = shape[axis]!;
  const units = len / 4;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Float32Array(t.data.length);
  const blockSize = units * inner;
  for (let a = 0; a < outer; a++) {
    const base = a * len * inner;
    for (let k = 0; k < 4; k++) {
      const src = base + perm[k]! * blockSize;
      out.set(t.data.subarray(src, src + blockSize), base + k * blockSize);
    }
  }
  return { shape: [...shape], data: out };
}

/** Transpose of a matrix (rows, cols) → (cols, rows). */
export function transpose2d(t: Tensor): Tensor {
  const [rows, cols] = t.shape as [number, number];
  const out = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c]!;
  return { shape: [cols, rows], data: out };
}

/** Element-wise float32 sum of two same-shaped tensors (a lossy step: the parts cannot be recovered). */
export function addTensors(a: Tensor, b: Tensor): Tensor {
  const out = new Float32Array(a.data.length);
  for (let k = 0; k < out.length; k++) out[k] = a.data[k]! + b.data[k]!;
  return { shape: [...a.shape], data: out };
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return { shape: [...shape], data: new Float32Array(sizeOf(shape)) };
}

/**
 * Concatenates tensors along the first axis; every other dimension must be equal, and the result
 * keeps them: (a, …rest) + (b, …rest) → (a + b, …rest).
 */
export function concatFirstAxis(parts: readonly Tensor[]): Tensor {
  if (parts.length === 0) throw new RangeError("concatFirstAxis: nothing to concatenate");
  const rest = parts[0]!.shape.slice(1);
  parts.forEach((p, k) => {
    if (p.shape.length === 0 || p.shape.length !== rest.length + 1 || p.shape.slice(1).some((d, i) => d !== rest[i])) {
      throw new WeightShapeError(`part ${k}`, `(n, ${rest.join(", ")})`, p.shape);
    }
  });
  const total = parts.reduce((n, p) => n + p.shape[0]!, 0);
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { shape: [total, ...rest], data };
}

/** Slice `index` of the first axis: `t[index]`. */
export function takeFirstAxis(t: Tensor, index: number): Tensor {
  const rest = t.shape.slice(1);
  const n = sizeOf(rest);
  return { shape: rest, data: t.data.slice(index * n, (index + 1) * n) };
}

/** Splits the last axis of a rank-2 tensor (rows, k·w) into k column blocks (rows, w). */
export function splitColumns(t: Tensor, k: number): Tensor[] {
  const [rows, cols] = t.shape as [number, number];
  const w = cols / k;
  return Array.from({ length: k }, (_, b) => {
    const out = new Float32Array(rows * w);
    for (let r = 0; r < rows; r++) out.set(t.data.subarray(r * cols + b * w, r * cols + (b + 1) * w), r * w);
    return { shape: [rows, w], data: out };
  });
}

/** Joins rank-2 column blocks (rows, w_k) side by side into (rows, Σw_k). Inverse of {@link splitColumns}. */
export function joinColumns(blocks: readonly Tensor[]): Tensor {
  const rows = blocks[0]!.shape[0]!;
  const cols = blocks.reduce((n, b) => n + b.shape[1]!, 0);
  const out = new Float32Array(rows * cols);
  let offset = 0;
  for (const b of blocks) {
    const w = b.shape[1]!;
    for (let r = 0; r < rows; r++) out.set(b.data.subarray(r * w, (r + 1) * w), r * cols + offset);
    offset += w;
  }
  return { shape: [rows, cols], data: out };
}

/** Splits a rank-1 tensor into k equal parts. */
export function splitVector(t: Tensor, k: number): Tensor[] {
  const w = t.shape[0]! / k;
  return Array.from({ length: k }, (_, b) => ({ shape: [w], data: t.data.slice(b * w, (b + 1) * w) }));
}

/** Concatenates rank-1 tensors. */
export function joinVectors(parts: readonly Tensor[]): Tensor {
  return concatFirstAxis(parts);
}

/**
 * How to spread one Keras bias over a framework's two biases (input-side and recurrent-side), whose
 * sum is what the math uses (spec/porting.md §2):
 * - `"input"`: all of it on the input side, zeros on the recurrent side (Keras's torch backend, keras2onnx, tf2onnx);
 * - `"recurrent"`: all of it on the recurrent side (what tf-keras's cuDNN path does);
 * - `"half"`: `0.5·b` on each side (tf-keras's HDF5 loader for `CuDNNLSTM`); exact in float32 except
 *   for subnormal values, whose halves round.
 */
export type BiasSplit = "input" | "recurrent" | "half";

/** Splits one bias into `[inputSide, recurrentSide]` by `policy`. */
export function splitBias(bias: Tensor, policy: BiasSplit): [Tensor, Tensor] {
  const none = zeros(bias.shape);
  if (policy === "input") return [{ shape: [...bias.shape], data: bias.data.slice() }, none];
  if (policy === "recurrent") return [none, { shape: [...bias.shape], data: bias.data.slice() }];
  const half: Tensor = { shape: [...bias.shape], data: bias.data.map((v) => v * 0.5) };
  return [half, { shape: [...bias.shape], data: half.data.slice() }];
}

/** Stacks same-shaped tensors along a new first axis: n × shape → [n, ...shape]. */
export function stackTensors(parts: readonly Tensor[]): Tensor {
  // each part gains a leading axis of 1, so that concatenating them adds that axis
  return concatFirstAxis(parts.map((p) => ({ shape: [1, ...p.shape], data: p.data })));
}

/**
 * Reorders the `n` equal blocks of `t` along `axis`: block k of the result is block `perm[k]` of the
 * input. The cell-generic form of {@link reorderGates} (a GRU's three blocks, spec/porting.md §14).
 */
export function reorderBlocks(t: Tensor, axis: number, perm: readonly number[]): Tensor {
  const n = perm.length;
  const shape = t.shape;
  const len = shape[axis]!;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Float32Array(t.data.length);
  const blockSize = (len / n) * inner;
  for (let a = 0; a < outer; a++) {
    const base = a * len * inner;
    for (let k = 0; k < n; k++) {
      const src = base + perm[k]! * blockSize;
      out.set(t.data.subarray(src, src + blockSize), base + k * blockSize);
    }
  }
  return { shape: [...shape], data: out };
}

/** Throws unless `t` has `rank` dimensions and `axis` is a positive multiple of `n` long; returns the block width (units). */
export function unitsFromBlockAxis(t: Tensor, rank: number, axis: number, n: number, tensorName: string, expected: string): number {
  const len = t.shape[axis];
  if (t.shape.length !== rank || len === undefined || len === 0 || len % n !== 0 || t.data.length !== sizeOf(t.shape)) {
    throw new WeightShapeError(tensorName, expected, t.shape);
  }
  return len / n;
}

/** Rows `[from, to)` of a rank-2 tensor. */
export function takeRows(t: Tensor, from: number, to: number): Tensor {
  const cols = t.shape[1]!;
  return { shape: [to - from, cols], data: t.data.slice(from * cols, to * cols) };
}

/** Stacks rank-2 tensors of equal width on top of each other: (a, w) + (b, w) → (a + b, w). */
export function joinRows(parts: readonly Tensor[]): Tensor {
  return concatFirstAxis(parts);
}
