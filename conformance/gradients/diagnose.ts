/**
 * Diagnosis of a failing gradient case (spec/gradients.md §7.5), as conformance/diagnose.ts does for
 * outputs: each hypothesis of conformance/hypotheses/gradients/ predicts what an engine making one
 * backward-pass mistake returns; it explains the failure when the engine's gradients match that
 * prediction under the gradient rule (§6.3, the prediction standing in for Keras) while the
 * prediction itself fails against Keras (the mistake shows in this case). Of several, the closest
 * wins (ties: the earlier hypothesis) and those the case cannot tell apart from it are its
 * alternatives. First of all, a case whose JAX run disagrees with TensorFlow (§6.1, the X1 masking
 * divergence) is diagnosed `backend:jax` when the engine's gradients are JAX's.
 */
import { gradientHypotheses, type GradientHypothesis } from "../hypotheses/gradients/index.ts";
import type { Diagnosis } from "../verdict.ts";
import type { LayerCase, Tolerance } from "../case.ts";
import type { CallGradients, GradientAnswer, GradientCase } from "./case.ts";
import { compareGradients, type GradientJudgement } from "./compare.ts";

type AnyTensor = { readonly shape: readonly number[]; readonly data: ArrayLike<number> };

const f32 = (t: AnyTensor) => ({ shape: [...t.shape], data: Float32Array.from(t.data) });

/**
 * Judges `answers` against `expected` gradients under the gradient rule (§6.3) with `tol` — the
 * comparator of conformance/gradients/compare.ts with `expected` standing in for Keras's: a
 * hypothesis's prediction (here), or the relation a property checks (conformance/properties/gradient-properties.ts).
 */
export function compareWithGradients(c: LayerCase, tol: Tolerance, expected: readonly CallGradients<AnyTensor>[], answers: readonly GradientAnswer<AnyTensor>[]): GradientJudgement {
  const stand: GradientCase = {
    ...c,
    description: c.id,
    seed: 0,
    file: "(relation)",
    cotangents: [],
    tolerance: tol,
    backends: {},
    expected: expected.map((p) => ({
      outputs: [],
      layers: p.layers.map((l) => ({ layer: l.layer, kernel: f32(l.kernel), recurrent_kernel: f32(l.recurrent_kernel), ...(l.bias ? { bias: f32(l.bias) } : {}) })),
      x: f32(p.x),
      ...(p.initialState ? { initialState: p.initialState.map(f32) } : {}),
    })),
  };
  return compareGradients(stand, answers.map(({ outputs: _outputs, ...rest }) => rest));
}

const worstAbs = (j: GradientJudgement): number => j.checks.reduce((m, k) => Math.max(m, k.comparison?.maxAbs ?? Infinity), 0);

/** Whether `answers` are `predicted` under the gradient rule; the largest |difference| when they are. */
function matches(c: GradientCase, predicted: readonly CallGradients<AnyTensor>[], answers: readonly GradientAnswer<AnyTensor>[]): number | null {
  if (predicted.length !== c.expected.length) return null;
  const j = compareWithGradients(c, c.tolerance, predicted, answers);
  return j.pass ? worstAbs(j) : null;
}

/**
 * Whether a prediction computes nothing: every weight's and x's gradient within the case's tolerance
 * of 0 (as diagnose.ts `nothingComputed` for outputs). An engine that returns zeros is not "making
 * that mistake" — e.g. BPTT truncated to one step on a case whose last step is masked everywhere.
 */
function nothingComputed(c: GradientCase, predicted: readonly CallGradients<AnyTensor>[]): boolean {
  const zero = (t: AnyTensor): boolean => Array.prototype.every.call(t.data, (v: number) => Math.abs(v) <= c.tolerance.atol);
  return predicted.every((p) => zero(p.x) && p.layers.every((l) => zero(l.kernel) && zero(l.recurrent_kernel) && (!l.bias || zero(l.bias))));
}

interface Candidate {
  readonly h: GradientHypothesis;
  readonly predicted: readonly CallGradients<AnyTensor>[];
  readonly maxAbs: number;
}

/** The diagnosis of `answers` for `c`, or null when they pass or no known mistake explains them. */
export function diagnoseGradients(c: GradientCase, answers: readonly GradientAnswer<AnyTensor>[], hypotheses: readonly GradientHypothesis[] = gradientHypotheses): Diagnosis | null {
  if (compareGradients(c, answers).pass) return null;
  const jax = c.backends["jax"];
  if (jax && !jax.agrees && jax.gradients) {
    const m = matches(c, jax.gradients, answers);
    if (m !== null) return { hypothesis: "backend:jax", explanation: `your engine's gradients match Keras's on the JAX backend, which differs from TensorFlow's here: ${jax.note ?? "spec/gradients.md §6.1"}`, maxAbs: m };
  }
  const found: Candidate[] = [];
  for (const h of hypotheses) {
    let predicted: readonly CallGradients<AnyTensor>[] | null;
    try {
      predicted = h.predict(c);
    } catch {
      continue; // a hypothesis the case's options cannot express (an activation without a derivative, …)
    }
    if (predicted === null || compareGradients(c, predicted).pass || nothingComputed(c, predicted)) continue; // not observable in this case
    const m = matches(c, predicted, answers);
    if (m !== null) found.push({ h, predicted, maxAbs: m });
  }
  if (found.length === 0) return null;
  const best = found.reduce((a, b) => (b.maxAbs < a.maxAbs ? b : a));
  const alternatives = found.filter((k) => k !== best && matches(c, best.predicted, k.predicted) !== null).map((k) => k.h.id);
  return {
    hypothesis: best.h.id,
    explanation: `your engine's gradients match Keras's if ${best.h.explanation}`,
    maxAbs: best.maxAbs,
    ...(alternatives.length > 0 ? { alternatives } : {}),
  };
}
