/**
 * Every diagnosis hypothesis, in the order ties are broken: the options around the step first (each
 * applies only to cases that use its option, so it is specific), then the layout mistakes porters
 * make most (gate order, kernel handling, bias), then activations.
 */
import type { Hypothesis } from "./hypothesis.ts";
import { gateOrderHypotheses } from "./gate-order.ts";
import { weightHypotheses } from "./weights.ts";
import { activationHypotheses } from "./activations.ts";
import { sequenceHypotheses } from "./sequence.ts";
import { maskHypotheses } from "./masks.ts";

export type { Hypothesis, Oracle } from "./hypothesis.ts";

export const hypotheses: readonly Hypothesis[] = [
  ...sequenceHypotheses,
  ...maskHypotheses,
  ...gateOrderHypotheses,
  ...weightHypotheses,
  ...activationHypotheses,
];

/** The hypothesis with this id, or undefined. */
export const hypothesisById = (id: string): Hypothesis | undefined => hypotheses.find((h) => h.id === id);
