/**
 * What a report needs to *show* a failing case, beyond where its worst element is (spec/adapter.md
 * §6.4): for every output of every call, |engine − Keras| over time step × unit (the largest over the
 * batch) and the same measured in tolerances; and the values over time of the unit with the worst
 * element, Keras's and the engine's. The HTML report draws its heatmaps and plots from it.
 *
 * It is optional and capped: the runner details only the first failing cases of a run (a
 * `DetailBudget`), and each grid and series is cut to a size, so that a run that fails the whole
 * corpus still writes a small report. Numbers are rounded to 4 significant digits: they are for the
 * eye, and the verdict keeps the exact max abs error and worst element.
 */
import { recurrentLayers, type FixtureCase, type LayerCase, type Tolerance } from "./case.ts";
import { withSequenceOutput } from "./divergence.ts";
import type { EngineOutputs } from "./engine.ts";
import type { ReturnedTensor } from "./outputs.ts";
import type { Tensor } from "./tensor.ts";
import type { ElementLocation } from "./verdict.ts";

/** How many failing cases of a run get a detail (spec/adapter.md §6.4). */
export const DEFAULT_DETAILED_FAILURES = 20;
/** At most this many cells per grid: a longer output keeps its first time steps. */
export const MAX_GRID_CELLS = 4096;
/** At most this many steps per series. */
export const MAX_SERIES_STEPS = 2000;

/** One output of one call, reduced over the batch. */
export interface ErrorGrid {
  readonly call: number;
  readonly output: number;
  readonly outputName: string;
  /** The output's time steps; null for an output without a time axis (the last output, h, c), which is one row. */
  readonly timesteps: number | null;
  /** Rows kept: `timesteps` (1 without a time axis), fewer when the grid was cut to MAX_GRID_CELLS. */
  readonly rows: number;
  /** Units kept (columns). */
  readonly units: number;
  /** Row-major rows × units: the largest |engine − Keras| over the batch; Infinity where the engine's value is NaN or ±Inf. */
  readonly absError: readonly number[];
  /** Row-major rows × units: the largest |engine − Keras| / (atol + rtol·|Keras|) over the batch; above 1 is outside the tolerance. */
  readonly toleranceRatio: readonly number[];
  /** How many of the engine's values in this output are NaN or ±Inf (the whole output, not only the kept rows). */
  readonly nonFinite: number;
}

/** The values over time of one unit of one batch row: the unit of the case's worst element. */
export interface UnitSeries {
  readonly call: number;
  readonly batch: number;
  readonly unit: number;
  /** `sequence output`: the case's own output 0; `re-run with return_sequences`: the engine re-run, against Keras's per-step h (spec/fixture-format.md §3.2). */
  readonly source: "sequence output" | "re-run with return_sequences";
  /** Per time step, in the order of the sequence (processing order for a go_backwards layer). */
  readonly keras: readonly number[];
  /** NaN where the engine returned NaN, ±Infinity where it returned ±Inf. */
  readonly engine: readonly number[];
  /** atol + rtol·|Keras| at each step: how far the engine may be from Keras there. */
  readonly bound: readonly number[];
}

/** A layer without its weights; a wrapper (Bidirectional) with the layers it wraps. */
export interface LayerConfig {
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly forward?: LayerConfig;
  readonly backward?: LayerConfig;
}

export interface FailureDetail {
  /** The case's model, in Keras's vocabulary: what a porter reruns and reads. */
  readonly layers: readonly LayerConfig[];
  readonly grids: readonly ErrorGrid[];
  readonly series: UnitSeries | null;
  /** Why there is no series, when there is none. */
  readonly seriesNote?: string;
}

/** How many more failing cases may be detailed in this run. */
export class DetailBudget {
  #left: number;

  constructor(cases: number = DEFAULT_DETAILED_FAILURES) {
    this.#left = cases;
  }

  /** True (and one fewer left) when another case may be detailed. */
  take(): boolean {
    if (this.#left <= 0) return false;
    this.#left--;
    return true;
  }
}

/** Four significant digits; non-finite values as they are. */
const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

/** |a − e| and |a − e| / bound, with a non-finite `a` the worst there is (spec/tolerance.md §1: NaN never passes). */
function errorOf(a: number, e: number, tol: Pick<Tolerance, "atol" | "rtol">): [abs: number, ratio: number] {
  if (!Number.isFinite(a)) return [Infinity, Infinity];
  const abs = Math.abs(a - e);
  const bound = tol.atol + tol.rtol * Math.abs(e);
  return [abs, abs === 0 ? 0 : bound > 0 ? abs / bound : Infinity];
}

/** The grid of one output: (B, T, U) reduced over B to T × U, (B, U) to 1 × U. */
export function errorGrid(call: number, output: number, outputName: string, actual: ReturnedTensor, expected: Tensor, tol: Pick<Tolerance, "atol" | "rtol">): ErrorGrid {
  const three = expected.shape.length === 3;
  const B = expected.shape[0] ?? 1;
  const T = three ? expected.shape[1]! : 1;
  const U = expected.shape[expected.shape.length - 1] ?? 1;
  const units = Math.min(U, MAX_GRID_CELLS);
  const rows = Math.max(1, Math.min(T, Math.floor(MAX_GRID_CELLS / units)));
  const absError = new Array<number>(rows * units).fill(0);
  const toleranceRatio = new Array<number>(rows * units).fill(0);
  let nonFinite = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let u = 0; u < U; u++) {
        const k = (b * T + t) * U + u;
        const a = actual.data[k]!;
        if (!Number.isFinite(a)) nonFinite++;
        if (t >= rows || u >= units) continue;
        const [abs, ratio] = errorOf(a, expected.data[k]!, tol);
        const cell = t * units + u;
        absError[cell] = Math.max(absError[cell]!, abs);
        toleranceRatio[cell] = Math.max(toleranceRatio[cell]!, ratio);
      }
    }
  }
  return { call, output, outputName, timesteps: three ? T : null, rows, units, absError: absError.map(round), toleranceRatio: toleranceRatio.map(round), nonFinite };
}

