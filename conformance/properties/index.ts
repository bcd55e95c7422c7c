/**
 * Property-based tests (fast-check): metamorphic relations on random cases, agreement with the
 * reference, and fixture-anchored relations where Keras stays the oracle. Seeded and replayable:
 * each result reports the seed and fast-check's `path` of its counterexample.
 */
import fc from "fast-check";
import type { FixtureCase, LayerCase } from "../case.ts";
import type { Engine } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import { unsupportedReason } from "../unsupported-case.ts";
import { buildCase, caseSpecArbitrary, type CaseSpec } from "./arbitraries.ts";
import { counterexampleFixture } from "./counterexample.ts";
import { fixtureProperties } from "./fixture-anchored.ts";
import { metamorphicProperties } from "./metamorphic.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import { MalformedOutputsError, type FixtureProperty, type GeneratedProperty, type Property, type Violation } from "./property.ts";
import { describeThrown } from "../untrusted.ts";

export interface PropertyResult {
  id: string;
  status: "pass" | "fail" | "unsupported" | "error";
  runs: number;
  message?: string;
  /** The shrunk counterexample as a ready-to-run fixture file (JSON). */
  counterexample?: unknown;
  seed: number;
  /** fast-check's replay path of the counterexample (`{ seed, path }` replays it). */
  path?: string;
  /** True when the reference is the oracle (not Keras). */
  referenceChecked: boolean;
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

/** Runs each drawn case's check for fast-check and remembers the last finding and the declined cases. */
class Checker {
  last: Finding | null = null;
  readonly declined = new Declined();

  /** True when the relation holds on `c`; `where` names a fixture case in messages. */
  async holds(check: () => Promise<Violation | null>, c: LayerCase, expected?: Violation["expected"], where?: string): Promise<boolean> {
    try {
      const v = await check();
      if (v) this.last = { status: "fail", violation: v };
      return v === null;
    } catch (e) {
      const reason = unsupportedReason(e);
      if (reason !== null) return this.declined.discard(where ? `${where}: ${reason}` : reason);
      const malformed = e instanceof MalformedOutputsError;
      const message = malformed ? e.message : `engine threw${where ? ` on ${where}` : ""}: ${describeThrown(e)}`;
      this.last = { status: malformed ? e.status : "error", violation: { message, case: c, ...(expected ? { expected } : {}) } };
      return false;
    }
  }
}

export const properties: readonly Property[] = [...metamorphicProperties, ...fixtureProperties];

const base = (p: Property, seed: number) => ({ id: p.id, seed, referenceChecked: p.referenceChecked, evidence: p.evidence, specSection: p.specSection });

async function runGenerated(engine: Engine, p: GeneratedProperty, o: RunPropertiesOptions): Promise<PropertyResult> {
  const checker = new Checker();
  const arbitrary = caseSpecArbitrary({ features: engine.features, fixed: p.fixed ?? {}, longFraction: o.longFraction ?? LONG_FRACTION });
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (spec: CaseSpec) => {
      const c = buildCase(spec);
      return checker.holds(() => p.check(engine, c, spec), c);
    }),
    { numRuns: o.numRuns, seed: o.seed, ...(o.timeoutMs ? { interruptAfterTimeLimit: o.timeoutMs } : {}) },
  );
  return finish(p, o, details, checker);
}

async function runFixtureAnchored(engine: Engine, p: FixtureProperty, o: RunPropertiesOptions): Promise<PropertyResult> {
  const supported = (o.fixtures ?? []).filter((c) => missingFeatures(requiredFeatures(c), engine.features).length === 0);
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
      return checker.holds(() => p.check(engine, c, seed), c, c.expected.map((e) => e.outputs), c.id);
    }),
    { numRuns: o.numRuns, seed: o.seed, ...(o.timeoutMs ? { interruptAfterTimeLimit: o.timeoutMs } : {}) },
  );
  return finish(p, o, details, checker);
}

async function finish<T>(p: Property, o: RunPropertiesOptions, details: fc.RunDetails<T>, checker: Checker): Promise<PropertyResult> {
  const { declined, last } = checker;
  const drawn = details.numRuns + declined.count;
  const declinedNote = `the engine declined ${declined.count} of ${drawn} drawn case(s) (UnsupportedCaseError), e.g. ${declined.reason}`;
  // fast-check fails a run that hit too many discards (failed preconditions) without any violation
  if (!details.failed || (!last && declined.count > 0)) {
    if (declined.count > 0 && (details.numRuns === 0 || declined.count > MAX_DECLINED_FRACTION * drawn)) {
      return { ...base(p, o.seed), status: "unsupported", runs: details.numRuns, message: `${declinedNote}; too few cases ran to test the property` };
    }
    return { ...base(p, o.seed), status: "pass", runs: details.numRuns, ...(declined.count > 0 ? { message: `${declinedNote}; discarded` } : {}) };
  }
  if (!last) {
    return { ...base(p, o.seed), status: "error", runs: details.numRuns, message: describeThrown(details.errorInstance ?? "property failed") };
  }
  const v = last.violation;
  let expected = v.expected;
  let note = p.kind === "fixture" ? "expected outputs are Keras's outputs of the fixture case, transformed exactly" : "";
  if (!expected) {
    try {
      expected = await referenceEngine.run(v.case);
      note = "expected outputs computed by the float64 reference, not by Keras";
    } catch (e) {
      note = `the reference could not compute this case: ${describeThrown(e)}`;
    }
  }
  return {
    ...base(p, o.seed),
    status: last.status,
    runs: details.numRuns,
    message: `${v.message} (replay: --seed ${o.seed}, fast-check path "${details.counterexamplePath ?? ""}")`,
    counterexample: counterexampleFixture(v.case, { propertyId: p.id, note, tolerance: BASE_TOLERANCE, seed: o.seed, expected: expected ?? [] }),
    ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
  };
}

/** Runs every property against `engine`. */
export async function runProperties(engine: Engine, options: RunPropertiesOptions): Promise<PropertyResult[]> {
  const results: PropertyResult[] = [];
  for (const p of properties) {
    if (options.only && !options.only.includes(p.id)) continue;
    const started = performance.now();
    const missing = missingFeatures(p.requires, engine.features);
    let result: PropertyResult;
    if (missing.length > 0) {
      result = { ...base(p, options.seed), status: "unsupported", runs: 0, message: `engine does not implement: ${missing.join(", ")}` };
    } else {
      try {
        result = p.kind === "generated" ? await runGenerated(engine, p, options) : await runFixtureAnchored(engine, p, options);
      } catch (e) {
        result = { ...base(p, options.seed), status: "error", runs: 0, message: describeThrown(e) };
      }
    }
    results.push({ ...result, timeMs: performance.now() - started });
  }
  return results;
}
