/**
 * Diagnosis: when an engine fails a case, find the known porting mistake that explains its outputs.
 *
 * Each hypothesis (conformance/hypotheses/) predicts what an engine making one mistake returns,
 * computed by the float64 reference on a transformed case. A hypothesis explains the failure when
 * the engine's outputs match its prediction within the case's tolerance, while the prediction
 * itself differs from Keras's outputs (so the mistake is observable in this case). Of several, the
 * closest match wins; ties go to the earlier hypothesis. Hypotheses whose predictions equal the
 * winner's within the case's tolerance cannot be told apart on this case (e.g. bias-twice and
 * forget-bias-plus-one under Keras's default bias, zeros except the forget block = 1): they are
 * reported with it as `alternatives`, not silently dropped.
 */
import type { FixtureCase, LayerCase, Tolerance } from "./case.ts";
import { compareOutputs } from "./compare-outputs.ts";
import type { Engine, EngineOutputs } from "./engine.ts";
import { referenceEngine } from "./engines/reference.ts";
import { hypotheses as allHypotheses, type Hypothesis, type Oracle } from "./hypotheses/index.ts";
import type { Diagnosis } from "./verdict.ts";

/** Whether a diagnosis names `id`, as its hypothesis or as an equivalent alternative. */
export const diagnosisNames = (d: Diagnosis | null | undefined, id: string): boolean =>
  d !== null && d !== undefined && (d.hypothesis === id || (d.alternatives ?? []).includes(id));

/** The case's expected outputs, per call. */
const expectedOutputs = (c: FixtureCase): EngineOutputs => c.expected.map((e) => e.outputs);

/** Largest abs difference when every output of every call matches within `tol`; null otherwise. */
export function matchWithin(actual: EngineOutputs, predicted: EngineOutputs, tol: Pick<Tolerance, "atol" | "rtol">): number | null {
  const result = compareOutputs(actual, predicted, tol);
  return result.ok ? result.maxAbs : null;
}

/** The reference as an oracle, with its result for the untransformed case cached. */
function referenceOracle(oracleEngine: Engine): Oracle {
  const cache = new WeakMap<LayerCase, Promise<EngineOutputs>>();
  return (c: LayerCase) => {
    let result = cache.get(c);
    if (!result) {
      result = Promise.resolve().then(() => oracleEngine.run(c));
      cache.set(c, result);
    }
    return result;
  };
}

export interface DiagnoseOptions {
  /** The engine that computes predictions; the reference by default. */
  readonly oracle?: Engine;
  /** The hypotheses to try, in tie-breaking order; all of them by default. */
  readonly hypotheses?: readonly Hypothesis[];
}

/**
 * Explains a failing case, or returns null when no known mistake does. `engine` is the engine under
 * test (named in no prediction; kept so that future hypotheses may probe it).
 */
export async function diagnose(_engine: Engine, c: FixtureCase, actual: EngineOutputs, options: DiagnoseOptions = {}): Promise<Diagnosis | null> {
  const tol = c.tolerance;
  const expected = expectedOutputs(c);
  if (matchWithin(actual, expected, tol) !== null) return null; // nothing to explain
  const oracle = referenceOracle(options.oracle ?? referenceEngine);
  const candidates: { h: Hypothesis; predicted: EngineOutputs; maxAbs: number }[] = [];
  for (const h of options.hypotheses ?? allHypotheses) {
    let predicted: EngineOutputs | null;
    try {
      predicted = await h.predict(c, oracle);
    } catch {
      continue; // the transformed case is outside what the oracle computes: the hypothesis cannot be tested here
    }
    if (!predicted) continue;
    const maxAbs = matchWithin(actual, predicted, tol);
    if (maxAbs === null) continue;
    if (matchWithin(predicted, expected, tol) !== null) continue; // not observable in this case
    candidates.push({ h, predicted, maxAbs });
  }
  // Closest match wins; ties go to the earlier hypothesis (reduce keeps the first of equals).
  const best = candidates.reduce<(typeof candidates)[number] | null>((b, x) => (!b || x.maxAbs < b.maxAbs ? x : b), null);
  if (!best) return null;
  const equivalent = candidates.filter((x) => x !== best && matchWithin(x.predicted, best.predicted, tol) !== null).map((x) => x.h);
  const explanation = equivalent.length === 0
    ? best.h.explanation
    : `${best.h.explanation} — or equivalently (indistinguishable on this case): ${equivalent.map((h) => `${h.explanation} [${h.id}]`).join("; ")}`;
  return {
    hypothesis: best.h.id,
    explanation,
    maxAbs: best.maxAbs,
    ...(equivalent.length > 0 ? { alternatives: equivalent.map((h) => h.id) } : {}),
  };
}
