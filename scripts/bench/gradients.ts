/**
 * The reference's gradient (reference/gradients/, spec/gradients.md §4) against its forward, per cell,
 * on the bench grid's sizes (grid.ts): the whole sequence returned, a cotangent on it. Target
 * (issue 14): the gradient — its recording forward and the backward — within 3× the forward at the
 * largest size. "forward" is the readable loop the gradient builds on (reference/rnn.ts, runModel);
 * for the LSTM the fast path the reference engine runs (reference/fast.ts) is shown too. Times are
 * CPU medians (timing.ts): the machine is shared.
 *
 *   npx tsx scripts/bench/gradients.ts [--quick]
 */
import type { LayerCase, RecurrentLayer } from "../../conformance/case.ts";
import { referenceEngine } from "../../conformance/engines/reference.ts";
import { modelGradients } from "../../reference/gradients/model.ts";
import { runModel, type ModelLayer } from "../../reference/index.ts";
import type { CellVariant, LstmSize } from "./flops.ts";
import { cellBenchCase, FULL_GRID, sizeLabel } from "./grid.ts";
import { measure, type Timing } from "./timing.ts";

const CELLS: readonly CellVariant[] = ["lstm", "gru", "gru_reset_before", "simple_rnn"];

function modelOf(c: LayerCase): { layers: ModelLayer[]; x: Float32Array; shape: readonly [number, number, number] } {
  const l = c.layers[0] as RecurrentLayer;
  const layer = { className: l.className, config: l.config, weights: { kernel: l.weights.kernel.data, recurrent_kernel: l.weights.recurrent_kernel.data, ...(l.weights.bias ? { bias: l.weights.bias.data } : {}) } } as ModelLayer;
  const [B = 0, T = 0, D = 0] = c.calls[0]!.x.shape;
  return { layers: [layer], x: c.calls[0]!.x.data, shape: [B, T, D] };
}

export interface GradientBenchRow {
  readonly cell: CellVariant;
  readonly size: LstmSize;
  readonly forward: Timing;
  readonly fast?: Timing;
  readonly gradient: Timing;
}

export async function benchGradients(sizes: readonly LstmSize[]): Promise<GradientBenchRow[]> {
  const rows: GradientBenchRow[] = [];
  for (const size of sizes) {
    for (const cell of CELLS) {
      const c = cellBenchCase(cell, size);
      const { layers, x, shape } = modelOf(c);
      const n = size.batch * size.timesteps * (layers[0] as { config: { units: number } }).config.units;
      const cotangent = Float32Array.from({ length: n }, (_, k) => Math.sin(k));
      const big = size.units >= 256;
      const opts = big ? { warmup: 0, minRuns: 2, maxRuns: 2 } : { budgetMs: 600 };
      const forward = await measure(() => runModel(layers, [{ x, shape }], "keras3"), opts);
      const fast = cell === "lstm" ? await measure(() => referenceEngine.run(c), opts) : undefined;
      const gradient = await measure(() => modelGradients(layers, [{ x, shape, cotangents: [cotangent] }], "keras3"), opts);
      rows.push({ cell, size, forward, ...(fast ? { fast } : {}), gradient });
      const ratio = (t: Timing): string => (gradient.cpuMedianMs / t.cpuMedianMs).toFixed(2);
      console.log(
        `${sizeLabel(size).padEnd(20)} ${cell.padEnd(17)} forward ${forward.cpuMedianMs.toFixed(1).padStart(9)} ms` +
          `${fast ? `  fast ${fast.cpuMedianMs.toFixed(1).padStart(9)} ms` : " ".repeat(19)}` +
          `  gradient ${gradient.cpuMedianMs.toFixed(1).padStart(9)} ms  gradient/forward ${ratio(forward)}${fast ? `  gradient/fast ${ratio(fast)}` : ""}`,
      );
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  await benchGradients(quick ? [FULL_GRID[2]!] : FULL_GRID.slice(3));
}
