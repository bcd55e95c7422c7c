/**
 * Every diagnosis hypothesis, in the order ties are broken: a Bidirectional's own mistakes first (they
 * apply only to a case with one, spec/bidirectional.md, and name what the wrapper does where a
 * mistake of its layers predicts the same outputs), then the options around the step (each
 * applies only to cases that use its option, so it is specific), then the layout mistakes porters
 * make most (gate order, kernel handling, bias), then the GRU's own step (reset convention, bias
 * rows, update), then activations. Each reads a layer's cell from its descriptor (conformance/cells.ts)
 * and applies to the cells where the mistake exists: the loop's to every cell, a gate order to the
 * cell whose blocks it permutes, the GRU's to the GRU.
 */
import type { Hypothesis } from "./hypothesis.ts";
import { gateOrderHypotheses } from "./gate-order.ts";
import { weightHypotheses } from "./weights.ts";
import { activationHypotheses } from "./activations.ts";
import { sequenceHypotheses } from "./sequence.ts";
import { maskHypotheses } from "./masks.ts";
import { gruHypotheses } from "./gru.ts";
import { bidirectionalHypotheses } from "./bidirectional.ts";

export { explanationOf, type Hypothesis, type Oracle } from "./hypothesis.ts";

export const hypotheses: readonly Hypothesis[] = [
  ...bidirectionalHypotheses,
  ...sequenceHypotheses,
  ...maskHypotheses,
  ...gateOrderHypotheses,
  ...weightHypotheses,
  ...gruHypotheses,
  ...activationHypotheses,
];

/** The hypothesis with this id, or undefined. */
export const hypothesisById = (id: string): Hypothesis | undefined => hypotheses.find((h) => h.id === id);
