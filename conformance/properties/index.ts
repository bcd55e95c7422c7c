/**
 * Property-based tests (fast-check): metamorphic relations on random cases, agreement with the
 * reference, and fixture-anchored relations where Keras stays the oracle. Seeded and replayable.
 * A failure is made as useful as a failing case (spec/adapter.md §4.2): its shrunk counterexample is
 * saved as a fixture file that `--fixtures <file>` reruns, its config is described in one line, and
 * it is diagnosed like a case (conformance/diagnose.ts). Fixture-anchored properties fold draws
 * whose anchor case the engine fails by itself into that case's failure (fixture-anchored.ts).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { cellLayers, hasBidirectional, type FixtureCase, type LayerCase } from "../case.ts";
import { cellOf, type CellKind } from "../cells.ts";
import { diagnose } from "../diagnose.ts";
import type { Engine, EngineOutputs, Feature } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import { BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE, missingFeatures, requiredFeatures } from "../features.ts";
import { loadFixtureFile, parseFixtureJson } from "../fixtures/load.ts";
import { checkOutputs } from "../outputs.ts";
import { DEFAULT_TIMEOUT_MS, engineView, runWithTimeout, shellQuote } from "../runner.ts";
import { unsupportedReason } from "../unsupported-case.ts";
import type { Diagnosis } from "../verdict.ts";
import { buildCase, caseSpecArbitrary, cellOfKind, implementedCells, type CaseSpec } from "./arbitraries.ts";
import { counterexampleFixture, describeCase, oracleNote, writeCounterexample, type Oracle } from "./counterexample.ts";
import { Anchors, fixtureProperties } from "./fixture-anchored.ts";
import { metamorphicProperties } from "./metamorphic.ts";
import { gradientProperties } from "./gradient-properties.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import { differences, MalformedOutputsError, type FixtureProperty, type GeneratedProperty, type Property, type Violation } from "./property.ts";
import { describeThrown, detach } from "../untrusted.ts";

export interface PropertyResult {
  id: string;
  status: "pass" | "fail" | "unsupported" | "error";
  runs: number;
  message?: string;
  /** The shrunk counterexample as a ready-to-run fixture file (JSON). */
  counterexample?: unknown;
  /** Where that fixture file was saved (`--fixtures <file>` reruns it). */
  counterexampleFile?: string;
  /** The counterexample diagnosed like a failing case; null: no known mistake explains it. Absent when not diagnosed. */
  diagnosis?: Diagnosis | null;
  /** Fixture-anchored properties: anchor cases skipped because the engine fails them untransformed (fixture-anchored.ts). */
  folded?: Folded;
  /**
   * Per cell drawn (a case counts for every cell it has): the draws checked and the draws the engine
   * declined. A cell most of whose draws were declined is *not tested* by this property (the message
   * says so), and the property is unsupported when that holds for every cell drawn. Not in the JSON
   * report (spec/report.schema.json); the message carries what a reader needs.
   */
  cells?: Partial<Record<CellKind, CellDraws>>;
  seed: number;
  /** fast-check's replay path of the counterexample (`{ seed, path }` replays it). */
  path?: string;
  /** True when the reference is the oracle (not Keras). */
  referenceChecked: boolean;
  /** An unsupported property's scope features the engine lacks (levels.ts `SCOPE_FEATURES`): out of its scope, counted toward no level. */
  missingFeatures?: readonly Feature[];
  /** The property's `evidence` (property.ts): only a pass of a property that every trivial engine fails counts toward a level. */
  evidence: boolean;
  specSection: string;
  timeMs?: number;
}

