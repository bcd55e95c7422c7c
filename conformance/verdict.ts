/**
 * What a run produces (DESIGN.md "A verdict"; spec/adapter.md §4). A `SuiteResult` is plain data:
 * every report is a pure function of it, and the JSON report is it, serialised
 * (spec/report.schema.json).
 */
import type { Tolerance } from "./case.ts";
import type { Feature } from "./engine.ts";
import type { FailureDetail } from "./failure-detail.ts";
import type { ConformanceLevel } from "./levels.ts";
import type { ExitCode, RunVerdict } from "./run-verdict.ts";

/**
 * - `pass`: every output within tolerance.
 * - `fail`: the engine answered, wrongly: values, shape, count, order, NaN/Inf.
 * - `unsupported`: the case needs a feature the engine does not declare; not run.
 * - `error`: the engine threw, timed out, or returned something that is not outputs (e.g. plain arrays).
 * - `skip`: listed as `skip` in the expectations file; not run.
 * - `known-failure`: listed as `fail` in the expectations file, and it failed or errored.
 * - `unexpected-pass`: listed as `fail` in the expectations file, yet it passed.
 */
export type CaseStatus = "pass" | "fail" | "unsupported" | "error" | "skip" | "known-failure" | "unexpected-pass";

export const CASE_STATUSES: readonly CaseStatus[] = ["pass", "fail", "unsupported", "error", "skip", "known-failure", "unexpected-pass"];

/** An element of an output, located in Keras's terms. */
export interface ElementLocation {
  /** Which call of the case (0 unless the case is stateful and calls the model several times). */
  readonly call: number;
  /** Index into `[output]` or `[output, h, c]`. */
  readonly output: number;
  readonly outputName: string;
  /** The multi-index in that tensor. */
  readonly index: readonly number[];
  readonly batch: number | null;
  /** Null for a tensor without a time axis (the last output, h, c). */
  readonly timestep: number | null;
  readonly unit: number | null;
  readonly actual: number;
  readonly expected: number;
}

/** The first step, in processing order, where the engine's h left the tolerance (spec/adapter.md §4.2). */
export interface FirstDivergence {
  readonly call: number;
  readonly timestep: number;
  readonly batch: number;
  readonly unit: number;
  readonly actual: number;
  readonly expected: number;
  /** Where the per-step values came from. */
  readonly source: "sequence output" | "re-run with return_sequences";
}

/** Which known mistake explains a failure (conformance/diagnose.ts). */
export interface Diagnosis {
  /** The hypothesis id, e.g. `gate-order:iofc`. */
  readonly hypothesis: string;
  /** In a porter's words: "your engine matches Keras if …". */
  readonly explanation: string;
  /** Largest |engine − prediction| over all outputs of all calls: how closely Keras-with-that-mistake matches. */
  readonly maxAbs: number;
  /**
   * Other hypotheses predicting the same outputs as `hypothesis` within the case's tolerance: this
   * case cannot tell them apart, so any of them explains the failure equally well. Absent when the
   * diagnosis is unambiguous.
   */
  readonly alternatives?: readonly string[];
  /**
   * For two mistakes at once: the two hypothesis ids; `hypothesis` is then `"<first> + <second>"`
   * and `alternatives` name pairs the same way (spec/adapter.md §4.2). Absent for one mistake.
   */
  readonly mistakes?: readonly string[];
}

/** The expectations-file entry that applied to a case. */
export interface AppliedExpectation {
  readonly kind: "fail" | "skip";
  readonly pattern: string;
  readonly reason: string;
}

export interface CaseVerdict {
  readonly id: string;
  readonly family: string;
  readonly description: string;
  readonly file: string;
  readonly status: CaseStatus;
  /** One line saying what happened; empty for a pass. */
  readonly message: string;
  readonly features: readonly Feature[];
  /** For `unsupported`: the features the engine lacks. */
  readonly missingFeatures: readonly Feature[];
  /** Whether the case belongs to the *core* level (conformance/levels.ts). */
  readonly core: boolean;
  /** Over every output of every call; Infinity when the engine returned a non-finite value; null when not compared. */
  readonly maxAbs: number | null;
  readonly maxRel: number | null;
  /** The element with the largest excess over its tolerance. */
  readonly worst: ElementLocation | null;
  readonly tolerance: Tolerance;
  readonly timeMs: number;
  readonly firstDivergence: FirstDivergence | null;
  /** Why there is no first divergence, when a failure has none. */
  readonly firstDivergenceNote?: string;
  /** The command that reruns this one case. Present on every non-passing verdict that ran. */
  readonly reproduce?: string;
  readonly diagnosis: Diagnosis | null;
  /** What the engine's run did before the expectations file turned it into known-failure or unexpected-pass. */
  readonly outcome?: "pass" | "fail" | "error";
  readonly expectation?: AppliedExpectation;
  /** For the first failing cases of a run: the error over time step × unit and the worst unit over time, for the HTML report (spec/adapter.md §6.4). */
  readonly detail?: FailureDetail;
}

