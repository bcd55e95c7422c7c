/**
 * Compares everything an engine returned for a case — every output of every call — with another
 * engine's (or Keras's) outputs, tensor by tensor under one tolerance (spec/tolerance.md §1).
 * Callers word the first difference for their own report; this file only finds it.
 */
import type { Tolerance } from "./case.ts";
import { compareTensors, type TensorComparison } from "./compare.ts";
import type { EngineOutputs } from "./engine.ts";
import type { Tensor } from "./tensor.ts";

/** The first thing that differs, in call order then output order. */
export type OutputsDifference =
  | { readonly kind: "calls"; readonly actual: number; readonly expected: number }
  | { readonly kind: "outputs"; readonly call: number; readonly actual: number; readonly expected: number }
  /** A call's result is not a list, or an output is not a tensor (engines are untrusted). */
  | { readonly kind: "malformed"; readonly call: number; readonly output?: number }
  | { readonly kind: "tensor"; readonly call: number; readonly output: number; readonly comparison: TensorComparison };

export type OutputsComparison =
  /** `maxAbs`: the largest absolute difference over every tensor. */
  | { readonly ok: true; readonly maxAbs: number }
  | { readonly ok: false; readonly difference: OutputsDifference };

/** Whether `actual` matches `expected` within `tol` (same number of calls and outputs); never throws on bad data. */
export function compareOutputs(actual: EngineOutputs, expected: EngineOutputs, tol: Pick<Tolerance, "atol" | "rtol">): OutputsComparison {
  const fail = (difference: OutputsDifference): OutputsComparison => ({ ok: false, difference });
  if (!Array.isArray(actual) || actual.length !== expected.length) {
    return fail({ kind: "calls", actual: Array.isArray(actual) ? actual.length : 0, expected: expected.length });
  }
  let maxAbs = 0;
  for (let call = 0; call < expected.length; call++) {
    const a = actual[call];
    const e = expected[call]!;
    if (!Array.isArray(a)) return fail({ kind: "malformed", call });
    if (a.length !== e.length) return fail({ kind: "outputs", call, actual: a.length, expected: e.length });
    for (let output = 0; output < e.length; output++) {
      const t: Tensor | undefined = a[output];
      if (!t || !Array.isArray(t.shape) || !t.data) return fail({ kind: "malformed", call, output });
      const comparison = compareTensors(t, e[output]!, tol);
      if (!comparison.shapeOk || comparison.mismatches > 0) return fail({ kind: "tensor", call, output, comparison });
      maxAbs = Math.max(maxAbs, comparison.maxAbs);
    }
  }
  return { ok: true, maxAbs };
}