export interface RunPropertiesOptions {
  numRuns: number;
  seed: number;
  fixtures?: readonly FixtureCase[];
  /** The fraction of generated cases that are long sequences (arbitraries.ts LONG_SEQUENCES); default LONG_FRACTION. */
  longFraction?: number;
  /** Per property: fast-check stops drawing new cases after this long (the runs done so far count). */
  timeoutMs?: number;
  /** Only these property ids (default: all). */
  only?: readonly string[];
  /**
   * Fixture cases the fixture-anchored properties must not draw, e.g. those the engine's expectations
   * file lists as known failures or skips (their difference is already reported, with its reason).
   */
  exclude?: (caseId: string) => boolean;
  /** Where counterexample files go; default a fresh folder under os.tmpdir(), made on the first failure. */
  counterexampleDir?: string;
  /** How the rerun command names the engine, e.g. `--engine ./my-lstm.ts`; default `--engine <engine.name>`. */
  engineArgs?: string;
  /** Default true: diagnose each counterexample like a failing case. */
  diagnose?: boolean;
}

/** What one property did with one cell's draws. */
export interface CellDraws {
  /** Draws whose relation was checked (held or not). */
  checked: number;
  /** Draws the engine declined (UnsupportedCaseError). */
  declined: number;
}

/** Draws skipped because their anchor case fails by itself, and those anchors' ids. */
export interface Folded {
  readonly draws: number;
  readonly cases: readonly string[];
}

/**
 * Drawn cases an engine declined (`UnsupportedCaseError`, spec/adapter.md §2) are discarded, not
 * counted as violations. When more than this fraction of the drawn cases was declined, the property
 * says little about the engine: it is reported *unsupported* with the engine's reason, not *pass*.
 */
const MAX_DECLINED_FRACTION = 0.5;

/**
 * One case in twenty is a long sequence (T in the hundreds), so that a bug appearing only past a
 * fixed buffer size or after many steps is drawn: with the default 100 runs, about five per property.
 */
export const LONG_FRACTION = 0.05;

/** Counts the cases an engine declined while a property ran, and keeps one reason. */
class Declined {
  count = 0;
  reason = "";
  /** fast-check discards the current example (as a failed precondition). */
  discard(reason: string): never {
    this.count++;
    this.reason ||= reason;
    fc.pre(false);
    throw new Error("unreachable: fc.pre(false) throws");
  }
}

/**
 * The last drawn case that did not hold: the relation failed (`fail`), or the engine could not
 * answer — it threw or returned malformed outputs (`error`, as for a case, spec/adapter.md §4.1).
 * Shrinking ends on a failing case, so the last one recorded is the shrunk counterexample.
 */
interface Finding {
  readonly status: "fail" | "error";
  readonly violation: Violation;
}

/** The distinct cells of a case's recurrent layers, in the order of conformance/cells.ts (LSTM first). */
function cellsOf(c: LayerCase): CellKind[] {
  const kinds = new Set(cellLayers(c).map((l) => cellOf(l).kind));
  return (["lstm", "gru", "simple_rnn"] as const).filter((k) => kinds.has(k));
}

/** Runs each drawn case's check for fast-check and remembers the last finding, the declined and the folded draws. */
class Checker {
  last: Finding | null = null;
  readonly declined = new Declined();
  foldedDraws = 0;
  readonly foldedCases = new Set<string>();
  /** Per cell: checked and declined draws (shrinking included, like `declined`). */
  readonly byCell = new Map<CellKind, CellDraws>();

  /**
   * Skips a draw whose anchor case fails by itself (fixture-anchored.ts, spec/adapter.md §5): fast-check
   * discards it like a declined case. Counted only until the first finding: later calls are shrinking.
   */
  fold(caseId: string): never {
    if (!this.last) {
      this.foldedDraws++;
      this.foldedCases.add(caseId);
    }
    fc.pre(false);
    throw new Error("unreachable: fc.pre(false) throws");
  }

  get folded(): Folded | undefined {
    return this.foldedDraws > 0 ? { draws: this.foldedDraws, cases: [...this.foldedCases] } : undefined;
  }

  /** A declined draw of `c` (spec/adapter.md §2): discarded, counted for each of its cells. */
  decline(c: LayerCase, reason: string): never {
    this.count(c, "declined");
    return this.declined.discard(reason);
  }

