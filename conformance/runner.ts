/**
 * The runner: every selected case through an engine, one verdict each (spec/adapter.md §4), then the
 * properties. Whatever an engine does — throw, hang, return garbage — becomes that case's verdict
 * and the run goes on.
 */
import type { FixtureCase, LayerCase } from "./case.ts";
import { compareTensors, describeComparison, toleranceExcess } from "./compare.ts";
import { diagnose } from "./diagnose.ts";
import { DetailBudget, failureDetail, type FailureDetail } from "./failure-detail.ts";
import { findFirstDivergence } from "./divergence.ts";
import type { Engine, EngineGradients, EngineOutputs } from "./engine.ts";
import { expectationFor, unmatchedExpectations, type Expectations } from "./expectations.ts";
import { GRADIENTS_FEATURE, missingFeatures, requiredFeatures } from "./features.ts";
import { gradientFamilyOf, isGradientCase, type GradientCase, type GradientRequest } from "./gradients/case.ts";
import { compareGradients } from "./gradients/compare.ts";
import { diagnoseGradients } from "./gradients/diagnose.ts";
import { isCoreCase, type ConformanceLevel } from "./levels.ts";
import { checkOutputs, outputNames, type ReturnedTensor } from "./outputs.ts";
import { packageVersion } from "./package-paths.ts";
import { matchesIdPattern, type Shard } from "./select.ts";
import { propertyIds, runPropertySuite, type PropertyOptions } from "./run-properties.ts";
import { BackgroundErrors } from "./background-errors.ts";
import { judgeRun } from "./run-verdict.ts";
import { unsupportedReason } from "./unsupported-case.ts";
import { describeThrown, detach, EngineFault } from "./untrusted.ts";
import {
  countStatuses,
  familyOf,
  type CaseStatus,
  type CaseVerdict,
  type Diagnosis,
  type ElementLocation,
  type FirstDivergence,
  type PropertyResult,
  type SuiteResult,
} from "./verdict.ts";

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Runs per property-based test, and their seed, when the user says nothing (`--properties`, `--seed`). */
export const DEFAULT_PROPERTY_RUNS = 100;
export const DEFAULT_SEED = 1;

export interface RunOptions {
  /** Per case (and per re-run); default 10 s. See `runWithTimeout` for what it can interrupt. */
  readonly timeoutMs?: number;
  readonly expectations?: Expectations;
  /** Default true: an unexpected pass makes the run not conformant (spec/adapter.md §5). */
  readonly strictExpectations?: boolean;
  /** How the reproduction command names the engine, e.g. `--engine ./my-lstm.ts`. Default `--engine <engine.name>`. */
  readonly engineArgs?: string;
  /** The fixture paths given on the command line, repeated in reproductions; none = the shipped corpus. */
  readonly fixtures?: readonly string[];
  /** What the selection was, recorded in the report. */
  readonly filters?: readonly string[];
  readonly shard?: Shard | null;
  /** Number of cases loaded before filtering (for the report). */
  readonly casesLoaded?: number;
  /** Default true. Diagnosis runs the reference a few dozen times per failing case. */
  readonly diagnose?: boolean;
  /** Property-based tests; not run when absent or `numRuns` is 0. */
  readonly properties?: PropertyOptions;
  /** Called after each case, for progress display. */
  readonly onCase?: (verdict: CaseVerdict, done: number, total: number) => void;
  /** Cases the expectations must match against (default: `cases`), e.g. every loaded case before filtering. */
  readonly allIds?: readonly string[];
  /**
   * Default true: warn about expectations entries that match no case. The CLI turns it off under
   * `--fixtures`, where an entry for a shipped case is not stale, only not loaded.
   */
  readonly warnUnmatchedExpectations?: boolean;
  /** Fixture load errors, formatted: they are part of the result and make it red (spec/adapter.md §4.3). */
  readonly loadErrors?: readonly string[];
  /**
   * Gradient cases (spec/gradients.md §5), already selected; run after the forward cases. Judged only
   * for an engine with the `gradients` feature (and method): out of scope for any other (§7.1).
   */
  readonly gradientCases?: readonly GradientCase[];
  /** The level the run must reach for exit code 0 (`--level`); default core. */
  readonly requiredLevel?: ConformanceLevel;
  /** How many failing cases get a `detail` for the HTML report (failure-detail.ts, spec/adapter.md §6.4); default 20. */
  readonly detailedFailures?: number;
}

