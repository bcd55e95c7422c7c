/**
 * Judges a gradient mutant on gradient cases (spec/gradients.md §7.5), in the terms of the forward
 * gallery (../kill-rate.ts `MutantVerdict`, so `killRateTable` and `rateLine` print both): killed when
 * a case fails; the diagnosis checked on a sample of failing cases spread over families, *right* when
 * it names the expected hypothesis (or lists it as an alternative), *wrong* when it names another
 * where the expected one was observable, *not expressible* otherwise.
 */
import type { GradientCase } from "../../gradients/case.ts";
import { compareGradients } from "../../gradients/compare.ts";
import { diagnoseGradients } from "../../gradients/diagnose.ts";
import { gradientHypothesisById } from "../../hypotheses/gradients/index.ts";
import { diagnosisNames } from "../../diagnose.ts";
import type { MutantVerdict } from "../kill-rate.ts";
import type { GradientMutantEntry } from "./gallery.ts";

const familyOf = (id: string): string => id.split("/").slice(0, 3).join("/");

/** Whether `id`'s prediction differs from Keras's gradients on `c` (the mistake shows there). */
function observable(id: string, c: GradientCase): boolean {
  const p = gradientHypothesisById(id)?.predict(c) ?? null;
  return p !== null && !compareGradients(c, p).pass;
}

export async function judgeGradientMutant(m: GradientMutantEntry, cases: readonly GradientCase[], sample: number): Promise<MutantVerdict> {
  const failing: GradientCase[] = [];
  let errors = 0;
  let passed = 0;
  for (const c of cases) {
    try {
      if (compareGradients(c, await m.engine.gradients(c)).pass) passed++;
      else failing.push(c);
    } catch {
      errors++;
    }
  }
  const seen = new Set<string>();
  const first = failing.filter((c) => !seen.has(familyOf(c.id)) && seen.add(familyOf(c.id)));
  const ordered = [...first, ...failing.filter((c) => !first.includes(c))].slice(0, sample);
  let right = 0;
  let notExpressible = 0;
  const wrong: Record<string, string> = {};
  for (const c of ordered) {
    const d = diagnoseGradients(c, await m.engine.gradients(c));
    if (diagnosisNames(d, m.expectedHypothesis)) right++;
    else if (observable(m.expectedHypothesis, c)) wrong[c.id] = d?.hypothesis ?? "none";
    else notExpressible++;
  }
  return {
    name: m.name,
    expectedHypothesis: m.expectedHypothesis,
    cases: cases.length,
    failed: failing.length,
    errors,
    passed,
    killed: failing.length + errors > 0,
    diagnosed: ordered.length,
    right,
    wrong,
    notExpressible,
  };
}
