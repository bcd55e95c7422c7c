/**
 * Diagnosis: when an engine fails a case, find the known porting mistake — or the two — that explain
 * its outputs (spec/adapter.md §4.2).
 *
 * 1. **Keras's other backends.** When the fixture recorded a backend that disagrees with the canonical
 *    TensorFlow run (spec/fixture-format.md §4) and the engine's outputs match that backend's, that is
 *    the diagnosis: the engine follows, say, Keras on JAX, and the case still fails.
 * 2. **One mistake.** Each hypothesis (conformance/hypotheses/) predicts what an engine making one
 *    mistake returns, computed by the float64 reference on a transformed case. A hypothesis explains
 *    the failure when the engine's outputs match its prediction within the case's tolerance, while
 *    the prediction itself differs from Keras's outputs (so the mistake is observable in this case).
 *    Of several, the closest match wins; ties go to the earlier hypothesis. Each hypothesis reads the
 *    cell of every layer from its descriptor (conformance/cells.ts) and explains itself in that cell's
 *    words (`explanationOf`): an LSTM's [h0, c0], a GRU's [h0]. Hypotheses whose
 *    predictions equal the winner's within the case's tolerance cannot be told apart on this case
 *    (e.g. bias-twice and forget-bias-plus-one under Keras's default bias, zeros except the forget
 *    block = 1): they are reported with it as `alternatives`, not silently dropped.
 * 3. **Two mistakes.** Only when no single one explains the case: pairs of hypotheses that each
 *    apply here, at least one observable alone, and that are *compatible* — they touch different
 *    parts of an engine (`Hypothesis.touches`: a gate order and a dropped bias, not two gate orders)
 *    — composed in stage order (hypotheses/pairs.ts). Pairs are tried most promising first — by the
 *    rank of their closer member, the single prediction that agrees with the engine's outputs at
 *    the most elements — within a budget of work per case ({@link PAIR_BUDGET}), until one matches;
 *    of the pairs this case cannot tell apart from it, the one of earlier hypotheses is named and
 *    the others are its alternatives.
 */
import type { FixtureCase, LayerCase, RecurrentLayer, Tolerance } from "./case.ts";
import { withinTolerance } from "./compare.ts";
import { compareOutputs } from "./compare-outputs.ts";
import type { Engine, EngineOutputs } from "./engine.ts";
import type { Tensor } from "./tensor.ts";
import { referenceEngine } from "./engines/reference.ts";
import { sequenceLayers } from "./case.ts";
import { cellOf } from "./cells.ts";
import { explanationOf, hypotheses as allHypotheses, type Hypothesis, type Oracle } from "./hypotheses/index.ts";
import { compatiblePair, composedPrediction, compositionOrders, inOrder } from "./hypotheses/pairs.ts";
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

/** The reference as an oracle, with its result for each case object cached. */
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

/**
 * How much the search over pairs may do per failing case (spec/adapter.md §4.2). Counted in work, not
 * time, so that a diagnosis does not depend on how loaded the machine is: at most `evaluations`
 * pair predictions, and at most `multiplyAdds` of the reference's arithmetic (a 2000-step case
 * affords far fewer pairs than a 7-step one; a SimpleRNN step costs a quarter of an LSTM's). `ms` is a safety net for a slow oracle, not the budget.
 */
export interface PairBudget {
  readonly evaluations: number;
  readonly multiplyAdds: number;
  readonly ms: number;
}

export const PAIR_BUDGET: PairBudget = { evaluations: 200, multiplyAdds: 1.5e7, ms: 1000 };

export interface DiagnoseOptions {
  /** The engine that computes predictions; the reference by default. */
  readonly oracle?: Engine;
  /** The hypotheses to try, in tie-breaking order; all of them by default. */
  readonly hypotheses?: readonly Hypothesis[];
  /** The budget of the search over pairs of mistakes, per case (default {@link PAIR_BUDGET}); `evaluations: 0` turns it off. */
  readonly pairBudget?: PairBudget;
}

/** The id of a two-mistake diagnosis, `A + B`, in composition order (hypothesis ids hold no spaces). */
export function pairId(a: Hypothesis, b: Hypothesis, list: readonly Hypothesis[] = allHypotheses): string {
  const [first, second] = inOrder(a, b, list);
  return `${first.id} + ${second.id}`;
}

/**
 * The reference's multiply-adds for one run of `c`: B·T·n·u·(D + u) per recurrent layer and call,
 * n the blocks of the layer's cell (its descriptor: 4 for the LSTM, 3 for the GRU, 1 for the
 * SimpleRNN), D its input width.
 */
