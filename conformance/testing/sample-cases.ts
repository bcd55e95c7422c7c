/**
 * Small hand-made cases for the engine tests: one per option an engine maps by hand (direction,
 * initial state, masks, stacking, state carried between calls, activations). Weights and inputs are
 * deterministic pseudo-random values, asymmetric so that gate-order or orientation mistakes show.
 * These cases have no Keras truth of their own; tests compare engines with the reference.
 */
import type { BoolTensor, Tensor } from "../tensor.ts";
import type { CallInputs, Dialect, LayerCase, LstmConfig, LstmLayer, MaskingLayer } from "../case.ts";

function generator(seed: number): (scale?: number) => number {
  let s = seed >>> 0 || 1;
  return (scale = 1) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32 - 0.5) * 2 * scale);
  };
}

function randomTensor(shape: number[], next: (scale?: number) => number, scale: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => next(scale)) };
}

export interface SampleOptions {
  readonly id: string;
  readonly dialect?: Dialect;
  readonly batch?: number;
  readonly timesteps?: number;
  readonly inputDim?: number;
  /** Units per LSTM layer; two entries make a stacked model. */
  readonly units?: readonly number[];
  readonly config?: Partial<LstmConfig>;
  /** Per batch row, a string of 1 (valid) and 0 (masked) per step. */
  readonly mask?: readonly string[];
  /** Put a Masking layer first and write `maskValue` into the masked steps of x instead of passing `mask=`. */
  readonly maskingLayer?: boolean;
  readonly initialState?: boolean;
  readonly calls?: number;
  readonly seed?: number;
}

export function sampleCase(o: SampleOptions): LayerCase {
  const next = generator(o.seed ?? 11);
  const batch = o.batch ?? 2;
  const timesteps = o.timesteps ?? 4;
  const inputDim = o.inputDim ?? 3;
  const units = o.units ?? [3];
  const lstms: LstmLayer[] = units.map((u, k) => {
    const inDim = k === 0 ? inputDim : units[k - 1]!;
    const config: LstmConfig = {
      units: u,
      activation: "tanh",
      recurrent_activation: "sigmoid",
      use_bias: true,
      return_sequences: false,
      return_state: false,
      go_backwards: false,
      stateful: false,
      zero_output_for_mask: false,
      unit_forget_bias: true,
      ...o.config,
      // Inner layers of a stack hand their whole sequence on.
      ...(k < units.length - 1 ? { return_sequences: true, return_state: false } : {}),
    };
    return {
      className: "LSTM",
      config,
      weights: {
        kernel: randomTensor([inDim, 4 * u], next, 0.8),
        recurrent_kernel: randomTensor([u, 4 * u], next, 0.8),
        ...(config.use_bias ? { bias: randomTensor([4 * u], next, 0.5) } : {}),
      },
    };
  });
  const maskValue = 0;
  const masking: MaskingLayer = { className: "Masking", config: { mask_value: maskValue } };
  const calls: CallInputs[] = Array.from({ length: o.calls ?? 1 }, () => {
    const x = randomTensor([batch, timesteps, inputDim], next, 1.5);
    let mask: BoolTensor | undefined;
    if (o.mask) {
      mask = { shape: [batch, timesteps], data: Uint8Array.from(o.mask.join(""), (ch) => (ch === "1" ? 1 : 0)) };
      if (o.maskingLayer) {
        mask.data.forEach((valid, s) => {
          if (!valid) x.data.fill(maskValue, s * inputDim, (s + 1) * inputDim);
        });
      }
    }
    const u0 = units[0]!;
    return {
      x,
      ...(mask && !o.maskingLayer ? { mask } : {}),
      ...(o.initialState ? { initialState: [randomTensor([batch, u0], next, 0.7), randomTensor([batch, u0], next, 0.7)] } : {}),
    };
  });
  return { id: o.id, dialect: o.dialect ?? "keras3", layers: o.maskingLayer ? [masking, ...lstms] : lstms, calls };
}

/** The cases every in-process engine test runs, by name. */
export const sampleCases = {
  basic: sampleCase({ id: "sample/basic" }),
  sequencesAndState: sampleCase({ id: "sample/sequences_state", config: { return_sequences: true, return_state: true } }),
  goBackwards: sampleCase({ id: "sample/go_backwards", config: { go_backwards: true, return_sequences: true, return_state: true } }),
  initialState: sampleCase({ id: "sample/initial_state", initialState: true, config: { return_state: true } }),
  noBias: sampleCase({ id: "sample/no_bias", config: { use_bias: false, return_sequences: true } }),
  rightPaddedZeroOutput: sampleCase({
    id: "sample/mask/right_padded_zero_output",
    mask: ["1110", "1000"],
    config: { return_sequences: true, return_state: true, zero_output_for_mask: true },
  }),
  rightPaddedLast: sampleCase({ id: "sample/mask/right_padded_last", mask: ["1110", "1100"], config: { return_state: true } }),
  rightPaddedSequence: sampleCase({ id: "sample/mask/right_padded_sequence", mask: ["1110", "1100"], config: { return_sequences: true } }),
  rightPaddedBackwards: sampleCase({
    id: "sample/mask/right_padded_backwards",
    mask: ["1110", "1100"],
    config: { go_backwards: true, return_sequences: true, return_state: true },
  }),
  leftPadded: sampleCase({ id: "sample/mask/left_padded", mask: ["0111", "0011"], config: { return_sequences: true } }),
  maskingLayer: sampleCase({ id: "sample/masking_layer", mask: ["1110", "1100"], maskingLayer: true, config: { return_state: true } }),
  stacked: sampleCase({ id: "sample/stacked", units: [4, 3], config: { return_sequences: true, return_state: true } }),
  stackedBackwards: sampleCase({ id: "sample/stacked_backwards", units: [4, 3], config: { go_backwards: true, return_sequences: true } }),
  stateful: sampleCase({ id: "sample/stateful", calls: 3, config: { stateful: true, return_state: true } }),
  relu: sampleCase({ id: "sample/activation/relu", config: { activation: "relu", return_sequences: true } }),
  linear: sampleCase({ id: "sample/activation/linear", config: { activation: "linear", return_sequences: true } }),
  elu: sampleCase({ id: "sample/activation/elu", config: { activation: "elu", return_sequences: true } }),
  softsign: sampleCase({ id: "sample/activation/softsign", config: { activation: "softsign", recurrent_activation: "softplus" } }),
  hardSigmoidKeras3: sampleCase({ id: "sample/activation/hard_sigmoid_keras3", config: { recurrent_activation: "hard_sigmoid", return_sequences: true } }),
  hardSigmoidTfKeras: sampleCase({
    id: "sample/activation/hard_sigmoid_tf_keras",
    dialect: "tf-keras",
    config: { recurrent_activation: "hard_sigmoid", return_sequences: true },
  }),
} satisfies Record<string, LayerCase>;
