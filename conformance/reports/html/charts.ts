/**
 * The HTML report's charts (spec/adapter.md §6.4): Vega-Lite specs of a failing case's error grid and
 * of its worst unit over time, compiled by vega-lite and rendered to static SVG by vega, in Node, when
 * the report is written. The page then needs no script and fetches nothing to show them.
 *
 * vega and vega-lite are optional peer dependencies (package.json), like the tfjs engine's packages:
 * only `--report html` and the matrix need them, and 30 MB is more than the rest of the suite.
 * Charts show only numbers and our own words — never engine or fixture text — so nothing a chart
 * draws needs escaping beyond what vega's SVG writer does.
 */
import { createRequire } from "node:module";
import type { TopLevelSpec } from "vega-lite";
import type { ErrorGrid, UnitSeries } from "../../failure-detail.ts";

/** The versions the suite is tested with (its devDependencies). */
export const CHART_PACKAGES = ["vega@6.4.0", "vega-lite@6.4.3"] as const;

const packageName = (pinned: string): string => pinned.slice(0, pinned.lastIndexOf("@"));

/** Why the charts cannot be drawn (a package missing), naming the install command; null when they can. */
export function missingChartPackages(): string | null {
  const require = createRequire(import.meta.url);
  const missing = CHART_PACKAGES.filter((p) => {
    try {
      require.resolve(packageName(p));
      return false;
    } catch {
      return true;
    }
  });
  return missing.length === 0 ? null : `--report html needs ${missing.map(packageName).join(" and ")}: npm install ${CHART_PACKAGES.join(" ")}`;
}

/** Renders Vega-Lite specs to SVG text. */
export interface ChartRenderer {
  svg(spec: TopLevelSpec): Promise<string>;
  /** What vega-lite and vega warned about so far (the tests keep it empty); errors throw. */
  readonly warnings: readonly string[];
}

/** A renderer backed by vega-lite and vega, loaded on first use; throws the install command when they are missing. */
export async function chartRenderer(): Promise<ChartRenderer> {
  const missing = missingChartPackages();
  if (missing !== null) throw new Error(missing);
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const warnings: string[] = [];
  // warnings are kept, not printed: a report is written next to the console summary, not into it
  const logger = {
    level(): number {
      return 2; // warn
    },
    error(...args: unknown[]) {
      throw new Error(`vega: ${args.map(String).join(" ")}`);
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(" "));
      return this;
    },
    info() {
      return this;
    },
    debug() {
      return this;
    },
  };
  return {
    warnings,
    async svg(spec) {
      // renderer "none": no canvas, no DOM; toSVG builds the markup as a string
      const view = new vega.View(vega.parse(vl.compile(spec, { logger }).spec), { renderer: "none", logger });
      try {
        return await view.toSVG();
      } finally {
        view.finalize();
      }
    },
  };
}

/** Shared look: the page's font, no chart border. */
const CONFIG = { font: "system-ui, sans-serif", view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 11 }, legend: { labelFontSize: 10, titleFontSize: 11 } } as const;

/**
 * Buckets of |engine − Keras| / tolerance. The bucket edges are ours, not a scale's: "within" is
 * exactly `ratio ≤ 1`, the rule of spec/tolerance.md §1, and non-finite values have their own colour.
 */
export const RATIO_BUCKETS = [
  { label: "0 (equal)", color: "#f4f6f8", upTo: 0 },
  { label: "≤ 0.1× (within)", color: "#dcefe0", upTo: 0.1 },
  { label: "0.1–1× (within)", color: "#9fd4a8", upTo: 1 },
  { label: "1–10× (outside)", color: "#fdd49e", upTo: 10 },
  { label: "10–100×", color: "#fc8d59", upTo: 100 },
  { label: "100–10⁴×", color: "#d7301f", upTo: 1e4 },
  { label: "> 10⁴×", color: "#7f0000", upTo: Infinity },
  { label: "NaN / Inf", color: "#6a3d9a", upTo: NaN },
] as const;

export function ratioBucket(ratio: number): string {
  if (!Number.isFinite(ratio)) return RATIO_BUCKETS[RATIO_BUCKETS.length - 1]!.label;
  return RATIO_BUCKETS.find((b) => ratio <= b.upTo)!.label;
}

/** At most this many rows per heatmap: longer outputs show the largest ratio of consecutive steps. */
const MAX_ROWS = 60;

