/**
 * Test support for the converters: fast-check arbitraries for Keras weight sets, an exact-equality
 * check that treats −0 and +0 as equal (a bias sum `b + 0` turns −0 into +0), and an independent
 * float64 LSTM recurrence that a test drives with a framework's *own* pre-activation formula, so a
 * converter is checked against the framework's documented math, not against itself.
 */
import fc from "fast-check";
import type { GruWeights, LstmConfig, LstmWeights, RecurrentWeights, SimpleRnnWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";

/** A float32 weight value in [-2, 2] without subnormals (whose halves round; see BiasSplit "half"). */
export const weightValue = fc.float({ min: -2, max: 2, noNaN: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v));

export function tensorArb(shape: readonly number[]): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(weightValue, { minLength: n, maxLength: n }).map((v) => ({ shape: [...shape], data: Float32Array.from(v) }));
}

export function kerasWeightsArb(inputDim: number, units: number, withBias: boolean): fc.Arbitrary<LstmWeights> {
  return fc.record({
    kernel: tensorArb([inputDim, 4 * units]),
    recurrent_kernel: tensorArb([units, 4 * units]),
    bias: withBias ? tensorArb([4 * units]) : fc.constant(undefined),
  }).map((w) => (w.bias ? w : { kernel: w.kernel, recurrent_kernel: w.recurrent_kernel }));
}

/** Sizes and a weight set: input_dim 1–4, units 1–4, with or without bias. */
export const kerasLayerArb = fc
  .record({ inputDim: fc.integer({ min: 1, max: 4 }), units: fc.integer({ min: 1, max: 4 }), withBias: fc.boolean() })
  .chain((d) => kerasWeightsArb(d.inputDim, d.units, d.withBias).map((w) => ({ ...d, w })));

/** Same values (−0 equals +0), same shape. */
export function sameValues(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (!a || !b) return a === b;
  return a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k]) && a.data.length === b.data.length && a.data.every((v, k) => v === b.data[k]);
}

export function sameKerasWeights(a: LstmWeights, b: LstmWeights): boolean {
  return sameValues(a.kernel, b.kernel) && sameValues(a.recurrent_kernel, b.recurrent_kernel) && sameValues(a.bias, b.bias);
}

/** A default Keras LSTM config returning the whole sequence and the states. */
export function sequenceConfig(units: number, useBias: boolean, extra: Partial<LstmConfig> = {}): LstmConfig {
  return {
    units,
    activation: "tanh",
    recurrent_activation: "sigmoid",
    use_bias: useBias,
    return_sequences: true,
    return_state: true,
    go_backwards: false,
    stateful: false,
    ...extra,
  };
}

/**
 * Pre-activations of gate `g` (0 = i, 1 = f, 2 = candidate, 3 = o — by *meaning*, whatever order the
 * framework stores them in) for one sample: `pre(g, j, x, h)` is unit j's value.
 */
export type PreActivation = (gate: 0 | 1 | 2 | 3, unit: number, x: readonly number[], h: readonly number[]) => number;

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Runs the textbook LSTM (sigmoid gates, tanh candidate and output) over x (T, D) for one sample,
 * from zero state, with the framework's own pre-activation function. Returns h per step, (T·units).
 */
export function runForeignLstm(x: readonly (readonly number[])[], units: number, pre: PreActivation): number[] {
  let h = new Array<number>(units).fill(0);
  let c = new Array<number>(units).fill(0);
  const out: number[] = [];
  for (const xt of x) {
    const nh: number[] = [];
    const nc: number[] = [];
    for (let j = 0; j < units; j++) {
      const i = sigmoid(pre(0, j, xt, h));
      const f = sigmoid(pre(1, j, xt, h));
      const g = Math.tanh(pre(2, j, xt, h));
      const o = sigmoid(pre(3, j, xt, h));
      nc[j] = f * c[j]! + i * g;
      nh[j] = o * Math.tanh(nc[j]!);
    }
    h = nh;
    c = nc;
    out.push(...h);
  }
  return out;
}

/** x (T, D) for one sample, values in [-2, 2]. */
export function sequenceArb(timesteps: number, inputDim: number): fc.Arbitrary<number[][]> {
  return fc.array(fc.array(weightValue, { minLength: inputDim, maxLength: inputDim }), { minLength: timesteps, maxLength: timesteps });
}

/** A GRU's bias: none, reset-after (2, 3u), or reset-before (3u) (spec/gru.md §1.3). */
export type GruBias = "none" | "after" | "before";

