/**
 * "My" LSTM layer: a small library's own implementation of one Keras LSTM layer — Keras layout
 * (spec/lstm.md §1), tanh / sigmoid, an optional initial state and bias. The suite checks it as a
 * layer engine (my-lstm.ts): the models around the layer are the suite's to compose.
 */
import type { Tensor } from "keras-rnn-conformance";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Runs the layer over x (batch, timesteps, input_dim): every step's output, and the final h and c. */
export function lstmForward(x: Tensor, W: Tensor, R: Tensor, bias: Tensor | undefined, U: number, initialState?: readonly [Tensor, Tensor]): { sequence: Tensor; h: Tensor; c: Tensor } {
  const [B, T, D] = x.shape as [number, number, number];
  const seq = new Float32Array(B * T * U);
  const hOut = new Float32Array(B * U);
  const cOut = new Float32Array(B * U);
  for (let b = 0; b < B; b++) {
    const h = Float64Array.from({ length: U }, (_, u) => initialState?.[0].data[b * U + u] ?? 0);
    const cell = Float64Array.from({ length: U }, (_, u) => initialState?.[1].data[b * U + u] ?? 0);
    for (let t = 0; t < T; t++) {
      // z = x_t·W + h·R + bias, blocks i, f, c, o of `units` columns each (Keras layout).
      const z = Float64Array.from({ length: 4 * U }, (_, j) => bias?.data[j] ?? 0);
      for (let d = 0; d < D; d++) for (let j = 0; j < 4 * U; j++) z[j]! += x.data[(b * T + t) * D + d]! * W.data[d * 4 * U + j]!;
      for (let k = 0; k < U; k++) for (let j = 0; j < 4 * U; j++) z[j]! += h[k]! * R.data[k * 4 * U + j]!;
      for (let u = 0; u < U; u++) {
        const i = sigmoid(z[u]!), f = sigmoid(z[U + u]!), g = Math.tanh(z[2 * U + u]!), o = sigmoid(z[3 * U + u]!);
        cell[u] = f * cell[u]! + i * g;
        h[u] = o * Math.tanh(cell[u]!);
        seq[(b * T + t) * U + u] = h[u]!;
      }
    }
    hOut.set(h, b * U);
    cOut.set(cell, b * U);
  }
  return { sequence: { shape: [B, T, U], data: seq }, h: { shape: [B, U], data: hOut }, c: { shape: [B, U], data: cOut } };
}
