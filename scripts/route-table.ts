/**
 * Runs every route of `scripts/route-table/routes.ts` (spec/porting.md §17) over the whole corpus
 * through the real CLI — each a converter engine in the converter venv (scripts/converters-env.sh,
 * installed on first use) — keeps its JSON report in results/routes/<route>.json and its per-case
 * lowering, evidence and timings in results/routes/<route>.evidence.jsonl, and regenerates the
 * README block between `<!-- route-table:start -->` and `<!-- route-table:end -->` from those files.
 *
 *     npm run routes                                    # every route (about an hour on 2 shared cores)
 *     npx tsx scripts/route-table.ts --only tf2onnx-ort # one route (repeatable); the others' files are kept
 *     npx tsx scripts/route-table.ts --render-only      # only the README block, from the committed files
 *     npx tsx scripts/route-table.ts --sample [--only r] # CI: one case per family per converter, checked
 *                                                       # against the committed reports (exit 1 on any change)
 *
 * The routes reading tf2onnx's file (onnx-openvino, onnx-onnx2torch) share one fresh conversion cache
 * with tf2onnx-ort per invocation, so they run the very file tf2onnx-ort ran. Exit 1 when a route
 * could not be run (its previous files are kept and the README is still regenerated).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { packageRoot } from "../conformance/package-paths.ts";
import { fromJsonReport, toJsonReport } from "../conformance/reports/json.ts";
import { formatSeconds, replaceBlock } from "./engine-results/render.ts";
import { stableReport } from "./engine-results/stable-report.ts";
import { renderRouteTable, ROUTE_MARKERS } from "./route-table/render.ts";
import { ENGINE, ENV_SCRIPT, evidenceFile, loadCommittedRoutes, reportFile, RESULTS_DIR, ROUTES, type Route } from "./route-table/routes.ts";

const root = packageRoot();

/** The CLI arguments of one route's run: the protocol engine inside the converter venv, no property tests, no level required. */
function routeCliArgs(route: string, out: string, extra: readonly string[] = []): string[] {
  // Conversions take seconds a case on a shared machine: the default 10 s timeout would cut some.
  return ["conformance/cli.ts", "--engine-cmd", `bash ${ENV_SCRIPT} python ${ENGINE} ${route}`, "--properties", "0", "--level", "none", "--timeout", "600000", ...extra, "--report", "json", "--out", out];
}