export function gruWeightsArb(inputDim: number, units: number, bias: GruBias): fc.Arbitrary<GruWeights> {
  return fc.record({
    kernel: tensorArb([inputDim, 3 * units]),
    recurrent_kernel: tensorArb([units, 3 * units]),
    bias: bias === "none" ? fc.constant(undefined) : tensorArb(bias === "after" ? [2, 3 * units] : [3 * units]),
  }).map((w) => (w.bias ? w : { kernel: w.kernel, recurrent_kernel: w.recurrent_kernel }));
}

/** Sizes and a GRU weight set: input_dim 1–4, units 1–4, each bias form. */
export const gruLayerArb = fc
  .record({ inputDim: fc.integer({ min: 1, max: 4 }), units: fc.integer({ min: 1, max: 4 }), bias: fc.constantFrom<GruBias>("none", "after", "before") })
  .chain((d) => gruWeightsArb(d.inputDim, d.units, d.bias).map((w) => ({ ...d, w })));

export function simpleRnnWeightsArb(inputDim: number, units: number, withBias: boolean): fc.Arbitrary<SimpleRnnWeights> {
  return fc.record({
    kernel: tensorArb([inputDim, units]),
    recurrent_kernel: tensorArb([units, units]),
    bias: withBias ? tensorArb([units]) : fc.constant(undefined),
  }).map((w) => (w.bias ? w : { kernel: w.kernel, recurrent_kernel: w.recurrent_kernel }));
}

/** Sizes and a SimpleRNN weight set: input_dim 1–4, units 1–4, with or without bias. */
export const simpleRnnLayerArb = fc
  .record({ inputDim: fc.integer({ min: 1, max: 4 }), units: fc.integer({ min: 1, max: 4 }), withBias: fc.boolean() })
  .chain((d) => simpleRnnWeightsArb(d.inputDim, d.units, d.withBias).map((w) => ({ ...d, w })));

/** Same values and shapes of every Keras tensor (any cell). */
export function sameCellWeights(a: RecurrentWeights, b: RecurrentWeights): boolean {
  return sameValues(a.kernel, b.kernel) && sameValues(a.recurrent_kernel, b.recurrent_kernel) && sameValues(a.bias, b.bias);
}

/**
 * A GRU framework's own formula for one block (0 = z, 1 = r, 2 = candidate — by *meaning*, whatever
 * order the framework stores them in), split as GRUs need it: `input(g, j, x)` is unit j's input side
 * with its input-side bias, `recurrent(g, j, v)` its recurrent product with the vector `v` plus the
 * recurrent-side bias.
 */
export interface ForeignGru {
  readonly input: (gate: 0 | 1 | 2, unit: number, x: readonly number[]) => number;
  readonly recurrent: (gate: 0 | 1 | 2, unit: number, v: readonly number[]) => number;
}

/**
 * The textbook GRU over x (T, D) for one sample from a zero state, sigmoid gates and tanh candidate,
 * with a framework's own parts: reset-after `n = tanh(input + r ⊙ recurrent(h))` (PyTorch, cuDNN, ONNX
 * linear_before_reset=1) or reset-before `n = tanh(input + recurrent(r ⊙ h))` (ONNX
 * linear_before_reset=0, TF1, Keras 1); `h' = z ⊙ h + (1 − z) ⊙ n`. Returns h per step, (T·units).
 */
export function runForeignGru(x: readonly (readonly number[])[], units: number, f: ForeignGru, resetAfter: boolean): number[] {
  let h = new Array<number>(units).fill(0);
  const out: number[] = [];
  for (const xt of x) {
    const z = Array.from({ length: units }, (_, j) => sigmoid(f.input(0, j, xt) + f.recurrent(0, j, h)));
    const r = Array.from({ length: units }, (_, j) => sigmoid(f.input(1, j, xt) + f.recurrent(1, j, h)));
    const rh = h.map((v, j) => r[j]! * v);
    const n = Array.from({ length: units }, (_, j) => Math.tanh(f.input(2, j, xt) + (resetAfter ? r[j]! * f.recurrent(2, j, h) : f.recurrent(2, j, rh))));
    h = h.map((v, j) => z[j]! * v + (1 - z[j]!) * n[j]!);
    out.push(...h);
  }
  return out;
}

/** The textbook SimpleRNN (tanh) over x (T, D) for one sample from zero, with a framework's own pre-activation `pre(j, x, h)`. */
export function runForeignSimpleRnn(x: readonly (readonly number[])[], units: number, pre: (unit: number, x: readonly number[], h: readonly number[]) => number): number[] {
  let h = new Array<number>(units).fill(0);
  const out: number[] = [];
  for (const xt of x) {
    const prev = h;
    h = Array.from({ length: units }, (_, j) => Math.tanh(pre(j, xt, prev)));
    out.push(...h);
  }
  return out;
}