export function multiplyAddsOf(c: LayerCase): number {
  let total = 0;
  for (const call of c.calls) {
    const [B, T, D] = call.x.shape as [number, number, number];
    let inputDim = D;
    const cost = (l: RecurrentLayer): number => B * T * cellOf(l).blocks.length * l.config.units * (inputDim + l.config.units);
    for (const l of sequenceLayers(c)) {
      if (l.className === "Bidirectional") {
        // both layers read the same input; concat widens what the next layer reads (spec/bidirectional.md)
        total += cost(l.forward) + cost(l.backward);
        inputDim = l.config.merge_mode === "concat" ? l.forward.config.units + l.backward.config.units : l.forward.config.units;
        continue;
      }
      total += cost(l);
      inputDim = l.config.units;
    }
  }
  return total;
}

/** Every element of a case's outputs, calls and outputs concatenated in order. */
function flatten(outputs: EngineOutputs): Float64Array {
  const parts = outputs.flatMap((o) => o.map((t) => t.data));
  const flat = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    flat.set(p, at);
    at += p.length;
  }
  return flat;
}

/**
 * How far the engine's outputs are from what two mistakes would give if their effects simply
 * added up (a first-order guess, p_a + p_b − keras): the order in which pairs are tried. It costs no
 * oracle call, and the pair that explains the outputs is nearly always among the first few.
 */
function additiveDistance(actual: Float64Array, expected: Float64Array, a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = actual[i]! - (a[i]! + b[i]! - expected[i]!);
    sum += d * d;
  }
  return sum;
}

/**
 * Whether `predicted` matches the engine's outputs (flattened) element by element, stopping at the
 * first miss: the search over pairs rejects hundreds of predictions, nearly all at their first element.
 */
function matchesFlat(actual: Float64Array, predicted: EngineOutputs, tol: Pick<Tolerance, "atol" | "rtol">): boolean {
  let at = 0;
  for (const outputs of predicted) {
    for (const t of outputs) {
      if (at + t.data.length > actual.length) return false;
      for (let i = 0; i < t.data.length; i++) if (!withinTolerance(actual[at + i]!, t.data[i]!, tol)) return false;
      at += t.data.length;
    }
  }
  return at === actual.length;
}

/**
 * Whether a prediction is zeros everywhere (within the tolerance): then the case cannot tell the
 * mistake from an engine that computes nothing (a fully masked batch, a skipped single step), and
 * a trivial engine returning zeros must get no diagnosis.
 */
export function nothingComputed(predicted: EngineOutputs, tol: Pick<Tolerance, "atol" | "rtol">): boolean {
  return predicted.every((outputs) => outputs.every((t) => t.data.every((v) => withinTolerance(v, 0, tol))));
}

/** How close a single prediction comes to the engine's outputs: elements within tolerance, and the squared distance. */
function closenessTo(actual: Float64Array, predicted: Float64Array, tol: Pick<Tolerance, "atol" | "rtol">): { matching: number; squared: number } {
  let matching = 0;
  let squared = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = actual[i]! - predicted[i]!;
    squared += d * d;
    if (withinTolerance(actual[i]!, predicted[i]!, tol)) matching++;
  }
  return { matching, squared };
}

/** Whether `t` (untrusted) is a tensor whose data fills its shape, holding only finite values. */
function finiteTensor(t: Tensor | undefined): t is Tensor {
  if (!t || !Array.isArray(t.shape) || !t.data) return false;
  const shape: readonly number[] = t.shape;
  return t.data.length === shape.reduce((n, d) => n * d, 1) && t.data.every(Number.isFinite);
}

/**
 * Whether `actual` has, call by call, the shapes of `expected` — in any order: a port that returns
 * a Bidirectional's states backward first, of layers of other sizes (spec/bidirectional.md §5, §8),
 * returns the same tensors in another order — and only finite values: otherwise no prediction can match it.
 */
function comparable(actual: EngineOutputs, expected: EngineOutputs): boolean {
  if (!Array.isArray(actual) || actual.length !== expected.length) return false;
  const shapes = (outputs: readonly Tensor[]): string => outputs.map((t) => t.shape.join("x")).sort().join(",");
  return expected.every((outputs, call) => {
    const a = actual[call];
    return Array.isArray(a) && a.length === outputs.length && a.every(finiteTensor) && shapes(a) === shapes(outputs);
  });
}

/** A backend the fixture recorded as disagreeing with TensorFlow, whose outputs the engine matches. */
function recordedBackend(c: FixtureCase, actual: EngineOutputs, list: readonly Hypothesis[]): Diagnosis | null {
  for (const [backend, run] of Object.entries(c.backends)) {
    if (run.agrees || !run.outputs) continue;
    const maxAbs = matchWithin(actual, run.outputs, c.tolerance);
    if (maxAbs === null) continue;
    const known = list.find((h) => h.id === `backend:${backend}`);
    const what = known ? explanationOf(known, c) : `your engine follows Keras's ${backend} backend here${run.note ? ` (${run.note})` : ""}`;
    return {
      hypothesis: `backend:${backend}`,
      explanation: `${what}; its outputs are the ones the fixture recorded for Keras on ${backend} (spec/fixture-format.md §4)`,
      maxAbs,
    };
  }
  return null;
}