/** A property-based test's result (conformance/properties/). */
export interface PropertyResult {
  readonly id: string;
  /**
   * As a case's (spec/adapter.md §4.1): skip and known-failure arise only from an expectations-file
   * entry naming the property (`property/<name>`, spec/adapter.md §5). There is no unexpected pass:
   * random cases may miss a known difference.
   */
  readonly status: "pass" | "fail" | "unsupported" | "error" | "skip" | "known-failure";
  readonly runs: number;
  readonly message?: string;
  /** The shrunk counterexample, as a ready-to-run fixture file (JSON). */
  readonly counterexample?: unknown;
  /** Where that fixture file was saved; `--fixtures <file> --properties 0` reruns it as a case (spec/adapter.md §4.2). */
  readonly counterexampleFile?: string;
  /** The counterexample diagnosed like a failing case (as CaseVerdict's); null: no known mistake explains it; absent: not diagnosed. */
  readonly diagnosis?: Diagnosis | null;
  /**
   * Fixture-anchored properties: draws skipped because the engine fails their anchor case untransformed
   * (that case's own verdict reports it, spec/adapter.md §5), and those anchors' ids.
   */
  readonly folded?: { readonly draws: number; readonly cases: readonly string[] };
  readonly seed: number;
  /** True when the property uses our reference as the oracle rather than Keras. */
  readonly referenceChecked: boolean;
  /** An unsupported property's scope features the engine lacks (e.g. `bidirectional`): out of its scope, counted toward no level (levels.ts). */
  readonly missingFeatures?: readonly Feature[];
  /** True when no trivial engine passes the property (it fails, or finds no anchor it can use); only those count toward a level (levels.ts). */
  readonly evidence: boolean;
  readonly specSection: string;
  readonly timeMs?: number;
  /** The expectations-file entry that applied, if any. */
  readonly expectation?: AppliedExpectation;
}

export type StatusCounts = Readonly<Record<CaseStatus, number>>;

export interface SuiteResult {
  readonly suite: { readonly name: "keras-rnn-conformance"; readonly version: string };
  readonly engine: { readonly name: string; readonly version: string; readonly features: readonly Feature[] };
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  /** What was run: a level speaks for the spec only when nothing was filtered out. */
  readonly selection: {
    readonly fixtures: readonly string[];
    readonly filters: readonly string[];
    readonly shard: { readonly index: number; readonly count: number } | null;
    readonly casesLoaded: number;
    readonly propertyRuns: number;
    readonly seed: number | null;
  };
  readonly cases: readonly CaseVerdict[];
  readonly properties: readonly PropertyResult[];
  readonly counts: StatusCounts;
  readonly level: ConformanceLevel;
  /** What the run shows (run-verdict.ts, spec/adapter.md §4.3). */
  readonly verdict: RunVerdict;
  /** `verdict === "conformant"`: evidence, nothing wrong, level core or full reached. */
  readonly conformant: boolean;
  /** The level the run had to reach (`--level`, default core). */
  readonly requiredLevel: ConformanceLevel;
  /** The CLI's exit code for this result: 0 only when it is evidence of the required level. */
  readonly exitCode: ExitCode;
  /** Why the exit code is not 0; empty when it is. */
  readonly reasons: readonly string[];
  /** Fixture files or cases that failed to load, formatted (file, case, field); any makes the run red. */
  readonly loadErrors: readonly string[];
  readonly strictExpectations: boolean;
  readonly warnings: readonly string[];
}

/** Counts of each status. */
export function countStatuses(cases: readonly { readonly status: CaseStatus }[]): StatusCounts {
  const counts = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>;
  for (const c of cases) counts[c.status]++;
  return counts;
}

/**
 * Whether a set of verdicts makes an engine conformant (spec/adapter.md §4.1; exit code 0): nothing
 * failed or errored (and, with strict expectations, nothing passed unexpectedly), no *core* case was
 * unsupported (every LSTM engine must implement Keras's default), and something passed — an engine
 * that declares no feature is not conformant by running nothing.
 */
export function isConformant(
  cases: readonly { readonly status: CaseStatus; readonly core: boolean }[],
  properties: readonly { readonly status: PropertyResult["status"] }[],
  strictExpectations: boolean,
): boolean {
  const bad = (s: string): boolean => s === "fail" || s === "error" || (strictExpectations && s === "unexpected-pass");
  if (cases.some((c) => bad(c.status)) || properties.some((p) => bad(p.status))) return false;
  if (cases.some((c) => c.core && c.status === "unsupported")) return false;
  return cases.some((c) => c.status === "pass" || c.status === "unexpected-pass") || properties.some((p) => p.status === "pass");
}

/** The family a case id belongs to, for summaries: its first two segments (`lstm/masking`), or all but the number. */
export function familyOf(id: string): string {
  const segments = id.split("/");
  if (segments.length <= 2) return segments.length === 1 ? id : segments[0]!;
  return segments.slice(0, 2).join("/");
}