class TimeoutError extends Error {}

/** The engine's background work threw while it computed a case (background-errors.ts). */
class BackgroundError extends Error {
  constructor(thrown: readonly string[]) {
    super(`engine's background work threw while it computed this case: ${thrown.join("; ")}`);
  }
}

/**
 * Runs `fn` with a deadline. An async engine that never settles is abandoned after `timeoutMs` (its
 * work may go on in the background until the process exits). A synchronous engine blocks the event
 * loop, so nothing in-process can interrupt it: it is reported as timed out once it returns late,
 * and one that never returns hangs the run — run such engines out of process (`--engine-cmd`),
 * where the adapter kills the process.
 */
export async function runWithTimeout<T>(fn: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const value = await Promise.race([Promise.resolve().then(fn), deadline]);
    const took = performance.now() - started;
    if (took > timeoutMs) throw new TimeoutError(`took ${Math.round(took)} ms, more than the ${timeoutMs} ms timeout`);
    return value;
  } finally {
    clearTimeout(timer);
  }
}

/** What the engine sees: the case without Keras's answers, and a copy, so an engine can neither read nor corrupt them. */
export function engineView(c: LayerCase): LayerCase {
  return structuredClone({ id: c.id, dialect: c.dialect, layers: c.layers, calls: c.calls });
}

/** What a gradient engine sees (spec/gradients.md §7.2): the forward part and the cotangents, never Keras's outputs or gradients; a copy. */
export function gradientView(c: GradientCase): GradientRequest {
  return structuredClone({ id: c.id, dialect: c.dialect, layers: c.layers, calls: c.calls, cotangents: c.cotangents });
}