interface Single {
  readonly h: Hypothesis;
  readonly predicted: EngineOutputs;
  /** Whether the prediction differs from Keras's outputs: the mistake alone is observable in this case. */
  readonly observable: boolean;
  /** Null when the prediction does not match the engine's outputs. */
  readonly maxAbs: number | null;
}

/** Every hypothesis that applies to `c`, with its prediction. */
async function applicableSingles(c: FixtureCase, actual: EngineOutputs, expected: EngineOutputs, list: readonly Hypothesis[], oracle: Oracle): Promise<Single[]> {
  const singles: Single[] = [];
  for (const h of list) {
    let predicted: EngineOutputs | null;
    try {
      predicted = await h.predict(c, oracle);
    } catch {
      continue; // the transformed case is outside what the oracle computes: the hypothesis cannot be tested here
    }
    if (!predicted || nothingComputed(predicted, c.tolerance)) continue;
    const observable = matchWithin(predicted, expected, c.tolerance) === null;
    singles.push({ h, predicted, observable, maxAbs: observable ? matchWithin(actual, predicted, c.tolerance) : null });
  }
  return singles;
}

/** The best single-mistake diagnosis among `singles` for `c`, with its indistinguishable alternatives. */
function singleDiagnosis(c: FixtureCase, singles: readonly Single[], tol: Tolerance): Diagnosis | null {
  // an unobservable prediction equals Keras's outputs, which the engine's do not match: maxAbs is null
  const candidates = singles.filter((s): s is Single & { maxAbs: number } => s.maxAbs !== null);
  // Closest match wins; ties go to the earlier hypothesis (reduce keeps the first of equals).
  const best = candidates.reduce<(typeof candidates)[number] | null>((b, x) => (!b || x.maxAbs < b.maxAbs ? x : b), null);
  if (!best) return null;
  const equivalent = candidates.filter((x) => x !== best && matchWithin(x.predicted, best.predicted, tol) !== null).map((x) => x.h);
  const explanation = equivalent.length === 0
    ? explanationOf(best.h, c)
    : `${explanationOf(best.h, c)} — or equivalently (indistinguishable on this case): ${equivalent.map((h) => `${explanationOf(h, c)} [${h.id}]`).join("; ")}`;
  return {
    hypothesis: best.h.id,
    explanation,
    maxAbs: best.maxAbs,
    ...(equivalent.length > 0 ? { alternatives: equivalent.map((h) => h.id) } : {}),
  };
}

interface PairMatch {
  readonly predicted: EngineOutputs;
  readonly maxAbs: number;
  readonly order: [Hypothesis, Hypothesis];
}

/**
 * Searches pairs of compatible single mistakes, at least one of them observable alone, for one whose
 * composed prediction matches `actual`, most promising first, within `budget`.
 */
