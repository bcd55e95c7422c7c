/**
 * Element-wise comparison of an engine's tensor with Keras's (spec/tolerance.md §1).
 *
 * An element matches when both values are finite and `|a - e| <= atol + rtol·|e|`. The test is
 * written so that NaN cannot pass: a comparison with NaN is false, and we count an element as a
 * mismatch unless the "within tolerance" comparison is *true*.
 */
import type { Tolerance } from "./case.ts";
import { formatShape, sameShape, unravelIndex, type Tensor } from "./tensor.ts";

/** Below this |e| a relative error says nothing; atol governs there (spec/tolerance.md §2). */
const RELATIVE_ERROR_FLOOR = 1e-3;

export interface TensorComparison {
  /** Shapes agreed; when false nothing else is meaningful. */
  readonly shapeOk: boolean;
  readonly expectedShape: readonly number[];
  readonly actualShape: readonly number[];
  /** Number of elements outside the tolerance (NaN and ±Inf included). */
  readonly mismatches: number;
  /** Number of non-finite values the engine returned. */
  readonly nonFinite: number;
  /** Largest |a - e| over finite pairs; Infinity when a non-finite value was returned. */
  readonly maxAbs: number;
  /** Largest |a - e| / |e| over finite pairs with |e| ≥ 1e-3 (spec/tolerance.md §2: below, atol governs). */
  readonly maxRel: number;
  /** Multi-index of the element with the largest excess over its tolerance (or the first non-finite). */
  readonly worst: readonly number[] | null;
  /** Flat index of the first element (row-major) outside the tolerance, or -1. */
  readonly firstMismatch: number;
}

/** Whether `a` matches Keras's `e` (spec/tolerance.md §1): false for NaN and ±Inf. The one place the rule is written. */
export function withinTolerance(a: number, e: number, tol: Pick<Tolerance, "atol" | "rtol">): boolean {
  return Number.isFinite(a) && Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
}

/** How far `a` is outside the tolerance around `e`: ≤ 0 within it; Infinity for a non-finite `a`, the worst there is. */
export function toleranceExcess(a: number, e: number, tol: Pick<Tolerance, "atol" | "rtol">): number {
  return Number.isFinite(a) ? Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e)) : Infinity;
}

/** Compares `actual` with `expected` under `tol`. Never throws on bad data: it reports it. */
export function compareTensors(
  actual: { readonly shape: readonly number[]; readonly data: ArrayLike<number> },
  expected: Tensor,
  tol: Pick<Tolerance, "atol" | "rtol">,
): TensorComparison {
  const base = { expectedShape: expected.shape, actualShape: actual.shape };
  if (!sameShape(actual.shape, expected.shape) || actual.data.length !== expected.data.length) {
    return { ...base, shapeOk: false, mismatches: expected.data.length, nonFinite: 0, maxAbs: Infinity, maxRel: Infinity, worst: null, firstMismatch: 0 };
  }
  let mismatches = 0;
  let nonFinite = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let worstExcess = -Infinity;
  let worstFlat = -1;
  let firstMismatch = -1;
  for (let k = 0; k < expected.data.length; k++) {
    const a = actual.data[k]!;
    const e = expected.data[k]!;
    const diff = Math.abs(a - e);
    if (!Number.isFinite(a)) {
      nonFinite++;
      maxAbs = Infinity;
    } else {
      if (diff > maxAbs) maxAbs = diff;
      if (Math.abs(e) >= RELATIVE_ERROR_FLOOR && diff / Math.abs(e) > maxRel) maxRel = diff / Math.abs(e);
    }
    if (!withinTolerance(a, e, tol)) {
      mismatches++;
      if (firstMismatch < 0) firstMismatch = k;
    }
    const excess = toleranceExcess(a, e, tol);
    if (excess > worstExcess) {
      worstExcess = excess;
      worstFlat = k;
    }
  }
  return {
    ...base,
    shapeOk: true,
    mismatches,
    nonFinite,
    maxAbs,
    maxRel,
    worst: worstFlat >= 0 ? unravelIndex(worstFlat, expected.shape) : null,
    firstMismatch,
  };
}

/** One line for a report: `max abs 3.1e-2 at (0, 4, 1); 12 of 40 elements outside atol 1e-5 + rtol 1e-5`. */
export function describeComparison(c: TensorComparison, tol: Pick<Tolerance, "atol" | "rtol">): string {
  if (!c.shapeOk) return `shape ${formatShape(c.actualShape)} where Keras has ${formatShape(c.expectedShape)}`;
  const where = c.worst ? ` at (${c.worst.join(", ")})` : "";
  const nonFinite = c.nonFinite > 0 ? `; ${c.nonFinite} non-finite value(s)` : "";
  return `max abs ${c.maxAbs.toExponential(2)}${where}; ${c.mismatches} element(s) outside atol ${tol.atol} + rtol ${tol.rtol}${nonFinite}`;
}
