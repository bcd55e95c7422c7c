/**
 * A gradient mutant as an engine (spec/gradients.md §7.2): the reference's forward, so every forward
 * case passes and only gradient cases tell the mutant apart, and a backward pass with one mistake —
 * the reference's BPTT with one flaw (conformance/hypotheses/gradients/bptt-variant.ts) or its
 * answer returned the wrong way (answer-transforms.ts). It declares what the reference declares
 * that the reference's gradients implement, plus `gradients`.
 */
import { referenceEngine } from "../../engines/reference.ts";
import type { Engine, EngineGradients, Feature } from "../../engine.ts";
import { GRADIENTS_FEATURE } from "../../features.ts";
import type { GradientRequest } from "../../gradients/case.ts";
import { variantGradients, type BpttFlaws } from "../../hypotheses/gradients/bptt-variant.ts";

/** The reference's features but the Bidirectional (its gradients are not in gradient format 1, §3.6), plus `gradients`. */
export const gradientMutantFeatures: readonly Feature[] = [...new Set([...referenceEngine.features.filter((f) => f !== "bidirectional"), GRADIENTS_FEATURE])];

/** An engine whose gradients are `answer`'s; `flaws`: the BPTT's, when the mistake is one of the loop or the cell. */
export interface GradientMutantEngine extends Engine {
  gradients(req: GradientRequest): EngineGradients;
  readonly flaws?: BpttFlaws;
}

export function gradientMutant(name: string, answer: (req: GradientRequest) => EngineGradients, flaws?: BpttFlaws): GradientMutantEngine {
  return { name: `mutant:gradients/${name}`, version: "1.0.0", features: gradientMutantFeatures, run: (c) => referenceEngine.run(c), gradients: answer, ...(flaws ? { flaws } : {}) };
}

/** A mutant whose mistake is in the BPTT itself. */
export const bpttMutant = (name: string, flaws: BpttFlaws): GradientMutantEngine => gradientMutant(name, (req) => variantGradients(req, flaws), flaws);
