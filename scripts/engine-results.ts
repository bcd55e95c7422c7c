/**
 * Runs the corpus against every engine of `scripts/engine-results/engines.ts` through the real CLI, keeps each JSON report in
 * results/engines/<engine>.json and regenerates the README block between
 * `<!-- engine-results:start -->` and `<!-- engine-results:end -->` from those reports.
 *
 *     npx tsx scripts/engine-results.ts                # every engine
 *     npx tsx scripts/engine-results.ts --only tfjs    # one engine (repeatable); the others' reports are kept
 *     npx tsx scripts/engine-results.ts --render-only  # only the README block, from the committed reports
 *     npx tsx scripts/engine-results.ts --timeout 60000  # per-case timeout for the CLI (default its own, 10 s): a loaded machine
 *
 * No property-based tests (`--properties 0`): the table is about the Keras fixtures. Exit 1 when an
 * engine could not be run (its previous report is kept and the README is still regenerated).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { packageRoot } from "../conformance/package-paths.ts";
import { fromJsonReport, toJsonReport } from "../conformance/reports/json.ts";
import { ENGINE_RUNS, loadCommittedReports, PYTHON, reportFile, RESULTS_DIR, type EngineRun } from "./engine-results/engines.ts";
import { formatSeconds, renderEngineResults, replaceBlock } from "./engine-results/render.ts";
import { stableReport } from "./engine-results/stable-report.ts";

const root = packageRoot();

function cliArgs(run: EngineRun, out: string, timeout: string | undefined): string[] {
  const engine = "builtIn" in run.engine ? ["--engine", run.engine.builtIn] : ["--engine-cmd", run.engine.command];
  const expectations = run.expectations ? ["--expectations", run.expectations] : [];
  // A case that times out is an error in the report: on a machine shared with other jobs a slow engine
  // (real Keras) can exceed the CLI's default, which says nothing about the engine's results.
  const timeouts = timeout !== undefined ? ["--timeout", timeout] : [];
  return ["conformance/cli.ts", ...engine, ...expectations, ...timeouts, "--properties", "0", "--report", "json", "--out", out];
}

/** Runs one engine; returns an error message, or null when its report was written. */
function runEngine(run: EngineRun, scratch: string, timeout: string | undefined): string | null {
  if ("command" in run.engine && !existsSync(join(root, PYTHON))) {
    return `${run.name} needs the Python venv at ${join(root, PYTHON)}; create it with \`bash scripts/keras-env.sh true\` (it installs numpy, torch 2.13.0, Keras and tf_keras), then rerun`;
  }
  const tmp = join(scratch, `${run.name}.json`);
  const started = performance.now();
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const r = spawnSync(tsx, cliArgs(run, tmp, timeout), { cwd: root, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - started;
  // Exit 0 conformant, 1 not conformant: both are results. 2 (usage or load error) or a signal is not.
  if (r.error || (r.status !== 0 && r.status !== 1) || !existsSync(tmp)) {
    return `${run.name}: the CLI ${r.error ? `could not start: ${r.error.message}` : `exited with ${r.status ?? r.signal}`}\n${r.stderr ?? ""}`;
  }
  const report = stableReport(fromJsonReport(readFileSync(tmp, "utf8"), tmp));
  writeFileSync(reportFile(run.name), toJsonReport(report));
  const c = report.counts;
  console.log(
    `${run.name.padEnd(13)} ${report.engine.version.padEnd(28)} pass ${c.pass}, fail ${c.fail + c["unexpected-pass"]}, known ${c["known-failure"]}, unsupported ${c.unsupported}, error ${c.error}; corpus ${formatSeconds(report.durationMs)}, wall ${formatSeconds(wall)} (with engine start)`,
  );
  return null;
}

function main(): number {
  const { values } = parseArgs({ options: { only: { type: "string", multiple: true }, "render-only": { type: "boolean" }, timeout: { type: "string" } }, strict: true });
  const names = ENGINE_RUNS.map((r) => r.name);
  const unknown = (values.only ?? []).filter((n) => !names.includes(n));
  if (unknown.length > 0) {
    console.error(`unknown engine ${unknown.join(", ")}; one of ${names.join(", ")}`);
    return 2;
  }
  const selected = values["render-only"] ? [] : ENGINE_RUNS.filter((r) => values.only === undefined || values.only.includes(r.name));
  mkdirSync(join(root, RESULTS_DIR), { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "engine-results-"));
  const problems: string[] = [];
  try {
    for (const run of selected) {
      const problem = runEngine(run, scratch, values.timeout);
      if (problem !== null) problems.push(problem);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const p of problems) console.error(`error: ${p}`);

  let committed;
  try {
    committed = loadCommittedReports();
  } catch (e) {
    console.error(`README not regenerated: ${(e as Error).message}`);
    return 1;
  }
  const readmePath = join(root, "README.md");
  const block = renderEngineResults(committed);
  writeFileSync(readmePath, replaceBlock(readFileSync(readmePath, "utf8"), block));
  console.log(`README.md engine results regenerated from ${RESULTS_DIR}/*.json`);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = main();
