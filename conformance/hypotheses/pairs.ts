/**
 * Two mistakes at once (spec/adapter.md §4.2): which hypotheses make a pair, in which order they
 * compose, and the pair's prediction. A pair's prediction is the first hypothesis run with the second
 * standing in for the oracle, so it needs no LSTM math of its own either.
 */
import type { LayerCase } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import type { Hypothesis, Oracle } from "./hypothesis.ts";

/** Whether two hypotheses can be two mistakes of one engine: both pairable, nothing touched in common. */
export function compatiblePair(a: Hypothesis, b: Hypothesis): boolean {
  if (a === b || !a.touches || !b.touches || a.stage === undefined || b.stage === undefined) return false;
  return !a.touches.some((t) => b.touches!.includes(t));
}

/** The pair in composition order: lower stage first, then the order of `list` (so that each pair has one name). */
export function inOrder(a: Hypothesis, b: Hypothesis, list: readonly Hypothesis[]): [Hypothesis, Hypothesis] {
  const key = (h: Hypothesis): [number, number] => [h.stage ?? 0, list.indexOf(h)];
  const [ka, kb] = [key(a), key(b)];
  return ka[0] < kb[0] || (ka[0] === kb[0] && ka[1] <= kb[1]) ? [a, b] : [b, a];
}

/** The composition orders worth computing: stage order, and for two of one stage the other way round too (hypothesis.ts `STAGES`). */
export function compositionOrders(a: Hypothesis, b: Hypothesis, list: readonly Hypothesis[]): [Hypothesis, Hypothesis][] {
  const [first, second] = inOrder(a, b, list);
  return first.stage === second.stage ? [[first, second], [second, first]] : [[first, second]];
}

/**
 * `first` composed with `second`: `first` transforms the case (or the outputs), `second` predicts
 * what the oracle would compute for what `first` hands it. Where `second` does not apply to such a
 * case (a layer of a stack without the option it concerns), that part is computed as Keras would.
 */
export function composedPrediction(first: Hypothesis, second: Hypothesis, c: LayerCase, oracle: Oracle): Promise<EngineOutputs | null> {
  return first.predict(c, async (inner) => (await second.predict(inner, oracle)) ?? oracle(inner));
}
