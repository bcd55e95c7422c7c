/**
 * One full corpus run, as `keras-rnn-conformance --engine <name>` does it, with a timer around each
 * phase: load + validate the fixtures, load the engine, run the cases (the engine's own time from
 * the verdicts; the rest of the case loop is comparing, locating divergences and diagnosing), the
 * property-based tests, and rendering every report format; the case loop also per cell family (the
 * first segment of a case id: lstm/, gru/, simple_rnn/). Run as a child process by
 * scripts/bench.ts so that start-up and peak memory (maxRSS) belong to this run alone; prints JSON.
 *
 * Usage: tsx scripts/bench/corpus-run.ts <engine> [propertyRuns]
 */
import { formatLoadError, loadFixtures } from "../../conformance/fixtures/load.ts";
import { loadEngine } from "../../conformance/engines/registry.ts";
import { defaultFixturesDir } from "../../conformance/package-paths.ts";
import { REPORT_FORMATS, renderReport } from "../../conformance/reports/index.ts";
import { runSuite } from "../../conformance/runner.ts";
import { cellPrefix } from "./results.ts";

/** The case loop's share of one cell family (case ids `<prefix>/…`). */
export interface CellCorpusRun {
  /** The first segment of the case ids: `lstm`, `gru`, `simple_rnn` (any other prefix is listed as found). */
  readonly prefix: string;
  readonly cases: number;
  /** Sum of the engine's time on these cases (CaseVerdict.timeMs). */
  readonly engineMs: number;
  /** Wall time of the case loop on these cases: the engine, comparing, locating divergences, diagnosing. */
  readonly caseLoopMs: number;
  readonly counts: Readonly<Record<string, number>>;
}

export interface CorpusRunPhases {
  readonly engine: string;
  /** From process start (Node's own clock) to the first phase: Node, tsx and module loading. */
  readonly startupMs: number;
  readonly loadFixturesMs: number;
  readonly loadEngineMs: number;
  /** Sum of the engine's time on every case (CaseVerdict.timeMs). */
  readonly engineMs: number;
  /** The rest of the case loop: comparing outputs, locating divergences, diagnosing failures. */
  readonly compareMs: number;
  readonly propertiesMs: number;
  readonly propertyRuns: number;
  readonly reportMs: number;
  readonly totalInProcessMs: number;
  readonly cases: number;
  readonly loadErrors: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  /** The case loop per cell family, in the order the families first appear. */
  readonly perCell: readonly CellCorpusRun[];
  readonly maxRssMiB: number;
}


async function main(): Promise<void> {
  const engineName = process.argv[2] ?? "reference";
  const propertyRuns = Number(process.argv[3] ?? "100");
  const startupMs = performance.now(); // performance.now() counts from process start

  let t = performance.now();
  const loaded = loadFixtures([defaultFixturesDir()]);
  const loadFixturesMs = performance.now() - t;
  // Like the CLI: a file that does not load is reported, the rest still runs.
  const loadErrors = loaded.errors.map(formatLoadError);

  t = performance.now();
  const engine = await loadEngine(engineName);
  const loadEngineMs = performance.now() - t;

  const runStart = performance.now();
  let casesDoneAt = runStart;
  const perCell = new Map<string, { cases: number; engineMs: number; caseLoopMs: number; counts: Record<string, number> }>();
  const result = await runSuite(engine, loaded.cases, {
    casesLoaded: loaded.cases.length,
    allIds: loaded.cases.map((c) => c.id),
    properties: propertyRuns > 0 ? { numRuns: propertyRuns, seed: 1, fixtures: loaded.cases } : undefined,
    onCase: (verdict) => {
      // the case loop is sequential: the time since the previous case's verdict is this case's
      const now = performance.now();
      const prefix = cellPrefix(verdict.id);
      const cell = perCell.get(prefix) ?? { cases: 0, engineMs: 0, caseLoopMs: 0, counts: {} };
      cell.cases++;
      cell.engineMs += verdict.timeMs;
      cell.caseLoopMs += now - casesDoneAt;
      cell.counts[verdict.status] = (cell.counts[verdict.status] ?? 0) + 1;
      perCell.set(prefix, cell);
      casesDoneAt = now;
    },
  });
  const end = performance.now();
  await engine.close?.();
  const casesEnd = loaded.cases.length > 0 ? casesDoneAt : runStart;
  const engineMs = result.cases.reduce((s, v) => s + v.timeMs, 0);

  t = performance.now();
  let chars = 0;
  for (const format of REPORT_FORMATS) chars += renderReport(format, result).length;
  const reportMs = performance.now() - t;
  if (chars === 0) throw new Error("no report rendered");

  const phases: CorpusRunPhases = {
    engine: engineName,
    startupMs,
    loadFixturesMs,
    loadEngineMs,
    engineMs,
    compareMs: casesEnd - runStart - engineMs,
    propertiesMs: end - casesEnd,
    propertyRuns: result.properties.reduce((s, p) => s + p.runs, 0),
    reportMs,
    totalInProcessMs: performance.now() - startupMs,
    cases: loaded.cases.length,
    loadErrors,
    counts: { ...result.counts },
    perCell: [...perCell].map(([prefix, x]) => ({ prefix, ...x })),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(phases)}\n`);
}

await main();
