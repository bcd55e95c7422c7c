/**
 * The one tiny case `smoke` sends: an LSTM with defaults (tanh, sigmoid, return_sequences) on
 * 2 sequences of 3 steps — what every engine must support. Values are fixed, not random, so a
 * failure reproduces anywhere.
 */
import type { LayerCase, LstmConfig } from "../case.ts";
import { tensor, type Tensor } from "../tensor.ts";

const UNITS = 2;
const INPUT_DIM = 3;

/** Deterministic, varied values in (-scale, scale): sin of a slowly varying phase. */
function values(shape: readonly number[], seed: number, scale: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(shape, Array.from({ length: n }, (_, k) => scale * Math.sin(seed + 1.7 * k)));
}

export const smokeConfig: LstmConfig = {
  name: "lstm",
  units: UNITS,
  activation: "tanh",
  recurrent_activation: "sigmoid",
  use_bias: true,
  return_sequences: true,
  return_state: false,
  go_backwards: false,
  stateful: false,
  unroll: false,
  zero_output_for_mask: false,
  unit_forget_bias: true,
  dropout: 0,
  recurrent_dropout: 0,
};

/** A LayerCase with id `smoke/lstm/basic/000` (or `id`), for smoke and for tests of the protocol. */
export function smokeCase(id = "smoke/lstm/basic/000", config: Partial<LstmConfig> = {}): LayerCase {
  const units = config.units ?? UNITS;
  return {
    id,
    dialect: "keras3",
    layers: [
      {
        className: "LSTM",
        config: { ...smokeConfig, ...config },
        weights: {
          kernel: values([INPUT_DIM, 4 * units], 1, 0.5),
          recurrent_kernel: values([units, 4 * units], 2, 0.5),
          bias: values([4 * units], 3, 0.1),
        },
      },
    ],
    calls: [{ x: values([2, 3, INPUT_DIM], 4, 1) }],
  };
}
