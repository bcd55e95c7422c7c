/**
 * The sizes the forward benchmark sweeps, and a deterministic case of each size (one LSTM layer,
 * Keras defaults tanh/sigmoid, the whole sequence returned) that every engine runs.
 */
import type { LayerCase, LstmLayer } from "../../conformance/case.ts";
import { smokeConfig } from "../../conformance/commands/smoke-case.ts";
import type { LstmSize } from "./flops.ts";

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

/** One LSTM layer of `size`, its weights scaled like Keras's glorot-uniform so activations stay in range. */
export function benchCase(size: LstmSize, seed = 7): LayerCase {
  const { batch, timesteps, inputDim, units } = size;
  const next = uniform(seed);
  const fill = (shape: number[], scale: number) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next(scale)) });
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
  return { id: `bench/${sizeLabel(size).replaceAll(" ", "-")}`, dialect: "keras3", layers: [layer], calls: [{ x: fill([batch, timesteps, inputDim], 1) }] };
}
