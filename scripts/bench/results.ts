/** The benchmark's results as one JSON-serialisable object (bench/results.json), and the targets. */
import type { CorpusRunPhases } from "./corpus-run.ts";
import { gflops, type LstmSize } from "./flops.ts";
import type { Machine } from "./machine.ts";
import type { Peak } from "./peak.ts";
import type { Timing } from "./timing.ts";

export interface ForwardResult {
  readonly size: LstmSize;
  readonly timing: Timing;
  /** By wall time. */
  readonly gflops: number;
  /** By this process's CPU time (steadier on a shared machine). */
  readonly gflopsCpu: number;
  /** Largest |output − reference output| over the sequence: the engines compute the same thing. */
  readonly maxAbsDiffVsReference?: number;
}

export interface ForwardEngineResults {
  readonly name: string;
  readonly version: string;
  /** Why it did not run here, when it did not. */
  readonly skipped?: string;
  readonly results: readonly ForwardResult[];
}

export interface CorpusRun extends CorpusRunPhases {
  /** Wall time of the child process, start-up included. */
  readonly wallMs: number;
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  /** null when this run cannot say (quick mode, an engine missing). */
  readonly met: boolean | null;
}

export interface BenchResults {
  readonly quick: boolean;
  readonly machine: Machine;
  readonly flopFormula: string;
  readonly peak: Peak;
  readonly grid: readonly LstmSize[];
  readonly forward: readonly ForwardEngineResults[];
  readonly corpus: {
    readonly files: number;
    readonly bytes: number;
    readonly cases: number;
    readonly loadErrors: number;
    /** First load in this process: includes compiling the JSON schema validator. */
    readonly loadColdMs: number;
    readonly loadWarm: Timing;
    /** `keras-rnn-conformance --engine reference` as a user runs it (default options), wall time. */
    readonly cliReferenceWallMs: number | null;
    readonly runs: readonly CorpusRun[];
  };
  readonly properties: {
    readonly engine: string;
    readonly runs: number;
    readonly ms: number;
    readonly casesPerSecond: number;
    readonly perProperty: readonly { readonly id: string; readonly runs: number; readonly ms: number; readonly status: string }[];
  };
  readonly targets: readonly Target[];
  readonly durationMs: number;
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

/** The project's performance targets (listed below, each with its threshold), judged on these results. */
export function judgeTargets(r: Omit<BenchResults, "targets" | "durationMs">, durationMs: number): Target[] {
  const find = (name: string) => r.forward.find((e) => e.name === name && !e.skipped);
  const ref = find("reference");
  const cpu = find("tfjs cpu");
  const largest = r.grid[r.grid.length - 1]!;
  const refLargest = ref?.results.find((x) => x.size === largest);
  // Judged by CPU time: on this shared machine the wall time mostly measures the other processes
  // (the wall figures stand next to them in the results).
  const at = (e: ForwardEngineResults, s: LstmSize) => e.results.find((x) => x.size === s)!.timing;
  const ratios = ref && cpu ? r.grid.map((s) => at(cpu, s).cpuMedianMs / at(ref, s).cpuMedianMs) : [];
  const wallRatios = ref && cpu ? r.grid.map((s) => at(cpu, s).medianMs / at(ref, s).medianMs) : [];
  const cli = r.corpus.cliReferenceWallMs;
  const quickNote = r.quick ? " (quick grid: not the target's size)" : "";
  return [
    { target: "full corpus run against the reference < 5 s, start-up included", measured: cli === null ? "not run" : `${fmt(cli / 1000)} s (${r.corpus.cases} cases + properties)`, met: cli === null ? null : cli < 5000 },
    { target: "≥ 500 property-based cases/s against the reference", measured: `${fmt(r.properties.casesPerSecond, 0)} cases/s`, met: r.properties.casesPerSecond >= 500 },
    {
      target: "reference ≥ 1 GFLOP/s at the largest size",
      measured: refLargest ? `${fmt(refLargest.gflopsCpu)} GFLOP/s by CPU time (${fmt(refLargest.gflops)} by wall time)${quickNote}` : "not run",
      met: refLargest && !r.quick ? refLargest.gflopsCpu >= 1 : null,
    },
    {
      target: "reference ≥ 2× tfjs CPU at every size",
      measured: ratios.length
        ? `${fmt(Math.min(...ratios), 1)}× … ${fmt(Math.max(...ratios), 1)}× by CPU time (${fmt(Math.min(...wallRatios), 1)}× … ${fmt(Math.max(...wallRatios), 1)}× by wall time)`
        : "not run",
      met: ratios.length ? ratios.every((x) => x >= 2) : null,
    },
    { target: "`npm run bench` < 5 minutes", measured: `${fmt(durationMs / 1000, 0)} s`, met: r.quick ? null : durationMs < 300_000 },
  ];
}

export { gflops };
