/**
 * Judges an engine's gradients against Keras's (spec/gradients.md §6.3): every gradient tensor of every
 * call must be there, with Keras's shape, and within the gradient rule — atol scaled by the tensor's
 * largest |e| (tolerance.ts) — element by element, NaN and ±Inf failing (compare.ts's rule, which
 * cannot pass NaN). A missing tensor, an extra one (a bias gradient for a layer without use_bias, a
 * layer the case does not have) or a wrong shape fails, named. Outputs, when the answer gives them,
 * are judged by the forward rule (spec/tolerance.md §1).
 */
import { compareTensors, describeComparison, type TensorComparison } from "../compare.ts";
import type { Tolerance } from "../case.ts";
import type { GradientAnswer, GradientCase } from "./case.ts";
import { scaledTolerance } from "./tolerance.ts";

type AnyTensor = { readonly shape: readonly number[]; readonly data: ArrayLike<number> };

export interface GradientTensorCheck {
  /** e.g. `call 0: layers[1].recurrent_kernel`, `call 1: x`, `call 0: initial_state[1]`, `call 0: outputs[0]`. */
  readonly name: string;
  readonly pass: boolean;
  /** The element-wise tolerance applied (atol already scaled for a gradient). */
  readonly tolerance: Pick<Tolerance, "atol" | "rtol">;
  /** Null when the tensor is missing or not expected. */
  readonly comparison: TensorComparison | null;
  /** What went wrong, in one line. */
  readonly problem?: string;
}

export interface GradientJudgement {
  readonly pass: boolean;
  readonly checks: readonly GradientTensorCheck[];
  /** One line: the first failing tensor and why, or how close the worst one came. */
  readonly summary: string;
}

function check(name: string, actual: AnyTensor | undefined, expected: AnyTensor & { readonly data: Float32Array }, tol: Pick<Tolerance, "atol" | "rtol">): GradientTensorCheck {
  if (actual === undefined) return { name, pass: false, tolerance: tol, comparison: null, problem: `${name}: missing (Keras has ${expected.data.length} values)` };
  const comparison = compareTensors(actual, expected, tol);
  const pass = comparison.shapeOk && comparison.mismatches === 0;
  return { name, pass, tolerance: tol, comparison, ...(pass ? {} : { problem: `${name}: ${describeComparison(comparison, tol)}` }) };
}

const extra = (name: string, tol: Pick<Tolerance, "atol" | "rtol">, why: string): GradientTensorCheck => ({ name, pass: false, tolerance: tol, comparison: null, problem: `${name}: ${why}` });

/** Compares one answer per call with the case's expected gradients. Never throws on bad data: it reports it. */
export function compareGradients(c: GradientCase, answers: readonly GradientAnswer<AnyTensor>[]): GradientJudgement {
  const checks: GradientTensorCheck[] = [];
  const tol = c.tolerance;
  if (answers.length !== c.expected.length) {
    checks.push(extra("answers", tol, `${answers.length} answer(s) for ${c.expected.length} call(s)`));
  }
  c.expected.forEach((e, n) => {
    const a = answers[n];
    if (a === undefined) return;
    const at = `call ${n}: `;
    const g = (name: string, actual: AnyTensor | undefined, expected: AnyTensor & { readonly data: Float32Array }): void => {
      checks.push(check(at + name, actual, expected, scaledTolerance(expected.data, tol)));
    };
    for (const [k, el] of e.layers.entries()) {
      const al = a.layers.find((l) => l.layer === el.layer);
      const where = `layers[${el.layer}]`;
      if (al === undefined) {
        checks.push(extra(`${at}${where}`, tol, "missing: no gradients for this recurrent layer"));
        continue;
      }
      g(`${where}.kernel`, al.kernel, el.kernel);
      g(`${where}.recurrent_kernel`, al.recurrent_kernel, el.recurrent_kernel);
      if (el.bias) g(`${where}.bias`, al.bias, el.bias);
      else if (al.bias !== undefined) checks.push(extra(`${at}${where}.bias`, tol, "given, but the layer has no bias (use_bias=False)"));
      void k;
    }
    for (const al of a.layers) {
      if (!e.layers.some((l) => l.layer === al.layer)) checks.push(extra(`${at}layers[${al.layer}]`, tol, "given, but the case has no recurrent layer there"));
    }
    g("x", a.x, e.x);
    if (e.initialState) {
      e.initialState.forEach((s, k) => g(`initial_state[${k}]`, a.initialState?.[k], s));
      if (a.initialState && a.initialState.length > e.initialState.length) checks.push(extra(`${at}initial_state`, tol, `${a.initialState.length} tensors, Keras has ${e.initialState.length}`));
    } else if (a.initialState !== undefined && a.initialState.length > 0) {
      checks.push(extra(`${at}initial_state`, tol, "given, but the layer starts from zeros, a constant (spec/gradients.md §3.4)"));
    }
    // The forward, when given, by the forward rule (unscaled).
    a.outputs?.forEach((o, k) => {
      const eo = e.outputs[k];
      if (eo === undefined) checks.push(extra(`${at}outputs[${k}]`, tol, `the model returns ${e.outputs.length} tensor(s)`));
      else checks.push(check(`${at}outputs[${k}]`, o, eo, tol));
    });
  });
  const failed = checks.filter((k) => !k.pass);
  const worst = checks.reduce<GradientTensorCheck | undefined>((w, k) => (k.comparison && (!w?.comparison || k.comparison.maxAbs / (k.tolerance.atol || 1) > w.comparison.maxAbs / (w.tolerance.atol || 1)) ? k : w), undefined);
  const summary =
    failed.length > 0
      ? `${failed.length} gradient tensor(s) outside the tolerance; first: ${failed[0]!.problem!}`
      : `every gradient within tolerance${worst?.comparison ? ` (closest: ${worst.name}, max abs ${worst.comparison.maxAbs.toExponential(2)} against atol ${worst.tolerance.atol.toExponential(2)})` : ""}`;
  return { pass: failed.length === 0 && checks.length > 0, checks, summary };
}
