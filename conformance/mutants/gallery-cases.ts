/**
 * The cases the mutant gallery is judged on: the Keras fixture corpus (Keras is the oracle), plus
 * generated cases whose expected outputs the reference computes, so that every option a mutant
 * breaks is exercised even where the corpus has no case for it yet. Generated cases say so in
 * their id (`generated/…`) and tolerance source.
 */
import { existsSync } from "node:fs";
import fc from "fast-check";
import type { FixtureCase } from "../case.ts";
import { referenceEngine } from "../engines/reference.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { buildCase, caseSpecArbitrary } from "../properties/arbitraries.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";

/** `count` random cases with reference-computed expected outputs. */
export async function generatedCases(count: number, seed: number): Promise<FixtureCase[]> {
  const specs = fc.sample(caseSpecArbitrary({ features: referenceEngine.features }), { numRuns: count, seed });
  const cases: FixtureCase[] = [];
  for (const [k, spec] of specs.entries()) {
    const c = { ...buildCase(spec), id: `generated/gallery/${String(k).padStart(3, "0")}` };
    const outputs = await referenceEngine.run(c);
    cases.push({
      ...c,
      description: `generated case ${k} (seed ${spec.seed})`,
      seed: spec.seed,
      file: "(generated)",
      tolerance: { ...BASE_TOLERANCE, source: "generated: expected outputs computed by the reference" },
      expected: outputs.map((o) => ({ outputs: o, steps: [] })),
      backends: {},
    });
  }
  return cases;
}

/** The fixture corpus under `dir` (empty when it is absent); load errors are returned, not hidden. */
export function corpusCases(dir: string): { cases: FixtureCase[]; errors: readonly unknown[] } {
  if (!existsSync(dir)) return { cases: [], errors: [] };
  const r = loadFixtureDir(dir);
  return { cases: r.cases, errors: r.errors };
}

/** The cases of LSTM layers (and a Masking layer) only: what the naive LSTM behind the mutants computes. */
export const lstmOnly = (cases: readonly FixtureCase[]): FixtureCase[] => cases.filter((c) => c.layers.every((l) => l.className === "LSTM" || l.className === "Masking"));
