/**
 * Property-based tests (fast-check): metamorphic relations on random cases, agreement with the
 * reference, and fixture-anchored relations where Keras stays the oracle. Seeded and replayable:
 * each result reports the seed and fast-check's `path` of its counterexample.
 */
import fc from "fast-check";
import type { FixtureCase } from "../case.ts";
import type { Engine } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import { unsupportedReason } from "../unsupported-case.ts";
import { buildCase, caseSpecArbitrary, type CaseSpec } from "./arbitraries.ts";
import { counterexampleFixture } from "./counterexample.ts";
import { fixtureProperties } from "./fixture-anchored.ts";
import { metamorphicProperties } from "./metamorphic.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import type { FixtureProperty, GeneratedProperty, Property, Violation } from "./property.ts";

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
  specSection: string;
  timeMs?: number;
}

export interface RunPropertiesOptions {
  numRuns: number;
  seed: number;
  fixtures?: readonly FixtureCase[];
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

export const properties: readonly Property[] = [...metamorphicProperties, ...fixtureProperties];

const base = (p: Property, seed: number) => ({ id: p.id, seed, referenceChecked: p.referenceChecked, specSection: p.specSection });

async function runGenerated(engine: Engine, p: GeneratedProperty, o: RunPropertiesOptions): Promise<PropertyResult> {
  let lastViolation: Violation | null = null;
  let lastError: unknown = null;
  const declined = new Declined();
  const arbitrary = caseSpecArbitrary({ features: engine.features, fixed: p.fixed ?? {} });
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (spec: CaseSpec) => {
      try {
        const v = await p.check(engine, buildCase(spec), spec);
        if (v) lastViolation = v;
        return v === null;
      } catch (e) {
        const reason = unsupportedReason(e);
        if (reason !== null) return declined.discard(reason);
        lastError = e;
        lastViolation = { message: `engine threw: ${e instanceof Error ? e.message : String(e)}`, case: buildCase(spec) };
        return false;
      }
    }),
    { numRuns: o.numRuns, seed: o.seed, ...(o.timeoutMs ? { interruptAfterTimeLimit: o.timeoutMs } : {}) },
  );
  return finish(p, o, details, lastViolation, lastError, declined);
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
  let lastViolation: Violation | null = null;
  let lastError: unknown = null;
  const declined = new Declined();
  const details = await fc.check(
    fc.asyncProperty(fc.nat({ max: usable.length - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (index, seed) => {
      try {
        const v = await p.check(engine, usable[index]!, seed);
        if (v) lastViolation = v;
        return v === null;
      } catch (e) {
        const reason = unsupportedReason(e);
        if (reason !== null) return declined.discard(`${usable[index]!.id}: ${reason}`);
        lastError = e;
        lastViolation = { message: `engine threw on ${usable[index]!.id}: ${e instanceof Error ? e.message : String(e)}`, case: usable[index]! };
        return false;
      }
    }),
    { numRuns: o.numRuns, seed: o.seed, ...(o.timeoutMs ? { interruptAfterTimeLimit: o.timeoutMs } : {}) },
  );
  return finish(p, o, details, lastViolation, lastError, declined);
}

async function finish<T>(p: Property, o: RunPropertiesOptions, details: fc.RunDetails<T>, violation: Violation | null, error: unknown, declined: Declined): Promise<PropertyResult> {
  const drawn = details.numRuns + declined.count;
  const declinedNote = `the engine declined ${declined.count} of ${drawn} drawn case(s) (UnsupportedCaseError), e.g. ${declined.reason}`;
  // fast-check fails a run that hit too many discards (failed preconditions) without any violation
  if (!details.failed || (!violation && declined.count > 0)) {
    if (declined.count > 0 && (details.numRuns === 0 || declined.count > MAX_DECLINED_FRACTION * drawn)) {
      return { ...base(p, o.seed), status: "unsupported", runs: details.numRuns, message: `${declinedNote}; too few cases ran to test the property` };
    }
    return { ...base(p, o.seed), status: "pass", runs: details.numRuns, ...(declined.count > 0 ? { message: `${declinedNote}; discarded` } : {}) };
  }
  if (!violation) {
    return { ...base(p, o.seed), status: "error", runs: details.numRuns, message: String(details.errorInstance ?? error ?? "property failed") };
  }
  const v: Violation = violation;
  let expected = v.expected;
  let note = p.kind === "fixture" ? "expected outputs are Keras's outputs of the fixture case, transformed exactly" : "";
  if (!expected) {
    try {
      expected = await referenceEngine.run(v.case);
      note = "expected outputs computed by the float64 reference, not by Keras";
    } catch (e) {
      note = `the reference could not compute this case: ${(e as Error).message}`;
    }
  }
  return {
    ...base(p, o.seed),
    status: "fail",
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
        result = { ...base(p, options.seed), status: "error", runs: 0, message: e instanceof Error ? e.message : String(e) };
      }
    }
    results.push({ ...result, timeMs: performance.now() - started });
  }
  return results;
}
