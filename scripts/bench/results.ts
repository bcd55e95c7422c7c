/** The benchmark's results as one JSON-serialisable object (bench/results.json), and the targets. */
import type { CorpusRunPhases } from "./corpus-run.ts";
import { gflops, type CellVariant, type LstmSize } from "./flops.ts";
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

/** The reference's forward of one cell over the grid (scripts/bench/forward.ts REFERENCE_CELLS). */
export interface CellForwardResults {
  readonly name: string;
  readonly cell: CellVariant;
  /** Which code computed it (and whether the reference engine runs that code for this cell). */
  readonly path: string;
  /** FLOPs per forward, as counted for this cell (scripts/bench/flops.ts); the GFLOP/s use it. */
  readonly flopFormula: string;
  /** The row of `forward` these are the timings of (the LSTM's two paths), or null: measured for this table. */
  readonly sameAs: string | null;
  readonly results: readonly ForwardResult[];
}

/** `npx tsx conformance/cli.ts` with no option, as a user first runs it: wall time, start-up included. */
export interface DefaultRun {
  readonly command: string;
  readonly wallMs: number;
  readonly exitCode: number | null;
  /** The run's last line (its verdict). */
  readonly verdict: string;
}

/** Property-based cases per second against the reference for the cases of one cell family. */
export interface CellPropertyRate {
  readonly prefix: string;
  /** The properties that ran at least one case. */
  readonly properties: readonly string[];
  readonly runs: number;
  readonly ms: number;
  readonly casesPerSecond: number;
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
  /** The reference's forward per cell, on the same grid. */
  readonly cells: readonly CellForwardResults[];
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
    /** `npx tsx conformance/cli.ts` (every default), or null when not run. */
    readonly defaultRun: DefaultRun | null;
    readonly runs: readonly CorpusRun[];
  };
  readonly properties: {
    readonly engine: string;
    readonly runs: number;
    readonly ms: number;
    readonly casesPerSecond: number;
    readonly perProperty: readonly { readonly id: string; readonly runs: number; readonly ms: number; readonly status: string }[];
    /**
     * Per cell: every property against the reference declaring that cell alone; `measurable` when the
     * runner drew that cell only (else `note` says what it drew, and `cells` are not per-cell figures).
     */
    readonly perCell: {
      readonly measurable: boolean;
      readonly note: string;
      readonly cells: readonly CellPropertyRate[];
    };
  };
  readonly targets: readonly Target[];
  readonly durationMs: number;
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

/** The cell family of a case id, its first segment: `gru/masking/…` → `gru` (the corpus's lstm/, gru/, simple_rnn/). */
export const cellPrefix = (id: string): string => id.split("/")[0] ?? id;

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
  const def = r.corpus.defaultRun;
  const perCell = r.properties.perCell;
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
    gruPerFlopTarget(r),
    {
      target: "full default run (`npx tsx conformance/cli.ts`) < 3 s, start-up included",
      measured: def === null ? "not run" : `${fmt(def.wallMs / 1000)} s (exit ${def.exitCode}; ${r.corpus.cases} cases + properties)`,
      met: def === null ? null : def.wallMs < 3000 && def.exitCode === 0,
    },
    {
      target: "≥ 2,000 property-based cases/s against the reference, per cell",
      measured: perCell.measurable
        ? perCell.cells.map((c) => `${c.prefix} ${fmt(c.casesPerSecond, 0)}/s`).join(", ")
        : `not measurable per cell yet (${perCell.note}); overall ${fmt(r.properties.casesPerSecond, 0)} cases/s`,
      met: perCell.measurable && perCell.cells.length > 0 ? perCell.cells.every((c) => c.casesPerSecond >= 2000) : null,
    },
  ];
}

/** The LSTM row the reference engine runs for LSTM cases: the GRU is compared with it. */
export const ENGINE_LSTM_ROW = "LSTM (fast path)";
export const READABLE_LSTM_ROW = "LSTM (readable)";

/** Per size, GFLOP/s of `a` over GFLOP/s of `b` (by CPU time and by wall time): > 1 when `a` does more per FLOP. */
export function perFlopRatios(a: CellForwardResults, b: CellForwardResults): { size: LstmSize; cpu: number; wall: number }[] {
  return a.results.flatMap((x) => {
    const y = b.results.find((z) => z.size.batch === x.size.batch && z.size.timesteps === x.size.timesteps && z.size.inputDim === x.size.inputDim && z.size.units === x.size.units);
    return y ? [{ size: x.size, cpu: x.gflopsCpu / y.gflopsCpu, wall: x.gflops / y.gflops }] : [];
  });
}

const sizeText = (s: LstmSize) => `B${s.batch} T${s.timesteps} D${s.inputDim} U${s.units}`;
const span = (xs: readonly number[]) => (xs.length ? `${fmt(Math.min(...xs))}× … ${fmt(Math.max(...xs))}×` : "—");

/** "the reference GRU at least as fast, per FLOP, as the reference LSTM at the bench sizes" (issue 12), both reset_after values. */
function gruPerFlopTarget(r: Omit<BenchResults, "targets" | "durationMs">): Target {
  const target = "reference GRU ≥ reference LSTM per FLOP (GFLOP/s) at every bench size, both reset_after values; the LSTM as the reference engine runs it (fast path, reference/fast.ts)";
  const lstm = r.cells.find((c) => c.name === ENGINE_LSTM_ROW);
  const readable = r.cells.find((c) => c.name === READABLE_LSTM_ROW);
  const grus = r.cells.filter((c) => c.cell === "gru" || c.cell === "gru_reset_before");
  if (!lstm || grus.length === 0 || grus.some((g) => g.results.length === 0)) return { target, measured: "not run", met: null };
  const parts = grus.map((g) => {
    const vsFast = perFlopRatios(g, lstm);
    const vsReadable = readable ? perFlopRatios(g, readable) : [];
    const worst = vsFast.reduce((a, b) => (b.cpu < a.cpu ? b : a), vsFast[0]!);
    const slower = worst && worst.cpu < 1 ? ` (lowest at ${sizeText(worst.size)}: ${fmt(1 / worst.cpu, 1)}× slower per FLOP)` : "";
    return {
      ok: vsFast.length > 0 && vsFast.every((x) => x.cpu >= 1),
      text:
        `${g.name}: ${span(vsFast.map((x) => x.cpu))} by CPU time${slower} (${span(vsFast.map((x) => x.wall))} by wall time)` +
        (vsReadable.length ? `; against the readable LSTM, the same loop without a fast path, ${span(vsReadable.map((x) => x.cpu))}` : ""),
    };
  });
  const note = r.quick ? " (quick grid)" : "";
  return { target, measured: `GRU GFLOP/s ÷ LSTM GFLOP/s over the sizes — ${parts.map((p) => p.text).join(" — ")}${note}`, met: parts.every((p) => p.ok) };
}

export { gflops };