  private count(c: LayerCase, what: keyof CellDraws): void {
    for (const kind of cellsOf(c)) {
      const d = this.byCell.get(kind) ?? { checked: 0, declined: 0 };
      d[what]++;
      this.byCell.set(kind, d);
    }
  }

  /** True when the relation holds on `c`; `anchor`: the fixture case it was drawn from (named in messages; Keras's outputs are the oracle). */
  async holds(check: () => Promise<Violation | null>, c: LayerCase, anchor?: FixtureCase): Promise<boolean> {
    try {
      const v = await check();
      this.count(c, "checked");
      if (v) this.last = { status: "fail", violation: v };
      return v === null;
    } catch (e) {
      const reason = unsupportedReason(e);
      if (reason !== null) return this.decline(c, anchor ? `${anchor.id}: ${reason}` : reason);
      this.count(c, "checked");
      const malformed = e instanceof MalformedOutputsError;
      const message = malformed ? e.message : `engine threw${anchor ? ` on ${anchor.id}` : ""}: ${describeThrown(e)}`;
      const keras = anchor ? { expected: anchor.expected.map((x) => x.outputs), tolerance: anchor.tolerance } : {};
      this.last = { status: malformed ? e.status : "error", violation: { message, case: c, ...keras } };
      return false;
    }
  }
}

export const properties: readonly Property[] = [...metamorphicProperties, ...fixtureProperties, ...gradientProperties];

const base = (p: Property, seed: number) => ({ id: p.id, seed, referenceChecked: p.referenceChecked, evidence: p.evidence, specSection: p.specSection });

/** What one `runProperties` call shares among its properties. */
interface RunContext {
  readonly engine: Engine;
  readonly options: RunPropertiesOptions;
  readonly anchors: Anchors;
  /** The folder for counterexample files, made on first use. */
  readonly counterexampleDir: () => string;
}

async function runGenerated(ctx: RunContext, p: GeneratedProperty): Promise<PropertyResult> {
  const { engine, options: o } = ctx;
  const checker = new Checker();
  // Every cell the engine implements is drawn (a cell it lacks never is: spec/adapter.md §2); the relation is the same for each.
  const arbitrary = caseSpecArbitrary({ features: engine.features, fixed: p.fixed ?? {}, longFraction: o.longFraction ?? LONG_FRACTION, cells: implementedCells(engine.features) });
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (spec: CaseSpec) => {
      const c = buildCase(spec);
      return checker.holds(() => p.check(engine, c, spec), c);
    }),
    { numRuns: o.numRuns, seed: o.seed, ...(o.timeoutMs ? { interruptAfterTimeLimit: o.timeoutMs } : {}) },
  );
  return finish(ctx, p, details, checker);
}