/** The heatmap of one grid: time step × unit, coloured by the bucket of |engine − Keras| / tolerance. */
export function heatmapSpec(grid: ErrorGrid): TopLevelSpec {
  const perRow = Math.max(1, Math.ceil(grid.rows / MAX_ROWS));
  const cells = new Map<string, { step: number; unit: number; ratio: number; abs: number }>();
  for (let t = 0; t < grid.rows; t++) {
    for (let u = 0; u < grid.units; u++) {
      const step = Math.floor(t / perRow) * perRow;
      const key = `${step}:${u}`;
      const k = t * grid.units + u;
      const ratio = grid.toleranceRatio[k]!, abs = grid.absError[k]!;
      const cell = cells.get(key);
      // NaN-safe max: a non-finite ratio is the worst (failure-detail.ts writes Infinity for it)
      if (cell === undefined || !(ratio <= cell.ratio)) cells.set(key, { step, unit: u, ratio, abs });
    }
  }
  const values = [...cells.values()].map((c) => ({ ...c, bucket: ratioBucket(c.ratio) }));
  const hasTime = grid.timesteps !== null;
  // an output without a time axis is the last step's (the last output, h, c: spec/lstm.md §3.2)
  const stepTitle = !hasTime ? "last step" : perRow > 1 ? `time step (max of ${perRow} per row)` : "time step";
  return {
    config: CONFIG,
    data: { values },
    mark: { type: "rect", aria: false },
    width: { step: grid.units > 32 ? 8 : 16 },
    height: { step: hasTime ? (grid.rows / perRow > 30 ? 7 : 14) : 18 },
    encoding: {
      x: { field: "unit", type: "ordinal", title: "unit", axis: { labelAngle: 0, labelOverlap: "greedy" } },
      y: { field: "step", type: "ordinal", title: stepTitle, axis: hasTime ? { labelOverlap: "greedy" } : { labels: false, ticks: false } },
      color: {
        field: "bucket",
        type: "ordinal",
        title: "× tolerance",
        scale: { domain: RATIO_BUCKETS.map((b) => b.label), range: RATIO_BUCKETS.map((b) => b.color) },
        legend: { values: [...new Set(values.map((v) => v.bucket))] },
      },
    },
  };
}

/**
 * Keras's and the engine's values of one unit over time, with Keras ± the tolerance as a band and
 * the first divergence as a rule. Non-finite engine values are left out of the line (and counted in
 * the title), since a plot has no place for them.
 */
export function seriesSpec(series: UnitSeries, firstDivergence: { readonly step: number; readonly label: string } | null): TopLevelSpec {
  const points = series.keras.flatMap((keras, step) => {
    const engine = series.engine[step]!;
    const bound = series.bound[step]!;
    return [
      { step, who: "Keras", value: keras, lo: keras - bound, hi: keras + bound },
      ...(Number.isFinite(engine) ? [{ step, who: "engine", value: engine, lo: keras - bound, hi: keras + bound }] : []),
    ];
  });
  const nonFinite = series.engine.filter((v) => !Number.isFinite(v)).length;
  return {
    config: CONFIG,
    width: 420,
    height: 160,
    title: { text: `unit ${series.unit}, batch row ${series.batch}${nonFinite > 0 ? ` (${nonFinite} NaN/Inf steps not drawn)` : ""}`, fontSize: 11, fontWeight: "normal" },
    data: { values: points },
    layer: [
      // the band is a few pixels wide at most: worth drawing only while steps are apart
      ...(series.keras.length <= 200 ? [{
        transform: [{ filter: "datum.who === 'Keras'" }],
        mark: { type: "area", opacity: 0.25, color: "#1f77b4", aria: false },
        encoding: { x: { field: "step", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
      }] : []),
      {
        // a point per step only while they stay apart; a long sequence is a line
        mark: { type: "line", point: series.keras.length <= 60 ? { size: 18, aria: false } : false, strokeWidth: 1.5, aria: false },
        encoding: {
          x: { field: "step", type: "quantitative", title: series.source === "sequence output" ? "time step" : "time step (re-run with return_sequences)", axis: { tickMinStep: 1, format: "d" } },
          y: { field: "value", type: "quantitative", title: "value", scale: { zero: false } },
          color: { field: "who", type: "nominal", title: null, scale: { domain: ["Keras", "engine"], range: ["#1f77b4", "#d62728"] }, legend: { orient: "top", direction: "horizontal" } },
          strokeDash: { field: "who", type: "nominal", scale: { domain: ["Keras", "engine"], range: [[1, 0], [4, 2]] } },
        },
      },
      ...(firstDivergence !== null
        ? [
            {
              data: { values: [firstDivergence] },
              layer: [
                { mark: { type: "rule", color: "#444", strokeDash: [2, 2] }, encoding: { x: { field: "step", type: "quantitative" } } },
                { mark: { type: "text", align: "left", dx: 3, dy: -4, fontSize: 10, color: "#444" }, encoding: { x: { field: "step", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } } },
              ],
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
}
