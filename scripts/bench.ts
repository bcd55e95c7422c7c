/**
 * `npm run bench`: how fast the suite and its engines are, side by side, in one run, judged
 * against the project's performance targets (scripts/bench/results.ts `judgeTargets`).
 *
 *   1. the machine's float64 peak (scripts/bench/peak.ts);
 *   2. LSTM forward time and GFLOP/s over a grid of sizes for the reference, tfjs (CPU and WASM
 *      backends), ONNX Runtime in Node (onnxruntime-web) and ONNX Runtime in Python (the native anchor);
 *   3. fixture corpus size and load + validate time;
 *   4. a full corpus run against each built-in engine, by phase, with peak memory;
 *   5. property-based cases per second against the reference;
 * then writes bench/results.md and bench/results.json and judges the targets.
 *
 * Usage: tsx scripts/bench.ts [--quick] [--out <dir>] [--no-python]
 *   --quick      two small sizes, fewer property runs, corpus run against the reference only (seconds)
 *   --out <dir>  where results.md / results.json go (default bench/; with --quick, nowhere unless given)
 *   --no-python  skip the ONNX Runtime Python anchor
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { referenceEngine } from "../conformance/engines/reference.ts";
import { loadFixtures } from "../conformance/fixtures/load.ts";
import { defaultFixturesDir, packageRoot } from "../conformance/package-paths.ts";
import { runProperties } from "../conformance/properties/index.ts";
import type { CorpusRunPhases } from "./bench/corpus-run.ts";
import { FLOP_FORMULA, gflops, lstmForwardFlops, type LstmSize } from "./bench/flops.ts";
import { FORWARD_ENGINES } from "./bench/forward.ts";
import { benchCase, FULL_GRID, QUICK_GRID, sizeLabel } from "./bench/grid.ts";
import { currentLoad, describeMachine } from "./bench/machine.ts";
import { toMarkdown } from "./bench/markdown.ts";
import { measurePeak } from "./bench/peak.ts";
import { runPythonAnchor } from "./bench/python-anchor.ts";
import { judgeTargets, type BenchResults, type CorpusRun, type ForwardEngineResults, type ForwardResult } from "./bench/results.ts";
import { measure } from "./bench/timing.ts";

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN makes the difference NaN, never hidden
  }
  return m;
}

/**
 * Size by size, every engine in turn: engines compared at one size run minutes apart at most, so
 * a change in the machine's load hits them alike.
 */
async function forwardBenchmark(grid: readonly LstmSize[]): Promise<ForwardEngineResults[]> {
  const engines: { results: ForwardResult[]; skipped: string | null; previous?: { size: LstmSize; ms: number } }[] = [];
  for (const engine of FORWARD_ENGINES) {
    const skipped = await engine.unavailable();
    if (skipped) log(`${engine.name}: skipped — ${skipped}`);
    engines.push({ results: [], skipped });
  }
  for (const size of grid) {
    // The reference's output, for checking that every engine computes the same thing.
    const expected = (referenceEngine.run(benchCase(size)) as readonly (readonly { data: Float32Array }[])[])[0]![0]!.data;
    for (const [k, engine] of FORWARD_ENGINES.entries()) {
      const state = engines[k]!;
      if (state.skipped) continue;
      const prepared = await engine.prepare(size, benchCase(size));
      try {
        const diff = maxAbsDiff(await prepared.run(), expected);
        const previous = state.previous;
        const predictedMs = previous ? (previous.ms * lstmForwardFlops(size)) / lstmForwardFlops(previous.size) : 0;
        const timing = await measure(() => prepared.run(), { predictedMs });
        state.results.push({ size, timing, gflops: gflops(size, timing.medianMs), gflopsCpu: gflops(size, timing.cpuMedianMs), maxAbsDiffVsReference: diff });
        state.previous = { size, ms: timing.medianMs };
        log(`${engine.name} ${sizeLabel(size)}: ${timing.medianMs.toFixed(3)} ms, ${gflops(size, timing.medianMs).toFixed(3)} GFLOP/s (CPU time: ${gflops(size, timing.cpuMedianMs).toFixed(3)}) (max |Δ| vs reference ${diff.toExponential(1)})`);
      } finally {
        await prepared.dispose();
      }
    }
  }
  return FORWARD_ENGINES.map((e, k) => ({ name: e.name, version: e.version, ...(engines[k]!.skipped ? { skipped: engines[k]!.skipped! } : {}), results: engines[k]!.results }));
}

function corpusFiles(dir: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".json")) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  try {
    walk(dir);
  } catch {
    // a missing corpus is reported through the load errors
  }
  return { files, bytes };
}

/** Runs a command, returns its wall time and stdout. */
function timedChild(args: readonly string[]): Promise<{ wallMs: number; stdout: string; stderr: string; code: number | null }> {
  const tsx = join(packageRoot(), "node_modules", ".bin", "tsx");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, args, { cwd: packageRoot(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ wallMs: performance.now() - started, stdout, stderr, code }));
  });
}

