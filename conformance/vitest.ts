/**
 * The suite as vitest tests (spec/adapter.md §7): in a library's own test file,
 *
 *     import { defineConformanceTests } from "keras-rnn-conformance/vitest";
 *     import { myEngine } from "../src/my-lstm.ts";
 *     defineConformanceTests(myEngine);
 *
 * registers one `describe` per family and one `it` per case. A failing case fails its test with
 * the verdict's message, diagnosis and reproduction; an unsupported (non-core), skipped or
 * known-failing case is a skipped test (never a pass). A last test judges the whole run as the CLI
 * does (spec/adapter.md §4.3): a file whose every case was skipped is not green.
 */
import { describe, it } from "vitest";
import type { Engine } from "./engine.ts";
import { parseExpectations, type Expectations } from "./expectations.ts";
import { formatLoadError, loadFixtures } from "./fixtures/load.ts";
import { defaultFixturesDir } from "./package-paths.ts";
import { formatVerdict } from "./reports/console.ts";
import { DEFAULT_PROPERTY_RUNS, DEFAULT_SEED, DEFAULT_TIMEOUT_MS, runSuite } from "./runner.ts";
import { runPropertySuite } from "./run-properties.ts";
import { selectCases } from "./select.ts";
import type { ConformanceLevel } from "./levels.ts";
import { judgeRun, VERDICT_WORDS } from "./run-verdict.ts";
import { familyOf } from "./verdict.ts";
import { readFileSync } from "node:fs";

export interface ConformanceTestOptions {
  /** Fixture folders or files (default: the shipped corpus). */
  readonly fixtures?: readonly string[];
  /** Id prefixes to run (whole segments, like `--filter`). */
  readonly filter?: readonly string[];
  /** Path of an expectations file (spec/adapter.md §5). */
  readonly expectations?: string;
  readonly timeoutMs?: number;
  /** Default true. */
  readonly diagnose?: boolean;
  /** How failure messages name the engine in reproductions, e.g. `--engine ./src/my-lstm.ts`. */
  readonly engineArgs?: string;
  /** The level the last test requires, as `--level` (default core). */
  readonly level?: ConformanceLevel;
  /** Runs per property-based test, as `--properties` (default 100; 0 = none). */
  readonly properties?: number;
  /** Seed of the property-based tests, as `--seed` (default 1). */
  readonly seed?: number;
}

/** Without `engineArgs` the helper cannot know the engine's module: say so in every reproduction. */
const UNKNOWN_ENGINE_ARGS = "--engine <your-engine-module.ts>";

/** Registers the conformance suite for `engine` as vitest tests. Call it at the top level of a test file. */
export function defineConformanceTests(engine: Engine, options: ConformanceTestOptions = {}): void {
  const loaded = loadFixtures(options.fixtures ?? [defaultFixturesDir()]);
  const cases = selectCases(loaded.cases, options.filter ?? [], null);
  // Expectations entries are matched against every loaded case, not only the selected ones.
  const allIds = loaded.cases.map((k) => k.id);
  let expectations: Expectations | undefined;
  if (options.expectations !== undefined) {
    const parsed = parseExpectations(readFileSync(options.expectations, "utf8"), options.expectations);
    expectations = parsed.expectations;
    if (parsed.errors.length > 0) {
      describe("conformance expectations", () => it("parse", () => { throw new Error(parsed.errors.join("\n")); }));
    }
  }
  describe(`Keras LSTM conformance: ${engine.name} ${engine.version}`, () => {
    if (loaded.errors.length > 0 || cases.length === 0) {
      it("fixtures load", () => {
        throw new Error(cases.length === 0 ? "no fixture case selected" : loaded.errors.map(formatLoadError).join("\n"));
      });
    }
    // What each case's test saw, for the run's verdict at the end.
    const seen: { id: string; status: string; core: boolean }[] = [];
    const families = [...new Set(cases.map((c) => familyOf(c.id)))];
    for (const family of families) {
      describe(family, () => {
        for (const c of cases.filter((k) => familyOf(k.id) === family)) {
          const timeout = (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) * 3 + 5000;
          it(c.id, async (ctx) => {
            const result = await runSuite(engine, [c], {
              timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
              expectations,
              diagnose: options.diagnose ?? true,
              allIds,
              engineArgs: options.engineArgs ?? UNKNOWN_ENGINE_ARGS,
              ...(options.fixtures !== undefined ? { fixtures: options.fixtures } : {}),
            });
            const v = result.cases[0]!;
            seen.push({ id: v.id, status: v.status, core: v.core });
            if (v.status === "pass") return;
            // A core case must be supported (spec/adapter.md §4.1); any other may be skipped.
            if (v.status === "unsupported" && v.core) throw new Error(`${v.message}: a core case (Keras's default LSTM) must be supported`);
            if (v.status === "unsupported" || v.status === "skip" || v.status === "known-failure") {
              ctx.skip(`${v.status}: ${v.message}`);
              return;
            }
            throw new Error(formatVerdict(v));
          }, timeout);
        }
      });
    }
    // The properties, as the CLI runs them: the same verdict, not a greener one (spec/adapter.md §4.3).
    const numRuns = options.properties ?? DEFAULT_PROPERTY_RUNS;
    const properties: { status: string; evidence: boolean }[] = [];
    if (numRuns > 0) {
      it("property-based tests", async () => {
        const declined = new Set(seen.filter((v) => v.status === "unsupported").map((v) => v.id));
        const results = await runPropertySuite(engine, { numRuns, seed: options.seed ?? DEFAULT_SEED, fixtures: loaded.cases, exclude: (id) => declined.has(id), engineArgs: options.engineArgs ?? UNKNOWN_ENGINE_ARGS, diagnose: options.diagnose ?? true }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, expectations);
        properties.push(...results);
        const bad = results.filter((p) => p.status === "fail" || p.status === "error");
        if (bad.length > 0) throw new Error(bad.map((p) => `${p.status.toUpperCase()} ${p.id}: ${p.message ?? ""}`).join("\n\n"));
      }, 600_000);
    }
    const level = options.level ?? "core";
    it(`verdict: evidence of level ${level} (spec/adapter.md §4.3)`, () => {
      const j = judgeRun({ cases: seen, properties, loadErrors: loaded.errors.map(formatLoadError), strictExpectations: true, requiredLevel: level });
      if (seen.length < cases.length) throw new Error(`only ${seen.length} of ${cases.length} case tests ran: the verdict needs them all`);
      if (j.exitCode !== 0) throw new Error(`${VERDICT_WORDS[j.verdict]}: ${j.reasons.join("; ")}`);
    });
  });
}