/** Quotes a shell word when it needs it (for copy-paste reproductions). */
export function shellQuote(s: string): string {
  return /^[\w./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that reruns one case (spec/adapter.md §4.2). */
export function reproduceCommand(id: string, engineArgs: string, fixtures: readonly string[]): string {
  return ["npx keras-rnn-conformance", engineArgs, `--filter ${shellQuote(id)}`, ...fixtures.map((f) => `--fixtures ${shellQuote(f)}`)].join(" ");
}

/** Multi-index → (batch, timestep, unit) for Keras's output shapes: (B, T, U) or (B, U). */
function locate(call: number, output: number, name: string, index: readonly number[], actual: number, expected: number): ElementLocation {
  const three = index.length === 3;
  return {
    call,
    output,
    outputName: name,
    index,
    batch: index[0] ?? null,
    timestep: three ? index[1]! : null,
    unit: index.length >= 2 ? index[index.length - 1]! : null,
    actual,
    expected,
  };
}

interface Comparison {
  readonly ok: boolean;
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly worst: ElementLocation | null;
  readonly message: string;
}

/** Compares every output of every call; the message describes the first output out of tolerance. */
function compareOutputs(c: FixtureCase, actual: readonly (readonly ReturnedTensor[])[]): Comparison {
  const names = outputNames(c);
  const tol = c.tolerance;
  let maxAbs = 0, maxRel = 0, worstExcess = -Infinity;
  let worst: ElementLocation | null = null;
  let message = "";
  actual.forEach((outs, k) => {
    outs.forEach((a, j) => {
      const e = c.expected[k]!.outputs[j]!;
      const cmp = compareTensors(a, e, tol);
      maxAbs = Math.max(maxAbs, cmp.maxAbs);
      maxRel = Math.max(maxRel, cmp.maxRel);
      if (cmp.worst) {
        const flat = cmp.worst.reduce((acc, i, d) => acc * e.shape[d]! + i, 0);
        const av = a.data[flat]!, ev = e.data[flat]!;
        const excess = toleranceExcess(av, ev, tol);
        if (excess > worstExcess) {
          worstExcess = excess;
          worst = locate(k, j, names[j]!, cmp.worst, av, ev);
        }
      }
      if (cmp.mismatches > 0 && message === "") {
        const at = `${c.calls.length > 1 ? `call ${k + 1} of ${c.calls.length}: ` : ""}output ${j} (${names[j]})`;
        const what = cmp.nonFinite > 0 ? `non-finite: ${cmp.nonFinite} NaN/Inf value(s) where Keras has finite values; ` : "";
        message = `${at}: ${what}${describeComparison(cmp, tol)}${orderHint(c, k, j, a)}`;
      }
    });
  });
  return { ok: message === "", maxAbs, maxRel, worst, message };
}

/** When output j fails but equals another of Keras's outputs, say so: outputs in the wrong order. */
function orderHint(c: FixtureCase, call: number, j: number, a: ReturnedTensor): string {
  const names = outputNames(c);
  const expected = c.expected[call]!.outputs;
  for (let i = 0; i < expected.length; i++) {
    if (i === j) continue;
    const cmp = compareTensors(a, expected[i]!, c.tolerance);
    if (cmp.shapeOk && cmp.mismatches === 0) return ` — it equals Keras's ${names[i]}: outputs in the wrong order? Keras returns [${names.join(", ")}]`;
  }
  return "";
}

interface Ran {
  readonly outcome: "pass" | "fail" | "error" | "unsupported";
  readonly message: string;
  readonly comparison: Comparison | null;
  readonly firstDivergence: FirstDivergence | null;
  readonly firstDivergenceNote?: string;
  readonly diagnosis: Diagnosis | null;
  readonly timeMs: number;
  readonly detail?: FailureDetail;
}

/** Runs the engine on `c` and reads its answer as plain data (untrusted.ts): whatever it is, it cannot crash the judge. */
async function callEngine(engine: Engine, c: LayerCase, timeoutMs: number): Promise<EngineOutputs> {
  return detach(await runWithTimeout(() => engine.run(structuredClone(c)), timeoutMs));
}

async function runOne(engine: Engine, c: FixtureCase, timeoutMs: number, withDiagnosis: boolean, background: BackgroundErrors, budget: DetailBudget | null): Promise<Ran> {
  const started = performance.now();
  let returned: EngineOutputs;
  try {
    returned = await callEngine(engine, engineView(c), timeoutMs);
    const thrown = await background.take();
    if (thrown.length > 0) throw new BackgroundError(thrown);
  } catch (e) {
    const timeMs = performance.now() - started;
    // spec/adapter.md §2: declared features in a combination the engine cannot express.
    const reason = unsupportedReason(e);
    if (reason !== null) {
      return { outcome: "unsupported", message: `engine cannot run this case: ${reason}`, comparison: null, firstDivergence: null, diagnosis: null, timeMs };
    }
    const message = e instanceof TimeoutError || e instanceof BackgroundError || e instanceof EngineFault ? e.message : `engine threw: ${describeThrown(e, true)}`;
    return { outcome: "error", message, comparison: null, firstDivergence: null, diagnosis: null, timeMs };
  }
  const timeMs = performance.now() - started;
  const checked = checkOutputs(returned, c);
  if (!checked.ok) {
    const diagnosis = checked.status === "fail" && withDiagnosis ? await safeDiagnose(engine, c, returned) : null;
    return { outcome: checked.status, message: checked.message, comparison: null, firstDivergence: null, diagnosis, timeMs };
  }
  const comparison = compareOutputs(c, checked.outputs);
  if (comparison.ok) return { outcome: "pass", message: "", comparison, firstDivergence: null, diagnosis: null, timeMs };
  const rerun = (modified: LayerCase): Promise<EngineOutputs> => callEngine(engine, modified, timeoutMs);
  const located = await findFirstDivergence(engine, c, checked.outputs, rerun);
  const diagnosis = withDiagnosis ? await safeDiagnose(engine, c, returned) : null;
  // a report's picture of the failure must never change the verdict: a detail that throws is no detail
  const detail = budget?.take() ? await failureDetail(c, checked.outputs, comparison.worst, outputNames(c), rerun).catch(() => undefined) : undefined;
  return {
    ...(detail ? { detail } : {}),
    outcome: "fail",
    message: comparison.message,
    comparison,
    firstDivergence: located.divergence,
    ...(located.note !== undefined ? { firstDivergenceNote: located.note } : {}),
    diagnosis,
    timeMs,
  };
}

/** Diagnosis must never turn a verdict into a crash: a failing hypothesis is no diagnosis. */
async function safeDiagnose(engine: Engine, c: FixtureCase, actual: EngineOutputs): Promise<Diagnosis | null> {
  try {
    return await diagnose(engine, c, actual);
  } catch {
    return null;
  }
}

/**
 * Runs the engine's gradients on a gradient case and judges them (spec/gradients.md §6.3, §7.2),
 * under the same timeout and untrusted-answer handling as `run`. The message names the worst tensor.
 */
async function runGradientOne(engine: Engine, c: GradientCase, timeoutMs: number, withDiagnosis: boolean, background: BackgroundErrors): Promise<Ran> {
  const started = performance.now();
  const none = { comparison: null, firstDivergence: null, diagnosis: null } as const;
  const method = engine.gradients;
  if (typeof method !== "function") {
    return { outcome: "error", message: `the engine declares the feature ${GRADIENTS_FEATURE} but has no gradients() method (spec/gradients.md §7.2)`, ...none, timeMs: 0 };
  }
  let answers: EngineGradients;
  try {
    const request = gradientView(c);
    answers = detach(await runWithTimeout(() => method.call(engine, request), timeoutMs));
    const thrown = await background.take();
    if (thrown.length > 0) throw new BackgroundError(thrown);
  } catch (e) {
    const timeMs = performance.now() - started;
    const reason = unsupportedReason(e);
    if (reason !== null) return { outcome: "unsupported", message: `engine cannot compute this case's gradients: ${reason}`, ...none, timeMs };
    const message = e instanceof TimeoutError || e instanceof BackgroundError || e instanceof EngineFault ? e.message : `engine's gradients() threw: ${describeThrown(e, true)}`;
    return { outcome: "error", message, ...none, timeMs };
  }
  const timeMs = performance.now() - started;
  if (!Array.isArray(answers)) {
    return { outcome: "error", message: `gradients() returned ${answers === null ? "null" : typeof answers}; expected one answer per call, { layers, x, initialState? } (spec/gradients.md §7.2)`, ...none, timeMs };
  }
  const bad = answers.findIndex((a) => typeof a !== "object" || a === null || !Array.isArray((a as { layers?: unknown }).layers));
  if (bad >= 0) return { outcome: "error", message: `gradients() answer for call ${bad} is not { layers: [...], x, initialState? } (spec/gradients.md §7.2)`, ...none, timeMs };
  const judgement = compareGradients(c, answers);
  let maxAbs = 0, maxRel = 0;
  for (const k of judgement.checks) {
    if (!k.comparison) continue;
    maxAbs = Math.max(maxAbs, k.comparison.maxAbs);
    maxRel = Math.max(maxRel, k.comparison.maxRel);
  }
  const comparison: Comparison = { ok: judgement.pass, maxAbs, maxRel, worst: null, message: "" };
  if (judgement.pass) return { outcome: "pass", message: "", comparison, firstDivergence: null, diagnosis: null, timeMs };
  // The worst failing tensor: the largest max abs in units of its own tolerance; a missing or extra tensor when none was compared.
  const failed = judgement.checks.filter((k) => !k.pass);
  const ratio = (k: (typeof failed)[number]): number => (k.comparison ? (Number.isNaN(k.comparison.maxAbs) ? Infinity : k.comparison.maxAbs / (k.tolerance.atol || 1)) : -1);
  const worst = failed.reduce((w, k) => (ratio(k) > ratio(w) ? k : w), failed[0]!);
  const message = `${failed.length} of ${judgement.checks.length} gradient tensor(s) outside the tolerance; worst: ${worst.problem ?? worst.name}`;
  // a diagnosis must never turn a verdict into a crash (as safeDiagnose)
  let diagnosis: Diagnosis | null = null;
  if (withDiagnosis) {
    try {
      diagnosis = diagnoseGradients(c, answers);
    } catch {
      diagnosis = null;
    }
  }
  return { outcome: "fail", message, comparison: { ...comparison, message }, firstDivergence: null, diagnosis, timeMs };
}

/** Runs `cases` (already selected) and, when asked, the properties. */
export async function runSuite(engine: Engine, cases: readonly FixtureCase[], options: RunOptions = {}): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const engineArgs = options.engineArgs ?? `--engine ${shellQuote(engine.name)}`;
  const strict = options.strictExpectations ?? true;
  const filters = options.filters ?? [];
  const verdicts: CaseVerdict[] = [];
  const warnings: string[] = [];
  const background = new BackgroundErrors().start();
  const budget = new DetailBudget(options.detailedFailures);
  let properties: PropertyResult[] = [];
  // spec/gradients.md §7: gradient cases after the forward ones, through the same verdict machinery.
  const all: readonly (FixtureCase | GradientCase)[] = [...cases, ...(options.gradientCases ?? [])];
  try {
    for (const c of all) {
      const verdict = await judgeCase(engine, c, options, timeoutMs, engineArgs, background, budget);
      verdicts.push(verdict);
      options.onCase?.(verdict, verdicts.length, all.length);
    }
    // a case the engine declined is no anchor for a fixture-anchored relation (its variants may test what it cannot express)
    const declined = new Set(verdicts.filter((v) => v.status === "unsupported").map((v) => v.id));
    if (options.properties && options.properties.numRuns > 0) {
      properties = await runPropertySuite(
        engine,
        { engineArgs, diagnose: options.diagnose ?? true, ...options.properties, exclude: (id) => declined.has(id) || (options.properties?.exclude?.(id) ?? false) },
        timeoutMs,
        options.expectations,
      );
      // a filter selects properties as it selects cases: `property/<name>`, `property`, or everything
      if (filters.length > 0) properties = properties.filter((p) => filters.some((f) => matchesIdPattern(p.id, f) || matchesIdPattern("property", f)));
    }
    const late = await background.take();
    if (late.length > 0) warnings.push(`the engine's background work threw after the last case: ${late.join("; ")}`);
  } finally {
    background.stop();
  }
  // an entry may name a property (`property/<name>`), whether or not properties ran this time
  const knownIds = [...(options.allIds ?? all.map((c) => c.id)), ...(options.expectations ? await propertyIds() : [])];
  if (options.warnUnmatchedExpectations ?? true) warnings.unshift(...unmatchedExpectations(options.expectations, knownIds));
  const loadErrors = [...(options.loadErrors ?? [])];
  const requiredLevel = options.requiredLevel ?? "core";
  const judgement = judgeRun({ cases: verdicts, properties, loadErrors, strictExpectations: strict, requiredLevel });
  return {
    suite: { name: "keras-rnn-conformance", version: packageVersion() },
    engine: { name: engine.name, version: engine.version, features: [...engine.features] },
    startedAt,
    durationMs: performance.now() - started,
    selection: {
      fixtures: [...(options.fixtures ?? [])],
      filters: [...filters],
      shard: options.shard ?? null,
      casesLoaded: options.casesLoaded ?? all.length,
      propertyRuns: options.properties?.numRuns ?? 0,
      seed: options.properties?.seed ?? null,
    },
    cases: verdicts,
    properties,
    counts: countStatuses(verdicts),
    level: judgement.level,
    verdict: judgement.verdict,
    conformant: judgement.conformant,
    requiredLevel,
    exitCode: judgement.exitCode,
    reasons: judgement.reasons,
    loadErrors,
    strictExpectations: strict,
    warnings,
  };
}

async function judgeCase(engine: Engine, c: FixtureCase | GradientCase, options: RunOptions, timeoutMs: number, engineArgs: string, background: BackgroundErrors, budget: DetailBudget): Promise<CaseVerdict> {
  const gradient = isGradientCase(c);
  // spec/gradients.md §7.1: a gradient case needs its forward's features and `gradients`, and is never core.
  const features = gradient ? [...requiredFeatures(c), GRADIENTS_FEATURE].sort() : requiredFeatures(c);
  const expectation = expectationFor(options.expectations, c.id);
  const base = {
    id: c.id,
    family: gradient ? gradientFamilyOf(c.id) : familyOf(c.id),
    description: c.description,
    file: c.file,
    features,
    core: !gradient && isCoreCase(features, engine.features), // a cell the engine does not implement is not core for it (levels.ts)
    tolerance: c.tolerance,
    missingFeatures: [],
    maxAbs: null,
    maxRel: null,
    worst: null,
    timeMs: 0,
    firstDivergence: null,
    diagnosis: null,
    ...(expectation ? { expectation: { kind: expectation.kind, pattern: expectation.pattern, reason: expectation.reason } } : {}),
  } satisfies Partial<CaseVerdict>;
  if (expectation?.kind === "skip") {
    return { ...base, status: "skip", message: `skipped by ${options.expectations!.file}:${expectation.line}: ${expectation.reason}` };
  }
  const missing = missingFeatures(features, engine.features);
  if (missing.length > 0) {
    const why = missing.includes(GRADIENTS_FEATURE) ? " (no gradient capability: Engine.gradients, a layer engine's *Gradients functions, or protocol 3's; spec/gradients.md §7)" : "";
    return { ...base, status: "unsupported", missingFeatures: missing, message: `engine does not implement: ${missing.join(", ")}${why}` };
  }
  // known failures are not detailed: the budget is for the failures a porter has to fix
  const ran = gradient
    ? await runGradientOne(engine, c, timeoutMs, options.diagnose ?? true, background)
    : await runOne(engine, c, timeoutMs, options.diagnose ?? true, background, expectation?.kind === "fail" ? null : budget);
  let status: CaseStatus = ran.outcome;
  let message = ran.message;
  if (expectation?.kind === "fail" && ran.outcome !== "unsupported") {
    status = ran.outcome === "pass" ? "unexpected-pass" : "known-failure";
    message =
      ran.outcome === "pass"
        ? `passed, but ${options.expectations!.file}:${expectation.line} lists it as failing (${expectation.reason}); remove the entry`
        : `known failure (${expectation.reason}): ${ran.message}`;
  }
  const firstDivergenceMessage = ran.firstDivergence
    ? `; first divergence at step ${ran.firstDivergence.timestep} (batch ${ran.firstDivergence.batch}, unit ${ran.firstDivergence.unit}${c.calls.length > 1 ? `, call ${ran.firstDivergence.call + 1} of ${c.calls.length}` : ""})`
    : "";
  return {
    ...base,
    status,
    message: status === "fail" ? `${message}${firstDivergenceMessage}` : message,
    maxAbs: ran.comparison?.maxAbs ?? null,
    maxRel: ran.comparison?.maxRel ?? null,
    worst: ran.comparison?.worst ?? null,
    timeMs: ran.timeMs,
    firstDivergence: ran.firstDivergence,
    ...(ran.firstDivergenceNote !== undefined ? { firstDivergenceNote: ran.firstDivergenceNote } : {}),
    diagnosis: ran.diagnosis,
    ...(ran.detail ? { detail: ran.detail } : {}),
    ...(ran.outcome !== "pass" && ran.outcome !== "unsupported" ? { reproduce: reproduceCommand(c.id, engineArgs, options.fixtures ?? []) } : {}),
    ...(expectation?.kind === "fail" && ran.outcome !== "unsupported" ? { outcome: ran.outcome } : {}),
  };
}