async function corpusRun(engine: string, propertyRuns: number): Promise<CorpusRun | null> {
  const done = await timedChild(["scripts/bench/corpus-run.ts", engine, String(propertyRuns)]);
  const line = done.stdout.trim().split("\n").pop() ?? "";
  try {
    const phases = JSON.parse(line) as CorpusRunPhases;
    log(`corpus run, ${engine}: ${(done.wallMs / 1000).toFixed(2)} s wall, peak RSS ${phases.maxRssMiB.toFixed(0)} MiB`);
    return { ...phases, wallMs: done.wallMs };
  } catch {
    log(`corpus run, ${engine}: failed (exit ${done.code}): ${done.stderr.trim().split("\n").slice(-3).join(" / ")}`);
    return null;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: "boolean" }, out: { type: "string" }, "no-python": { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) {
    process.stdout.write("Usage: tsx scripts/bench.ts [--quick] [--out <dir>] [--no-python]\n");
    return;
  }
  const quick = values.quick === true;
  const outDir = values.out ?? (quick ? undefined : join(packageRoot(), "bench"));
  const started = performance.now();
  const machine = describeMachine();
  const grid = quick ? QUICK_GRID : FULL_GRID;

  log("measuring the float64 peak");
  const peak = await measurePeak(quick ? 5_000_000 : 20_000_000);
  log(`peak: ${peak.gflops.toFixed(2)} GFLOP/s`);

  const forward = await forwardBenchmark(grid);
  if (values["no-python"]) {
    forward.push({ name: "onnxruntime (Python)", version: "-", skipped: "--no-python", results: [] });
  } else {
    log("ONNX Runtime from Python (scripts/bench_onnxruntime.py)");
    const py = runPythonAnchor(packageRoot(), grid);
    if (py.ok) {
      forward.push({
        name: py.anchor.name,
        version: py.anchor.version,
        // Same grid order; the Python side builds its own random weights, so no output check.
        results: py.anchor.results.map((x, i) => ({ size: grid[i]!, timing: x.timing, gflops: gflops(grid[i]!, x.timing.medianMs), gflopsCpu: gflops(grid[i]!, x.timing.cpuMedianMs) })),
      });
    } else {
      log(`ONNX Runtime (Python) SKIPPED: ${py.reason}`);
      forward.push({ name: "onnxruntime (Python)", version: "-", skipped: py.reason, results: [] });
    }
  }

  log("loading the fixture corpus");
  const fixturesDir = defaultFixturesDir();
  let t = performance.now();
  const loaded = loadFixtures([fixturesDir]);
  const loadColdMs = performance.now() - t;
  const loadWarm = await measure(() => loadFixtures([fixturesDir]), { warmup: 0, minRuns: 3, maxRuns: 10, budgetMs: 1000 });

  const engines = quick ? ["reference"] : ["reference", "tfjs", "onnxruntime"];
  const runs: CorpusRun[] = [];
  for (const e of engines) {
    const run = await corpusRun(e, quick ? 10 : 100);
    if (run) runs.push(run);
  }
  let cliReferenceWallMs: number | null = null;
  if (!quick) {
    const out = join(tmpdir(), `bench-cli-report-${process.pid}.json`);
    const cli = await timedChild(["conformance/cli.ts", "--engine", "reference", "--report", "json", "--out", out]);
    cliReferenceWallMs = cli.wallMs;
    log(`CLI --engine reference: ${(cli.wallMs / 1000).toFixed(2)} s wall (exit ${cli.code})`);
  }

  log("property-based cases against the reference");
  t = performance.now();
  const props = await runProperties(referenceEngine, { numRuns: quick ? 10 : 200, seed: 1, fixtures: loaded.cases });
  const propsMs = performance.now() - t;
  const propRuns = props.reduce((s, p) => s + p.runs, 0);

  machine.loadAverage.end = currentLoad();
  const partial = {
    quick,
    machine,
    flopFormula: FLOP_FORMULA,
    peak,
    grid,
    forward,
    corpus: { ...corpusFiles(fixturesDir), cases: loaded.cases.length, loadErrors: loaded.errors.length, loadColdMs, loadWarm, cliReferenceWallMs, runs },
    properties: {
      engine: referenceEngine.name,
      runs: propRuns,
      ms: propsMs,
      casesPerSecond: propRuns / (propsMs / 1000),
      perProperty: props.map((p) => ({ id: p.id, runs: p.runs, ms: p.timeMs ?? 0, status: p.status })),
    },
  };
  const durationMs = performance.now() - started;
  const results: BenchResults = { ...partial, targets: judgeTargets(partial, durationMs), durationMs };
  const markdown = toMarkdown(results);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(outDir, "results.md"), markdown);
    log(`wrote ${join(outDir, "results.md")} and results.json`);
  }
  process.stdout.write(markdown);
}

await main();