/** Row `batch`, unit `unit` of a (B, T, U) engine output and Keras's, over time. */
export function unitSeries(
  where: { readonly call: number; readonly batch: number; readonly unit: number },
  source: UnitSeries["source"],
  actual: ReturnedTensor,
  expected: Tensor,
  tol: Pick<Tolerance, "atol" | "rtol">,
): UnitSeries {
  const [, T, U] = expected.shape as [number, number, number];
  const steps = Math.min(T, MAX_SERIES_STEPS);
  const keras: number[] = [], engine: number[] = [], bound: number[] = [];
  for (let t = 0; t < steps; t++) {
    const k = (where.batch * T + t) * U + where.unit;
    const e = expected.data[k]!;
    keras.push(round(e));
    engine.push(round(actual.data[k]!));
    bound.push(round(tol.atol + tol.rtol * Math.abs(e)));
  }
  return { ...where, source, keras, engine, bound };
}

const isSequence = (t: { readonly shape: readonly number[] } | undefined): boolean => t !== undefined && t.shape.length === 3;

/** A layer as Keras configures it, without weights (a Bidirectional's two layers inside it). */
function configOf(l: { readonly className: string; readonly config: Readonly<Record<string, unknown>> }): LayerConfig {
  const inner = (k: "forward" | "backward"): Partial<LayerConfig> => {
    const v = (l as Partial<Record<typeof k, typeof l>>)[k];
    return v !== undefined ? { [k]: configOf(v) } : {};
  };
  return { className: l.className, config: { ...l.config }, ...inner("forward"), ...inner("backward") };
}

/**
 * The detail of a failing case whose outputs have Keras's shapes (`actual`, checked by outputs.ts).
 * `worst` picks the unit to follow over time. When the case returns no sequence, the engine is run
 * again with its last layer returning sequences (`rerun`, under the runner's timeout), as the first
 * divergence is found (divergence.ts); without `rerun`, or when that fails, there is no series and
 * `seriesNote` says why.
 */
export async function failureDetail(
  c: FixtureCase,
  actual: readonly (readonly ReturnedTensor[])[],
  worst: ElementLocation | null,
  names: readonly string[],
  rerun?: (modified: LayerCase) => Promise<EngineOutputs>,
): Promise<FailureDetail> {
  const grids = actual.flatMap((outs, k) => outs.map((a, j) => errorGrid(k, j, names[j] ?? `output ${j}`, a, c.expected[k]!.outputs[j]!, c.tolerance)));
  const base = { layers: c.layers.map(configOf), grids };
  if (worst === null || worst.batch === null || worst.unit === null) return { ...base, series: null, seriesNote: "no element to follow over time" };
  const where = { call: worst.call, batch: worst.batch, unit: worst.unit };
  const sequence = actual[where.call]?.[0];
  if (isSequence(sequence)) return { ...base, series: unitSeries(where, "sequence output", sequence!, c.expected[where.call]!.outputs[0]!, c.tolerance) };
  const last = c.layers.filter((l) => l.className !== "Masking").at(-1);
  const lastRecurrent = recurrentLayers(c).at(-1);
  // the per-step record of a wrapper is per direction, not the wrapper's output: nothing to set beside a re-run
  if (last === undefined || last !== lastRecurrent) return { ...base, series: null, seriesNote: `the case returns no sequence and its last layer is a ${last?.className ?? "missing"} layer` };
  const lastIndex = c.layers.lastIndexOf(lastRecurrent);
  const steps = c.expected[where.call]?.steps.find((s) => s.layer === lastIndex);
  if (steps === undefined) return { ...base, series: null, seriesNote: "the case returns no sequence and the fixture has no per-step record of its last layer" };
  if (rerun === undefined) return { ...base, series: null, seriesNote: "the case returns no sequence" };
  let outputs: EngineOutputs;
  try {
    outputs = await rerun(withSequenceOutput(c));
  } catch (e) {
    return { ...base, series: null, seriesNote: `the case returns no sequence, and re-running it with return_sequences=true failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const seq = outputs[where.call]?.[0];
  const usable = seq !== undefined && (seq.data instanceof Float32Array || (seq.data as unknown) instanceof Float64Array) && seq.shape.length === 3 && seq.shape.every((d, i) => d === steps.h.shape[i]) && seq.data.length === steps.h.data.length;
  if (!usable) return { ...base, series: null, seriesNote: "the case returns no sequence, and the re-run with return_sequences=true returned no usable one" };
  return { ...base, series: unitSeries(where, "re-run with return_sequences", seq as ReturnedTensor, steps.h, c.tolerance) };
}