async function pairDiagnosis(c: FixtureCase, actual: EngineOutputs, expected: EngineOutputs, singles: readonly Single[], list: readonly Hypothesis[], oracle: Oracle, budget: PairBudget): Promise<Diagnosis | null> {
  const pairable = singles.filter((s) => s.h.touches && s.h.stage !== undefined);
  const [flatActual, flatExpected] = [flatten(actual), flatten(expected)];
  const flat = new Map(pairable.map((s) => [s, flatten(s.predicted)] as const));
  // Singles ranked by how close each alone comes to the engine's outputs: one of the two mistakes is
  // nearly always among the closest few, so pairs are tried by their closer member's rank first, then
  // by how far the outputs are from the two effects added up.
  const closeness = new Map(pairable.map((s) => [s, closenessTo(flatActual, flat.get(s)!, c.tolerance)] as const));
  const ranked = [...pairable].sort((x, y) => closeness.get(y)!.matching - closeness.get(x)!.matching || closeness.get(x)!.squared - closeness.get(y)!.squared);
  const pairs: { a: Single; b: Single; rank: number; additive: number }[] = [];
  for (const [rank, a] of ranked.entries()) {
    for (const b of ranked.slice(rank + 1)) {
      // one of the two may be invisible alone (Keras's JAX backend where Keras 3 drops the Masking
      // mask, which the other mistake applies), but not both
      if (!compatiblePair(a.h, b.h) || !(a.observable || b.observable)) continue;
      pairs.push({ a, b, rank, additive: additiveDistance(flatActual, flatExpected, flat.get(a)!, flat.get(b)!) });
    }
  }
  pairs.sort((p, q) => p.rank - q.rank || p.additive - q.additive);

  const cost = multiplyAddsOf(c);
  const deadline = performance.now() + budget.ms;
  let evaluations = 0;
  const exhausted = (): boolean => evaluations >= budget.evaluations || evaluations * cost >= budget.multiplyAdds || performance.now() > deadline;

  /** The composed prediction when it matches `actual` (tried both ways round for one stage), else null. */
  const tryPair = async (a: Hypothesis, b: Hypothesis): Promise<PairMatch | null> => {
    for (const order of compositionOrders(a, b, list)) {
      evaluations++;
      let predicted: EngineOutputs | null;
      try {
        predicted = await composedPrediction(order[0], order[1], c, oracle);
      } catch {
        continue; // outside what the oracle computes
      }
      if (!predicted || !matchesFlat(flatActual, predicted, c.tolerance) || nothingComputed(predicted, c.tolerance)) continue;
      const maxAbs = matchWithin(actual, predicted, c.tolerance);
      if (maxAbs !== null && matchWithin(predicted, expected, c.tolerance) === null) return { predicted, maxAbs, order: inOrder(a, b, list) };
    }
    return null;
  };

  for (const [k, { a, b }] of pairs.entries()) {
    if (exhausted()) return null;
    const found = await tryPair(a.h, b.h);
    if (!found) continue;
    // Other pairs may explain the case as well (a case too small to tell them apart): first those that
    // swap a member for a hypothesis indistinguishable from it here, then, while a fifth of the budget
    // lasts, the later pairs that share a member with it.
    const twins = (s: Single): Hypothesis[] => pairable.filter((x) => x !== s && matchWithin(x.predicted, s.predicted, c.tolerance) !== null).map((x) => x.h);
    const sharing = pairs.slice(k + 1).filter((p) => p.a === a || p.a === b || p.b === a || p.b === b).map((p) => [p.a.h, p.b.h] as const);
    const candidates = [...twins(a).map((t) => [t, b.h] as const), ...twins(b).map((t) => [a.h, t] as const), ...sharing];
    const equivalent: PairMatch[] = [found];
    const stop = evaluations + budget.evaluations / 5;
    for (const [x, y] of candidates) {
      if (exhausted() || evaluations >= stop) break;
      if (!compatiblePair(x, y) || equivalent.some((e) => pairId(...e.order, list) === pairId(x, y, list))) continue;
      const other = await tryPair(x, y);
      if (other && matchWithin(other.predicted, found.predicted, c.tolerance) !== null) equivalent.push(other);
    }
    // Of pairs the case cannot tell apart, the one of earlier hypotheses is named, as for one mistake
    // (a gate order before a slice offset).
    const place = (m: PairMatch): number[] => m.order.map((h) => list.indexOf(h)).sort((x, y) => x - y);
    const [named, ...others] = [...equivalent].sort((p, q) => place(p)[0]! - place(q)[0]! || place(p)[1]! - place(q)[1]!);
    const [first, second] = named!.order;
    return {
      hypothesis: pairId(first, second, list),
      explanation: `two mistakes: ${first.id} and ${second.id} — ${explanationOf(first, c)}; and ${explanationOf(second, c)}`,
      maxAbs: named!.maxAbs,
      mistakes: [first.id, second.id],
      ...(others.length > 0 ? { alternatives: others.map((m) => pairId(...m.order, list)) } : {}),
    };
  }
  return null;
}

/**
 * Explains a failing case, or returns null when no known mistake (or pair of them) does. `engine` is
 * the engine under test (named in no prediction; kept so that future hypotheses may probe it).
 */
export async function diagnose(_engine: Engine, c: FixtureCase, actual: EngineOutputs, options: DiagnoseOptions = {}): Promise<Diagnosis | null> {
  const expected = expectedOutputs(c);
  if (matchWithin(actual, expected, c.tolerance) !== null) return null; // nothing to explain
  // A wrong shape or a NaN matches no prediction: nothing to search (a harness mistake, not a porting one).
  if (!comparable(actual, expected)) return null;
  const list = options.hypotheses ?? allHypotheses;
  const backend = recordedBackend(c, actual, list);
  if (backend) return backend;
  const oracle = referenceOracle(options.oracle ?? referenceEngine);
  const singles = await applicableSingles(c, actual, expected, list, oracle);
  const single = singleDiagnosis(c, singles, c.tolerance);
  if (single) return single;
  const budget = options.pairBudget ?? PAIR_BUDGET;
  return budget.evaluations > 0 ? pairDiagnosis(c, actual, expected, singles, list, oracle, budget) : null;
}
