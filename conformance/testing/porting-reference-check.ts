/**
 * Runs converted Keras weights through the float64 reference (conformance/engines/reference.ts) for
 * one sample, so a converter test can compare with a framework's own math (test support).
 */
import type { LstmWeights, RecurrentLayer, RecurrentWeights } from "../case.ts";
import { referenceEngine } from "../engines/reference.ts";
import { sequenceConfig } from "./porting-arbitraries.ts";

/** The Keras output sequence (T·units) for x (T, D), zero initial state, tanh/sigmoid. */
export async function referenceSequence(w: LstmWeights, x: readonly (readonly number[])[], goBackwards = false): Promise<Float32Array> {
  const units = w.recurrent_kernel.shape[0]!;
  const outputs = await referenceEngine.run({
    id: "porting/property",
    dialect: "keras3",
    layers: [{ className: "LSTM", config: sequenceConfig(units, w.bias !== undefined, { go_backwards: goBackwards }), weights: w }],
    calls: [{ x: { shape: [1, x.length, x[0]!.length], data: Float32Array.from(x.flat()) } }],
  });
  return outputs[0]![0]!.data;
}

/** max |a - b| over two sequences of equal length (Infinity for NaN or a length mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k]! - b[k]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/**
 * The Keras output sequence (T·units) of one GRU or SimpleRNN layer (tanh, and sigmoid for the GRU's
 * gates) with weights `w`, for x (T, D) from a zero state, computed by the reference.
 */
export async function referenceCellSequence(className: "GRU" | "SimpleRNN", w: RecurrentWeights, x: readonly (readonly number[])[], resetAfter = true): Promise<Float32Array> {
  const units = w.recurrent_kernel.shape[0]!;
  const config = { ...sequenceConfig(units, w.bias !== undefined), return_state: false };
  const layer: RecurrentLayer =
    className === "GRU"
      ? { className: "GRU", config: { ...config, reset_after: resetAfter }, weights: w }
      : { className: "SimpleRNN", config: { units, activation: "tanh", use_bias: w.bias !== undefined, return_sequences: true, return_state: false, go_backwards: false, stateful: false }, weights: w };
  const outputs = await referenceEngine.run({
    id: "porting/property",
    dialect: "keras3",
    layers: [layer],
    calls: [{ x: { shape: [1, x.length, x[0]!.length], data: Float32Array.from(x.flat()) } }],
  });
  return outputs[0]![0]!.data;
}
