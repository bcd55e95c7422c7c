/**
 * Runs the property-based tests (conformance/properties/) as part of a suite run. Their results
 * join the report as the family `property` (ids `property/<name>`) and go through the engine's
 * expectations file like cases (spec/adapter.md §5): an entry `property/<name> fail <reason>` makes
 * its failure a known failure, `skip` does not run it. Fixture-anchored properties do not draw the
 * fixture cases the file lists (their difference is already reported, with its reason), nor those
 * the caller excludes.
 */
import type { FixtureCase } from "./case.ts";
import type { Engine } from "./engine.ts";
import { expectationFor, type Expectations } from "./expectations.ts";
import { describeThrown } from "./untrusted.ts";
import type { PropertyResult } from "./verdict.ts";

export interface PropertyOptions {
  /** Runs per property; 0 = none. */
  readonly numRuns: number;
  readonly seed: number;
  /** Cases that fixture-anchored properties draw from. */
  readonly fixtures: readonly FixtureCase[];
  /**
   * Fixture cases they must not draw besides those the expectations file lists, e.g. cases the
   * engine declined in this run (what it cannot run is no anchor for a relation).
   */
  readonly exclude?: (caseId: string) => boolean;
  /**
   * Where each failing property's shrunk counterexample is saved, as `<property-id>.json`, a fixture
   * file that `--fixtures <file>` reruns (spec/adapter.md §4.2). Default: a fresh folder under
   * os.tmpdir() named after the run, made only when a property fails.
   */
  readonly counterexampleDir?: string;
  /** How the rerun command names the engine (RunOptions.engineArgs), e.g. `--engine ./my-lstm.ts`; default `--engine <engine.name>`. */
  readonly engineArgs?: string;
  /** Default true: diagnose each counterexample like a failing case (conformance/diagnose.ts). */
  readonly diagnose?: boolean;
}

/** Every property's id as reported, for matching expectations-file entries (`property/<name>`). */
export async function propertyIds(): Promise<string[]> {
  const module = await loadProperties();
  return module.properties.map((p) => asPropertyId(p.id));
}

const asPropertyId = (id: string): string => (id.startsWith("property/") ? id : `property/${id}`);

/** The result as the expectations file says to count it (the same rules as for a case, runner.ts judgeCase). */
function withExpectation(r: PropertyResult, expectations: Expectations | undefined): PropertyResult {
  const e = expectationFor(expectations, r.id);
  if (!e || e.kind === "skip") return r;
  const expectation = { kind: e.kind, pattern: e.pattern, reason: e.reason };
  if (r.status === "unsupported") return { ...r, expectation };
  // Unlike a case, a property's pass is no news: its random cases may just have missed the
  // difference, so a pass under a `fail` entry stays a pass (spec/adapter.md §5).
  if (r.status === "pass") return { ...r, expectation, message: `passed in these runs; ${expectations!.file}:${e.line} lists it as failing (${e.reason})` };
  return { ...r, status: "known-failure", expectation, message: `known failure (${e.reason}): ${r.message ?? r.status}` };
}

type PropertiesModule = typeof import("./properties/index.ts");

/** The properties' entry point, loaded lazily: a run without properties does not load fast-check. */
async function loadProperties(): Promise<PropertiesModule> {
  return import("./properties/index.ts");
}

export async function runPropertySuite(engine: Engine, options: PropertyOptions, timeoutMs: number, expectations?: Expectations): Promise<PropertyResult[]> {
  let module: PropertiesModule;
  try {
    module = await loadProperties();
  } catch (e) {
    return [{ id: "property/load", status: "error", runs: 0, message: `cannot load the property tests: ${describeThrown(e)}`, seed: options.seed, referenceChecked: false, evidence: false, specSection: "spec/adapter.md §4" }];
  }
  try {
    // Properties the expectations file skips are not run; those it lists as failing still run (an unexpected pass is news).
    const skipped = module.properties.filter((p) => expectationFor(expectations, asPropertyId(p.id))?.kind === "skip");
    const only = module.properties.filter((p) => !skipped.includes(p)).map((p) => p.id);
    const results = await module.runProperties(engine, {
      numRuns: options.numRuns,
      seed: options.seed,
      fixtures: options.fixtures,
      timeoutMs,
      only,
      ...(options.counterexampleDir !== undefined ? { counterexampleDir: options.counterexampleDir } : {}),
      ...(options.engineArgs !== undefined ? { engineArgs: options.engineArgs } : {}),
      ...(options.diagnose !== undefined ? { diagnose: options.diagnose } : {}),
      exclude: (caseId) => expectationFor(expectations, caseId) !== undefined || (options.exclude?.(caseId) ?? false),
    });
    const skips: PropertyResult[] = skipped.map((p) => {
      const e = expectationFor(expectations, asPropertyId(p.id))!;
      return {
        id: asPropertyId(p.id), status: "skip", runs: 0, message: `skipped by ${expectations!.file}:${e.line}: ${e.reason}`, seed: options.seed,
        referenceChecked: p.referenceChecked, evidence: p.evidence, specSection: p.specSection, expectation: { kind: e.kind, pattern: e.pattern, reason: e.reason },
      };
    });
    // Keep the fields of the report schema only (spec/report.schema.json).
    const ran: PropertyResult[] = results.map((r) => ({
      id: asPropertyId(r.id),
      status: r.status,
      runs: r.runs,
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.counterexample !== undefined ? { counterexample: r.counterexample } : {}),
      ...(r.counterexampleFile !== undefined ? { counterexampleFile: r.counterexampleFile } : {}),
      ...(r.diagnosis !== undefined ? { diagnosis: r.diagnosis } : {}),
      ...(r.folded !== undefined ? { folded: r.folded } : {}),
      seed: r.seed,
      referenceChecked: r.referenceChecked,
      ...(r.missingFeatures !== undefined ? { missingFeatures: r.missingFeatures } : {}),
      evidence: r.evidence,
      specSection: r.specSection,
      ...(r.timeMs !== undefined ? { timeMs: r.timeMs } : {}),
    }));
    const order = module.properties.map((p) => asPropertyId(p.id));
    return [...ran.map((r) => withExpectation(r, expectations)), ...skips].sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
  } catch (e) {
    return [{ id: "property/run", status: "error", runs: 0, message: `the property tests crashed: ${describeThrown(e)}`, seed: options.seed, referenceChecked: false, evidence: false, specSection: "spec/adapter.md §4" }];
  }
}
