/**
 * The cases the mutant gallery is judged on: the Keras fixture corpus (Keras is the oracle), plus
 * generated cases whose expected outputs the reference computes, so that every option a mutant
 * breaks is exercised even where the corpus has no case for it yet. Generated cases say so in
 * their id (`generated/…`) and tolerance source.
 */
import { existsSync } from "node:fs";
import fc from "fast-check";
import type { FixtureCase } from "../case.ts";
import { cellOf, type CellKind } from "../cells.ts";
import { referenceEngine } from "../engines/reference.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { buildCase, caseSpecArbitrary } from "../properties/arbitraries.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";

/**
 * `count` random cases with reference-computed expected outputs, every layer of one of `cells` (the
 * LSTM alone by default: the LSTM gallery's cases are the ones it has always been judged on).
 */
export async function generatedCases(count: number, seed: number, cells: readonly CellKind[] = ["lstm"]): Promise<FixtureCase[]> {
  const specs = fc.sample(caseSpecArbitrary({ features: referenceEngine.features, cells }), { numRuns: count, seed });
  const prefix = cells.length === 1 && cells[0] === "lstm" ? "generated/gallery" : `generated/gallery-${cells.join("-")}`;
  const cases: FixtureCase[] = [];
  for (const [k, spec] of specs.entries()) {
    const c = { ...buildCase(spec), id: `${prefix}/${String(k).padStart(3, "0")}` };
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

/**
 * The cases whose recurrent layers are all of `cell` (and a Masking layer): what a mutant of that cell
 * computes (naive-lstm.ts, naive-rnn.ts), and what it declares (`cell:<kind>`, spec/adapter.md §2).
 */
export const cellOnly = (cases: readonly FixtureCase[], cell: CellKind): FixtureCase[] =>
  cases.filter((c) => c.layers.every((l) => l.className === "Masking" || (l.className !== "Bidirectional" && cellOf(l).kind === cell)));
