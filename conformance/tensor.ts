/**
 * Tensors as every part of the suite exchanges them: a shape and row-major data in a typed array
 * (DESIGN.md "The promises between parts"). This module owns shape arithmetic and shape checks.
 */

/** A float tensor. Engines receive Float32Array data; the reference works in Float64Array. */
export interface Tensor<D extends Float32Array | Float64Array = Float32Array> {
  readonly shape: readonly number[];
  readonly data: D;
}

/** A boolean tensor (a mask): 1 = the step is valid, 0 = masked (spec/lstm.md, masking). */
export interface BoolTensor {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** Number of elements a shape holds. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Whether two shapes are equal, dimension by dimension. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Formats a shape the way numpy prints it: `(2, 3, 4)`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Builds a float32 tensor, checking that the data fills the shape. */
export function tensor(shape: readonly number[], data: ArrayLike<number>): Tensor {
  if (data.length !== sizeOf(shape)) {
    throw new RangeError(`tensor of shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${data.length}`);
  }
  return { shape: [...shape], data: Float32Array.from(data) };
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return strides;
}

/** The multi-index of flat position `flat` in a row-major tensor of `shape`. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  return stridesOf(shape).map((stride, i) => Math.floor(flat / stride) % shape[i]!);
}
