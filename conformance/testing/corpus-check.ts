/**
 * Runs an engine over the shipped corpus with its committed expectations file and lists what does
 * not match it (spec/adapter.md §5). A test calls this so that a regression — a case that starts to
 * fail, an explained failure that starts to pass, an entry that no longer matches a case — shows.
 */
import { readFileSync } from "node:fs";
import type { Engine } from "../engine.ts";
import { parseExpectations } from "../expectations.ts";
import { formatLoadError, loadFixtureDir } from "../fixtures/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { runSuite } from "../runner.ts";
import type { SuiteResult } from "../verdict.ts";

export interface CorpusCheck {
  readonly result: SuiteResult;
  /** One line per disagreement with the expectations file; empty when the run is as expected. */
  readonly problems: string[];
}

/**
 * `unsupported` lists the reasons an engine may give for not running a case (its missing features,
 * or what it told the runner); an unsupported case with any other reason is a problem, so a case
 * that silently stops being run is caught too.
 */
export async function checkCorpus(engine: Engine, expectationsFile: string, unsupported: RegExp, fixturesDir = defaultFixturesDir()): Promise<CorpusCheck> {
  const loaded = loadFixtureDir(fixturesDir);
  const parsed = parseExpectations(readFileSync(expectationsFile, "utf8"), expectationsFile);
  const result = await runSuite(engine, loaded.cases, { ...(loaded.gradientCases ? { gradientCases: loaded.gradientCases } : {}), expectations: parsed.expectations, diagnose: false, timeoutMs: 60_000 });
  const problems = [
    ...loaded.errors.map(formatLoadError),
    ...parsed.errors,
    ...result.warnings,
    ...result.cases
      .filter((v) => v.status === "fail" || v.status === "error" || v.status === "unexpected-pass")
      .map((v) => `${v.id}: ${v.status}: ${v.message}`),
    ...result.cases
      .filter((v) => v.status === "unsupported" && !unsupported.test(v.message))
      .map((v) => `${v.id}: unsupported for an unexpected reason: ${v.message}`),
  ];
  return { result, problems };
}
