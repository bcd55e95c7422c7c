/**
 * What a green run means (spec/adapter.md §4.3): the one place that turns a run's verdicts into its
 * verdict word and exit code. Every report, `merge` and the vitest helper use it, so that a CI gate
 * reading only the exit code or the badge reads the same thing as a person reading the console.
 *
 * Exit 0 needs evidence: at least one case ran and passed, nothing failed, errored or passed
 * unexpectedly, no fixture failed to load, and the required level (default core) was reached.
 * Skipped, known-failing and unsupported cases are never evidence, nor are property results alone.
 */
import { levelReached, type ConformanceLevel, type LevelInput } from "./levels.ts";

/**
 * - `conformant`: evidence, nothing wrong, and level core or full reached.
 * - `as-expected`: evidence and nothing wrong, but no level reached (a core case is skipped, a known
 *   failure, or none was selected): the run met its expectations file, nothing more.
 * - `not-conformant`: something failed, errored, passed unexpectedly, a core case is unsupported, or
 *   a fixture did not load.
 * - `no-evidence`: nothing wrong, but no case ran and passed: nothing was shown.
 */
export type RunVerdict = "conformant" | "as-expected" | "not-conformant" | "no-evidence";

export const RUN_VERDICTS: readonly RunVerdict[] = ["conformant", "as-expected", "not-conformant", "no-evidence"];

/** 0 green, 1 not green, 2 a usage or load error (spec/adapter.md §7). */
export type ExitCode = 0 | 1 | 2;

export interface RunInput extends LevelInput {
  readonly cases: readonly { readonly status: string; readonly core: boolean }[];
  readonly properties: readonly { readonly status: string; readonly evidence?: boolean }[];
  readonly loadErrors: readonly string[];
  readonly strictExpectations: boolean;
  /** The level the user requires (`--level`); default core. `none` accepts an `as-expected` run. */
  readonly requiredLevel: ConformanceLevel;
}

export interface RunJudgement {
  readonly verdict: RunVerdict;
  readonly level: ConformanceLevel;
  /** True for `conformant` only: the word a report may print as CONFORMANT. */
  readonly conformant: boolean;
  readonly exitCode: ExitCode;
  /** Why the exit code is not 0, one sentence each; empty when it is 0. */
  readonly reasons: readonly string[];
}

const LEVEL_RANK: Readonly<Record<ConformanceLevel, number>> = { none: 0, core: 1, full: 2 };

const count = <T>(xs: readonly T[], p: (x: T) => boolean): number => xs.reduce((n, x) => n + (p(x) ? 1 : 0), 0);

export function judgeRun(r: RunInput): RunJudgement {
  const level = levelReached(r);
  const bad = (s: string): boolean => s === "fail" || s === "error" || (r.strictExpectations && s === "unexpected-pass");
  const problems: string[] = [];
  if (r.loadErrors.length > 0) problems.push(`${r.loadErrors.length} fixture file(s) or case(s) failed to load`);
  const failedCases = count(r.cases, (c) => bad(c.status));
  if (failedCases > 0) problems.push(`${failedCases} case(s) failed, errored or passed unexpectedly`);
  const failedProperties = count(r.properties, (p) => bad(p.status));
  if (failedProperties > 0) problems.push(`${failedProperties} property-based test(s) failed or errored`);
  // §4.1: every LSTM engine implements Keras's default; not declaring it is not conformance.
  const coreUnsupported = count(r.cases, (c) => c.core && c.status === "unsupported");
  if (coreUnsupported > 0) problems.push(`${coreUnsupported} core case(s) unsupported`);
  if (problems.length > 0) {
    return { verdict: "not-conformant", level, conformant: false, exitCode: r.loadErrors.length > 0 ? 2 : 1, reasons: problems };
  }
  if (!r.cases.some((c) => c.status === "pass")) {
    const why = r.cases.length === 0 ? "no case was selected" : `none of the ${r.cases.length} selected case(s) ran and passed`;
    return { verdict: "no-evidence", level: "none", conformant: false, exitCode: 1, reasons: [`${why}: skipped, known-failing and unsupported cases and property results alone are no evidence`] };
  }
  if (level === "none") {
    const ok = r.requiredLevel === "none";
    return { verdict: "as-expected", level, conformant: false, exitCode: ok ? 0 : 1, reasons: ok ? [] : [`no conformance level reached (${noLevelReason(r)}); pass --level none to accept that`] };
  }
  const ok = LEVEL_RANK[level] >= LEVEL_RANK[r.requiredLevel];
  return { verdict: "conformant", level, conformant: true, exitCode: ok ? 0 : 1, reasons: ok ? [] : [`--level ${r.requiredLevel} required, reached ${level}`] };
}

/** Why a run without problems reached no level (levels.ts): no core case, or one not passed. */
export function noLevelReason(r: LevelInput): string {
  const core = r.cases.filter((c) => c.core);
  if (core.length === 0) return "no core case was selected";
  const notPassed = core.filter((c) => c.status !== "pass");
  return `${notPassed.length} core case(s) ${[...new Set(notPassed.map((c) => c.status))].join(" or ")}, not passed`;
}

/** The verdict in capitals, as the console, Markdown and badge print it. */
export const VERDICT_WORDS: Readonly<Record<RunVerdict, string>> = {
  conformant: "CONFORMANT",
  "as-expected": "AS EXPECTED, NOT CONFORMANT",
  "not-conformant": "NOT CONFORMANT",
  "no-evidence": "NO EVIDENCE, NOT CONFORMANT",
};
