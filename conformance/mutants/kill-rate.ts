/**
 * Judges the mutant gallery: runs each mutant through the suite (`runSuite`), counts it killed when
 * at least one case fails or errors, and checks the diagnosis on a sample of its failing cases.
 * A diagnosis other than the expected one is *wrong* only where the expected hypothesis could have
 * been named (it applies to the case and its prediction differs from Keras's outputs); elsewhere the
 * flaw is not expressible by that hypothesis and no diagnosis is due.
 */
import type { FixtureCase } from "../case.ts";
import { diagnose, diagnosisNames, matchWithin } from "../diagnose.ts";
import { referenceEngine } from "../engines/reference.ts";
import { hypothesisById } from "../hypotheses/index.ts";
import { runSuite } from "../runner.ts";
import type { MutantEntry } from "./index.ts";

export interface MutantVerdict {
  readonly name: string;
  readonly expectedHypothesis: string | null;
  readonly cases: number;
  readonly failed: number;
  readonly errors: number;
  readonly passed: number;
  readonly killed: boolean;
  /** Failing cases whose diagnosis was checked. */
  readonly diagnosed: number;
  readonly right: number;
  /** Case id → the diagnosis given where the expected one was due. */
  readonly wrong: Readonly<Record<string, string>>;
  /** Failing cases where the expected hypothesis does not apply (not expressible there). */
  readonly notExpressible: number;
}

/** Whether hypothesis `id` can explain a failure of `c` (it applies and is observable there). */
async function expressible(id: string, c: FixtureCase): Promise<boolean> {
  const h = hypothesisById(id);
  if (!h) return false;
  const oracle = async (lc: Parameters<typeof referenceEngine.run>[0]) => referenceEngine.run(lc);
  let predicted;
  try {
    predicted = await h.predict(c, oracle);
  } catch {
    return false;
  }
  return predicted !== null && matchWithin(predicted, c.expected.map((e) => e.outputs), c.tolerance) === null;
}

/** Runs one mutant over `cases` and checks the diagnosis on up to `sample` failing cases (spread over families). */
export async function judgeMutant(m: MutantEntry, cases: readonly FixtureCase[], sample: number): Promise<MutantVerdict> {
  const suite = await runSuite(m.engine, cases, { diagnose: false, timeoutMs: 5_000 });
  const failing = suite.cases.filter((v) => v.status === "fail");
  const errors = suite.cases.filter((v) => v.status === "error").length;
  const passed = suite.cases.filter((v) => v.status === "pass").length;
  // one failing case per family first, then the rest, so that the sample spreads over options
  const seen = new Set<string>();
  const ordered = [...failing.filter((v) => !seen.has(v.family) && seen.add(v.family)), ...failing.filter((v) => !seen.has(v.id) && seen.add(v.id))];
  const byId = new Map(cases.map((c) => [c.id, c]));
  let right = 0;
  let diagnosed = 0;
  let notExpressible = 0;
  const wrong: Record<string, string> = {};
  for (const v of ordered.slice(0, sample)) {
    const c = byId.get(v.id)!;
    const actual = await m.engine.run(c);
    const d = await diagnose(m.engine, c, actual);
    diagnosed++;
    // a hypothesis this case cannot tell apart from the expected one is as right (diagnose.ts, alternatives)
    if (m.expectedHypothesis !== null && diagnosisNames(d, m.expectedHypothesis)) right++;
    else if (m.expectedHypothesis !== null && (await expressible(m.expectedHypothesis, c))) wrong[v.id] = d?.hypothesis ?? "none";
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
    diagnosed,
    right,
    wrong,
    notExpressible,
  };
}

/** A Markdown table of verdicts, with the kill rate. */
export function killRateTable(verdicts: readonly MutantVerdict[]): string {
  const killed = verdicts.filter((v) => v.killed).length;
  const lines = [
    `kill rate: ${killed}/${verdicts.length}`,
    "| mutant | expected diagnosis | failed/cases | killed | diagnosis right/checked | wrong | not expressible |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...verdicts.map(
      (v) =>
        `| ${v.name} | ${v.expectedHypothesis ?? "—"} | ${v.failed + v.errors}/${v.cases} | ${v.killed ? "yes" : "NO"} | ${v.right}/${v.diagnosed} | ` +
        `${Object.keys(v.wrong).length ? JSON.stringify(v.wrong) : "0"} | ${v.notExpressible} |`,
    ),
  ];
  return lines.join("\n");
}