async function runFixtureAnchored(ctx: RunContext, p: FixtureProperty): Promise<PropertyResult> {
  const { engine, options: o } = ctx;
  const anchors = (o.fixtures ?? []).filter((c) => hasBidirectional(c) === (p.anchors === "bidirectional"));
  const lacksBidirectional = missingFeatures([BIDIRECTIONAL_FEATURE], engine.features).length > 0;
  if (p.anchors === "bidirectional" && (anchors.length === 0 || lacksBidirectional)) {
    // Out of scope, like the engine's Bidirectional cases (levels.ts SCOPE_FEATURES): it counts toward no level.
    const why = lacksBidirectional ? "the engine does not implement bidirectional" : "the run has no Bidirectional fixture case";
    return { ...base(p, o.seed), status: "unsupported", runs: 0, missingFeatures: [BIDIRECTIONAL_FEATURE], message: `${why}: this property's anchors are Bidirectional cases (out of scope)` };
  }
  const supported = anchors.filter((c) => missingFeatures(requiredFeatures(c), engine.features).length === 0);
  const usable = supported.filter((c) => !(o.exclude?.(c.id) ?? false));
  if (usable.length === 0) {
    const why = (o.fixtures ?? []).length === 0
      ? "no fixture cases given"
      : supported.length === 0
        ? "the engine supports none of the fixture cases' features"
        : "every fixture case the engine supports is excluded (listed in its expectations file)";
    return { ...base(p, o.seed), status: "unsupported", runs: 0, message: why };
  }
  const checker = new Checker();
  const details = await fc.check(
    fc.asyncProperty(fc.nat({ max: usable.length - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (index, seed) => {
      const c = usable[index]!;
      // the anchor first, by itself: a transform of a case the engine already fails is that case's failure
      const anchor = await ctx.anchors.verdict(c);
      if (anchor.kind === "declined") return checker.decline(c, `${c.id}: ${anchor.reason}`);
      if (anchor.kind === "fails") return checker.fold(c.id);
      return checker.holds(() => p.check(engine, c, seed), c, c);
    }),
    { numRuns: o.numRuns, seed: o.seed, ...(o.timeoutMs ? { interruptAfterTimeLimit: o.timeoutMs } : {}) },
  );
  return finish(ctx, p, details, checker);
}

/** "3 anchor case(s) …, e.g. a, b, c": the folded anchors, named so that the reader finds their verdicts. */
function foldedNote(f: Folded): string {
  const shown = f.cases.slice(0, 3).join(", ");
  const more = f.cases.length > 3 ? `, and ${f.cases.length - 3} more` : "";
  return `${f.cases.length} anchor case(s) the engine fails by itself (${shown}${more}) were not used (${f.draws} draw(s) skipped): each is reported as that case's failure, not as a finding of this property`;
}

async function finish<T>(ctx: RunContext, p: Property, details: fc.RunDetails<T>, checker: Checker): Promise<PropertyResult> {
  const o = ctx.options;
  const { declined, last, folded } = checker;
  const drawn = details.numRuns + declined.count;
  const declinedNote = `the engine declined ${declined.count} of ${drawn} drawn case(s) (UnsupportedCaseError), e.g. ${declined.reason}`;
  const withFolded = folded ? { folded } : {};
  const cells = checker.byCell.size > 0 ? { cells: Object.fromEntries(checker.byCell) as Partial<Record<CellKind, CellDraws>> } : {};
  // fast-check fails a run that hit too many discards (failed preconditions) without any violation
  if (!details.failed || (!last && (declined.count > 0 || folded))) {
    if (folded && details.numRuns === 0) {
      // every draw was folded: the property tested nothing, and a pass would count toward a level (levels.ts)
      return { ...base(p, o.seed), status: "unsupported", runs: 0, message: `every anchor case drawn fails by itself (see those cases' verdicts): ${foldedNote(folded)}`, ...withFolded };
    }
    // A cell most of whose draws were declined is not tested (skipped for that cell, never passed on
    // it); the property says nothing when that holds for every cell drawn (with one cell: as before).
    const untested = [...checker.byCell].filter(([, d]) => d.declined > MAX_DECLINED_FRACTION * (d.checked + d.declined));
    const tooFew = checker.byCell.size > 1 ? untested.length === checker.byCell.size : declined.count > MAX_DECLINED_FRACTION * drawn;
    if (declined.count > 0 && (details.numRuns === 0 || tooFew)) {
      return { ...base(p, o.seed), status: "unsupported", runs: details.numRuns, message: `${declinedNote}; too few cases ran to test the property`, ...withFolded, ...cells };
    }
    const notTested = checker.byCell.size > 1 ? untested.map(([kind, d]) => `not tested on the ${cellOfKind(kind).className}: the engine declined ${d.declined} of its ${d.checked + d.declined} drawn case(s)`) : [];
    const notes = [...(declined.count > 0 ? [`${declinedNote}; discarded`] : []), ...notTested, ...(folded ? [foldedNote(folded)] : [])];
    return { ...base(p, o.seed), status: "pass", runs: details.numRuns, ...(notes.length > 0 ? { message: notes.join("; ") } : {}), ...withFolded, ...cells };
  }
  if (!last) {
    return { ...base(p, o.seed), status: "error", runs: details.numRuns, message: describeThrown(details.errorInstance ?? "property failed"), ...cells };
  }
  const found = await counterexample(ctx, p, last.violation);
  const lines = [
    last.violation.message,
    `case: ${describeCase(last.violation.case)}`,
    ...(found.diagnosis !== undefined ? [`diagnosis: ${found.diagnosis ? `${found.diagnosis.hypothesis} — ${found.diagnosis.explanation}` : "no known mistake explains it"}`] : []),
    ...found.notes,
    ...(folded ? [`folded: ${foldedNote(folded)}`] : []),
  ];
  return {
    ...base(p, o.seed),
    status: last.status,
    runs: details.numRuns,
    message: lines.join("\n"),
    counterexample: found.fixture,
    ...(found.file !== undefined ? { counterexampleFile: found.file } : {}),
    ...(found.diagnosis !== undefined ? { diagnosis: found.diagnosis } : {}),
    ...withFolded,
    ...cells,
    ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
  };
}

interface Counterexample {
  /** The fixture file's JSON. */
  readonly fixture: unknown;
  readonly file?: string;
  readonly diagnosis?: Diagnosis | null;
  /** Lines for the message: where the expected outputs come from, the file, the rerun command, or why there is none. */
  readonly notes: readonly string[];
}

/**
 * The shrunk counterexample as a fixture file: built, saved as `<dir>/<property-id>.json`, loaded
 * back as `--fixtures` loads it, and diagnosed like a failing case. Nothing here may turn the
 * property's result into a crash: a step that fails is said in the notes.
 */
async function counterexample(ctx: RunContext, p: Property, v: Violation): Promise<Counterexample> {
  const o = ctx.options;
  let expected = v.expected;
  let oracle: Oracle = v.expected && p.kind === "fixture" ? { kind: "keras", anchor: v.case.id, anchorFile: anchorFile(o, v.case.id) } : { kind: "reference" };
  if (!expected) {
    try {
      expected = await referenceEngine.run(v.case);
      oracle = { kind: "reference" };
    } catch (e) {
      // without expected outputs the file would not be a valid fixture (spec/fixture-format.md §3.2)
      const fixture = counterexampleFixture(v.case, { propertyId: p.id, oracle, tolerance: v.tolerance ?? BASE_TOLERANCE, seed: o.seed, expected: [] });
      return { fixture, notes: [`no counterexample file: the reference could not compute this case (${describeThrown(e)})`] };
    }
  }
  const tolerance = v.tolerance ?? BASE_TOLERANCE;
  const fixture = counterexampleFixture(v.case, { propertyId: p.id, oracle, tolerance, seed: o.seed, expected });
  const notes = [oracleNote(oracle)];
  let file: string | undefined;
  let loaded: FixtureCase | undefined;
  try {
    file = writeCounterexample(ctx.counterexampleDir(), p.id, fixture);
    const result = loadFixtureFile(file);
    loaded = result.cases[0];
    if (result.errors.length > 0 || !loaded) notes.push(`the counterexample file does not load (a bug of the suite): ${result.errors.map((e) => e.message).join("; ")}`);
  } catch (e) {
    notes.push(`could not save the counterexample (${describeThrown(e)}); it is in the JSON report's \`counterexample\``);
    loaded = parseFixtureJson(fixture, "(counterexample)").cases[0];
  }
  if (file !== undefined) {
    notes.push(`counterexample: ${file}`);
    notes.push(`rerun: ${["npx keras-rnn-conformance", o.engineArgs ?? `--engine ${shellQuote(ctx.engine.name)}`, `--fixtures ${shellQuote(file)}`, "--properties 0"].join(" ")}`);
  }
  if (!loaded || (o.diagnose ?? true) === false) return { fixture, ...(file !== undefined ? { file } : {}), notes };
  const judged = await judgeCounterexample(ctx.engine, loaded, o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (judged.note) notes.push(judged.note);
  return { fixture, ...(file !== undefined ? { file } : {}), ...(judged.diagnosis !== undefined ? { diagnosis: judged.diagnosis } : {}), notes };
}

/** The anchor's fixture file, for the provenance (transforms keep the case id). */
function anchorFile(o: RunPropertiesOptions, id: string): string {
  return o.fixtures?.find((c) => c.id === id)?.file ?? "its fixture file";
}

/**
 * The counterexample judged as the runner judges a case (runner.ts runOne): the engine's outputs,
 * checked and compared with the file's expected outputs, then diagnosed. Each step is bounded by
 * `timeoutMs` (runWithTimeout) and guarded: a diagnosis that throws or times out is no diagnosis.
 * `diagnosis` is absent when the engine gave no outputs to diagnose.
 */
async function judgeCounterexample(engine: Engine, c: FixtureCase, timeoutMs: number): Promise<{ diagnosis?: Diagnosis | null; note?: string }> {
  let returned: EngineOutputs;
  try {
    returned = detach(await runWithTimeout(() => engine.run(engineView(c)), timeoutMs));
  } catch (e) {
    return { note: `not diagnosed: rerun on the counterexample, the engine did not answer (${describeThrown(e)})` };
  }
  const checked = checkOutputs(returned, c);
  if (!checked.ok && checked.status === "error") return { note: `not diagnosed: ${checked.message}` };
  if (checked.ok && differences(checked.outputs as EngineOutputs, c.expected.map((e) => e.outputs), c.tolerance, c.id) === null) {
    // a metamorphic relation may fail between a case and its transformed copy while the case itself is right
    return { diagnosis: null, note: "as a case by itself the counterexample passes: the relation fails between it and a transformed copy of it, which the file does not hold" };
  }
  try {
    return { diagnosis: await runWithTimeout(() => diagnose(engine, c, returned), timeoutMs) };
  } catch {
    return { diagnosis: null, note: `not diagnosed: the diagnosis did not finish within ${timeoutMs} ms` };
  }
}

/** A fresh folder under os.tmpdir() named after the run (pid, time), made on the first counterexample. */
function lazyCounterexampleDir(given: string | undefined): () => string {
  let dir = given;
  return () => (dir ??= mkdtempSync(join(tmpdir(), `keras-rnn-conformance-counterexamples-${process.pid}-${Date.now()}-`)));
}

/** Runs every property against `engine`. */
export async function runProperties(engine: Engine, options: RunPropertiesOptions): Promise<PropertyResult[]> {
  const ctx: RunContext = { engine, options, anchors: new Anchors(engine), counterexampleDir: lazyCounterexampleDir(options.counterexampleDir) };
  const results: PropertyResult[] = [];
  for (const p of properties) {
    if (options.only && !options.only.includes(p.id)) continue;
    const started = performance.now();
    const missing = missingFeatures(p.requires, engine.features);
    let result: PropertyResult;
    if (missing.length > 0) {
      // Without `gradients` a gradient property is out of scope (levels.ts SCOPE_FEATURES), like a gradient case.
      const scope = missing.includes(GRADIENTS_FEATURE) ? { missingFeatures: [GRADIENTS_FEATURE] } : {};
      result = { ...base(p, options.seed), status: "unsupported", runs: 0, message: `engine does not implement: ${missing.join(", ")}`, ...scope };
    } else {
      try {
        result = p.kind === "generated" ? await runGenerated(ctx, p) : await runFixtureAnchored(ctx, p);
      } catch (e) {
        result = { ...base(p, options.seed), status: "error", runs: 0, message: describeThrown(e) };
      }
    }
    results.push({ ...result, timeMs: performance.now() - started });
  }
  return results;
}