function runRoute(route: Route, scratch: string, cache: string): string | null {
  const tmp = join(scratch, `${route.name}.json`);
  const evidence = join(scratch, `${route.name}.evidence.jsonl`);
  const started = performance.now();
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const env = { ...process.env, CONVERTER_EVIDENCE: evidence, CONVERTER_CACHE: cache };
  const r = spawnSync(tsx, routeCliArgs(route.name, tmp), { cwd: root, env, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  const wall = performance.now() - started;
  if (r.error || (r.status !== 0 && r.status !== 1) || !existsSync(tmp)) {
    return `${route.name}: the CLI ${r.error ? `could not start: ${r.error.message}` : `exited with ${r.status ?? r.signal}`}\n${(r.stderr ?? "").slice(-4000)}`;
  }
  const report = stableReport(fromJsonReport(readFileSync(tmp, "utf8"), tmp));
  writeFileSync(reportFile(route.name), toJsonReport(report));
  // A route whose every case the converter refused wrote no record: its evidence file is empty, not missing.
  if (existsSync(evidence)) renameSync(evidence, evidenceFile(route.name));
  else writeFileSync(evidenceFile(route.name), "");
  const c = report.counts;
  console.log(`${route.name.padEnd(22)} pass ${c.pass}, fail ${c.fail}, unsupported ${c.unsupported}, error ${c.error}; corpus ${formatSeconds(report.durationMs)}, wall ${formatSeconds(wall)}`);
  return null;
}

/** CI's sample (spec/porting.md §17.4): per family one case — a stateful LSTM (tf2onnx's divergence), a masked GRU (a Loop), a SimpleRNN stack with initial states, a Bidirectional GRU. */
const SAMPLE = ["lstm/stateful/twice/001", "gru/masking/start/001", "simple_rnn/stacked/initial_state/001", "bidirectional/merge/gru_ave/001"];

/**
 * Runs the sample on every route and compares each case's status with the committed report's: a
 * converter or wrapper whose behaviour moved (a pass becoming a failure, or a failure a pass — a
 * fixed converter, or a wrapper that stopped converting) fails CI until the table is regenerated.
 */
function runSample(scratch: string, only: readonly string[] | undefined): number {
  const committed = new Map(loadCommittedRoutes().map((r) => [r.route.name, r.report]));
  const mismatches: string[] = [];
  for (const route of ROUTES.filter((r) => r.sample && (only === undefined || only.includes(r.name)))) {
    const tmp = join(scratch, `${route.name}.json`);
    const started = performance.now();
    const want = committed.get(route.name)!.cases;
    // A route committed as a shard has only some cases: per family, the sample's case or the shard's first of that family.
    const sample = SAMPLE.map((id) => (want.some((v) => v.id === id) ? id : want.find((v) => v.id.split("/")[0] === id.split("/")[0])?.id)).filter((id): id is string => id !== undefined);
    const filters = sample.flatMap((id) => ["--filter", id]);
    const env = { ...process.env, CONVERTER_CACHE: join(scratch, "cache") };
    const r = spawnSync(join(root, "node_modules", ".bin", "tsx"), routeCliArgs(route.name, tmp, filters), { cwd: root, env, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    if (r.error || (r.status !== 0 && r.status !== 1) || !existsSync(tmp)) {
      mismatches.push(`${route.name}: the CLI ${r.error ? `could not start: ${r.error.message}` : `exited with ${r.status ?? r.signal}`}\n${(r.stderr ?? "").slice(-4000)}`);
      continue;
    }
    const got = fromJsonReport(readFileSync(tmp, "utf8"), tmp).cases;
    const line: string[] = [];
    for (const id of sample) {
      const g = got.find((v) => v.id === id);
      const w = want.find((v) => v.id === id);
      if (g === undefined || w === undefined) {
        mismatches.push(`${route.name} ${id}: ${g === undefined ? "did not run" : `not in ${reportFile(route.name)}`}`);
        continue;
      }
      line.push(`${id} ${g.status}`);
      if (g.status !== w.status) mismatches.push(`${route.name} ${id}: ${g.status} now, ${w.status} in ${RESULTS_DIR}/${route.name}.json (${g.message || "no message"})`);
    }
    console.log(`${route.name.padEnd(22)} ${line.join(", ")} (${formatSeconds(performance.now() - started)})`);
  }
  for (const m of mismatches) console.error(`mismatch: ${m}`);
  if (mismatches.length > 0) console.error(`the routes no longer do what results/routes/ says: rerun them (\`${"npx tsx scripts/route-table.ts --only <route>"}\`) and look at what changed`);
  return mismatches.length > 0 ? 1 : 0;
}

function main(): number {
  const { values } = parseArgs({ options: { only: { type: "string", multiple: true }, "render-only": { type: "boolean" }, sample: { type: "boolean" } }, strict: true });
  if (values.sample) {
    const scratch = mkdtempSync(join(tmpdir(), "route-sample-"));
    try {
      return runSample(scratch, values.only);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const names = ROUTES.map((r) => r.name);
  const unknown = (values.only ?? []).filter((n) => !names.includes(n));
  if (unknown.length > 0) {
    console.error(`unknown route ${unknown.join(", ")}; one of ${names.join(", ")}`);
    return 2;
  }
  const selected = values["render-only"] ? [] : ROUTES.filter((r) => values.only === undefined || values.only.includes(r.name));
  mkdirSync(join(root, RESULTS_DIR), { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "route-table-"));
  const problems: string[] = [];
  try {
    for (const route of selected) {
      const problem = runRoute(route, scratch, join(scratch, "cache"));
      if (problem !== null) problems.push(problem);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const p of problems) console.error(`error: ${p}`);
  let committed;
  try {
    committed = loadCommittedRoutes();
  } catch (e) {
    console.error(`README not regenerated: ${(e as Error).message}`);
    return 1;
  }
  const readmePath = join(root, "README.md");
  writeFileSync(readmePath, replaceBlock(readFileSync(readmePath, "utf8"), renderRouteTable(committed), ROUTE_MARKERS));
  console.log(`README.md route table regenerated from ${RESULTS_DIR}/`);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = main();
