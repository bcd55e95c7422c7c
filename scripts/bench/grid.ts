/**
 * The sizes the forward benchmark sweeps, and a deterministic case of each size (one LSTM layer,
 * Keras defaults tanh/sigmoid, the whole sequence returned) that every engine runs; the same for a
 * GRU (either `reset_after`) and a SimpleRNN layer, which the reference runs next to its LSTM.
 */
import type { GruLayer, LayerCase, LstmLayer, RecurrentLayer, SimpleRnnLayer } from "../../conformance/case.ts";
import { smokeConfig } from "../../conformance/commands/smoke-case.ts";
import type { CellVariant, LstmSize } from "./flops.ts";

/** From tiny (one step of 4 units) to large (batch 32, 128 steps, input 128, 256 units). */
export const FULL_GRID: readonly LstmSize[] = [
  { batch: 1, timesteps: 1, inputDim: 4, units: 4 },
  { batch: 1, timesteps: 16, inputDim: 8, units: 16 },
  { batch: 4, timesteps: 16, inputDim: 16, units: 32 },
  { batch: 8, timesteps: 32, inputDim: 32, units: 64 },
  { batch: 16, timesteps: 64, inputDim: 64, units: 128 },
  { batch: 32, timesteps: 128, inputDim: 128, units: 256 },
];

/** `--quick`: enough to exercise every engine and writer in seconds. */
export const QUICK_GRID: readonly LstmSize[] = [FULL_GRID[0]!, FULL_GRID[2]!];

export const sizeLabel = (s: LstmSize): string => `B${s.batch} T${s.timesteps} D${s.inputDim} U${s.units}`;

/** A small linear congruential generator: the same weights on every machine and in every engine. */
function uniform(seed: number): (scale: number) => number {
  let state = seed >>> 0 || 1;
  return (scale) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 4294967296 - 0.5) * 2 * scale;
  };
}

type Fill = (shape: number[], scale: number) => { shape: number[]; data: Float32Array };

/** One LSTM layer of `size`, its weights scaled like Keras's glorot-uniform so activations stay in range. */
export function benchCase(size: LstmSize, seed = 7): LayerCase {
  return cellBenchCase("lstm", size, seed);
}

/**
 * One layer of `cell` and `size`: Keras's defaults (tanh, sigmoid, use_bias), the whole sequence
 * returned, weights scaled like glorot-uniform over (fan-in + fan-out) of each tensor. The LSTM draws
 * exactly what `benchCase` always drew (same seed, same order: kernel, recurrent kernel, bias, x).
 */
export function cellBenchCase(cell: CellVariant, size: LstmSize, seed = 7): LayerCase {
  const { batch, timesteps, inputDim, units } = size;
  const next = uniform(seed);
  const fill: Fill = (shape, scale) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next(scale)) });
  const layer = benchLayer(cell, inputDim, units, fill);
  const label = sizeLabel(size).replaceAll(" ", "-");
  return { id: cell === "lstm" ? `bench/${label}` : `bench/${cell}/${label}`, dialect: "keras3", layers: [layer], calls: [{ x: fill([batch, timesteps, inputDim], 1) }] };
}

function benchLayer(cell: CellVariant, inputDim: number, units: number, fill: Fill): RecurrentLayer {
  // The smoke case's config (Keras defaults: tanh, sigmoid, the whole sequence returned), resized;
  // unit_forget_bias is the LSTM's alone.
  const { activation, recurrent_activation, use_bias, return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask, dropout, recurrent_dropout } = smokeConfig;
  const common = { activation, use_bias, return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask, dropout, recurrent_dropout };
  switch (cell) {
    case "lstm":
      return lstmLayer(inputDim, units, fill);
    case "gru":
    case "gru_reset_before": {
      const resetAfter = cell === "gru";
      const layer: GruLayer = {
        className: "GRU",
        config: { ...common, name: "gru", units, recurrent_activation, reset_after: resetAfter },
        weights: {
          kernel: fill([inputDim, 3 * units], Math.sqrt(6 / (inputDim + 3 * units))),
          recurrent_kernel: fill([units, 3 * units], Math.sqrt(6 / (4 * units))),
          bias: fill(resetAfter ? [2, 3 * units] : [3 * units], 0.1), // spec/gru.md §1.3
        },
      };
      return layer;
    }
    case "simple_rnn": {
      const layer: SimpleRnnLayer = {
        className: "SimpleRNN",
        config: { ...common, name: "simple_rnn", units },
        weights: {
          kernel: fill([inputDim, units], Math.sqrt(6 / (inputDim + units))),
          recurrent_kernel: fill([units, units], Math.sqrt(6 / (2 * units))),
          bias: fill([units], 0.1),
        },
      };
      return layer;
    }
  }
}

function lstmLayer(inputDim: number, units: number, fill: Fill): LstmLayer {
  const layer: LstmLayer = {
    className: "LSTM",
    // The smoke case's config (Keras defaults: tanh, sigmoid, the whole sequence returned), resized.
    config: { ...smokeConfig, units },
    weights: {
      kernel: fill([inputDim, 4 * units], Math.sqrt(6 / (inputDim + 4 * units))),
      recurrent_kernel: fill([units, 4 * units], Math.sqrt(6 / (5 * units))),
      bias: fill([4 * units], 0.1),
    },
  };
  return layer;
}
