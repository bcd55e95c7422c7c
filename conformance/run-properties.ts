/**
 * Runs the property-based tests (conformance/properties/) as part of a suite run. Their results
 * join the report as the family `property` (ids `property/<name>`).
 */
import type { FixtureCase } from "./case.ts";
import type { Engine } from "./engine.ts";
import type { PropertyResult } from "./verdict.ts";

export interface PropertyOptions {
  /** Runs per property; 0 = none. */
  readonly numRuns: number;
  readonly seed: number;
  /** Cases that fixture-anchored properties draw from. */
  readonly fixtures: readonly FixtureCase[];
}

type PropertiesModule = typeof import("./properties/index.ts");

/** The properties' entry point, loaded lazily: a run without properties does not load fast-check. */
async function loadProperties(): Promise<PropertiesModule> {
  return import("./properties/index.ts");
}

export async function runPropertySuite(engine: Engine, options: PropertyOptions, timeoutMs: number): Promise<PropertyResult[]> {
  let module: PropertiesModule;
  try {
    module = await loadProperties();
  } catch (e) {
    return [{ id: "property/load", status: "error", runs: 0, message: `cannot load the property tests: ${(e as Error).message}`, seed: options.seed, referenceChecked: false, specSection: "spec/adapter.md §4" }];
  }
  try {
    const results = await module.runProperties(engine, { numRuns: options.numRuns, seed: options.seed, fixtures: options.fixtures, timeoutMs });
    // Keep the fields of the report schema only (spec/report.schema.json).
    return results.map((r) => ({
      id: r.id.startsWith("property/") ? r.id : `property/${r.id}`,
      status: r.status,
      runs: r.runs,
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.counterexample !== undefined ? { counterexample: r.counterexample } : {}),
      seed: r.seed,
      referenceChecked: r.referenceChecked,
      specSection: r.specSection,
      ...(r.timeMs !== undefined ? { timeMs: r.timeMs } : {}),
    }));
  } catch (e) {
    return [{ id: "property/run", status: "error", runs: 0, message: `the property tests crashed: ${(e as Error).message}`, seed: options.seed, referenceChecked: false, specSection: "spec/adapter.md §4" }];
  }
}
