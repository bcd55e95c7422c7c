/**
 * Judges the mutant gallery: runs each mutant through the suite (`runSuite`), counts it killed when
 * at least one case fails or errors, and checks the diagnosis on a sample of its failing cases.
 * A diagnosis other than the expected one is *wrong* only where the expected hypothesis could have
 * been named (it applies to the case and its prediction differs from Keras's outputs); elsewhere the
 * flaw is not expressible by that hypothesis and no diagnosis is due — as where its prediction is
 * zeros everywhere, which explains nothing (diagnose.ts `nothingComputed`: a mask that leaves no valid
 * step, a single step skipped).
 */
import type { FixtureCase } from "../case.ts";
import type { CellKind } from "../cells.ts";
import { diagnose, diagnosisNames, matchWithin, nothingComputed } from "../diagnose.ts";
import { referenceEngine } from "../engines/reference.ts";
import { hypothesisById } from "../hypotheses/index.ts";
import { runSuite } from "../runner.ts";
import type { MutantEntry } from "./index.ts";

export interface MutantVerdict {
  readonly name: string;
  /** The cell the mutant computes (its cases are that cell's). */
  readonly cell?: CellKind;
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
  return predicted !== null && !nothingComputed(predicted, c.tolerance) && matchWithin(predicted, c.expected.map((e) => e.outputs), c.tolerance) === null;
}

/** Runs one mutant over `cases` and checks the diagnosis on up to `sample` failing cases (spread over families). */
export async function judgeMutant(m: MutantEntry, cases: readonly FixtureCase[], sample: number): Promise<MutantVerdict> {
  const suite = await runSuite(m.engine, cases, { diagnose: false, timeoutMs: 5_000 });
  const failing = suite.cases.filter((v) => v.status === "fail");
  const errors = suite.cases.filter((v) => v.status === "error").length;
  const passed = suite.cases.filter((v) => v.status === "pass").length;
  // one failing case per family first, then the rest, so that the sample spreads over options
  const seen = new Set<string>();
  const firstOfFamily = failing.filter((v) => !seen.has(v.family) && seen.add(v.family));
  const ordered = [...firstOfFamily, ...failing.filter((v) => !firstOfFamily.includes(v))];
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
    ...(m.cell ? { cell: m.cell } : {}),
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

/**
 * One cell's rates in a line: the share of its gallery mutants killed (failed or errored on a case),
 * and the share of the diagnoses checked where the expected hypothesis could be named (right or
 * wrong, not "not expressible") that named it.
 */
export function cellRateLine(cell: CellKind, verdicts: readonly MutantVerdict[]): string {
  return rateLine(cell, verdicts);
}

/** {@link cellRateLine} for any group of mutants, named `label` (e.g. the Bidirectional gallery, whose mutants wrap every cell). */
export function rateLine(label: string, verdicts: readonly MutantVerdict[]): string {
  const killed = verdicts.filter((v) => v.killed).length;
  const right = verdicts.reduce((n, v) => n + v.right, 0);
  const due = right + verdicts.reduce((n, v) => n + Object.keys(v.wrong).length, 0);
  const pct = (a: number, b: number): string => (b === 0 ? "—" : `${((100 * a) / b).toFixed(1)} %`);
  return `${label}: ${killed}/${verdicts.length} mutants killed (${pct(killed, verdicts.length)}); diagnosis right on ${right}/${due} checked cases where the flaw is observable (${pct(right, due)})`;
}

/** A Markdown table of verdicts, with the kill rate, and each cell's rates in a line (`cellRateLine`). */
export function killRateTable(verdicts: readonly MutantVerdict[]): string {
  const killed = verdicts.filter((v) => v.killed).length;
  const cells = [...new Set(verdicts.flatMap((v) => (v.cell ? [v.cell] : [])))];
  const lines = [
    `kill rate: ${killed}/${verdicts.length}`,
    ...cells.map((cell) => cellRateLine(cell, verdicts.filter((v) => v.cell === cell))),
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
