/**
 * "My" LSTM: a small library's own implementation, plugged into the suite as an engine.
 * It implements Keras's default LSTM (tanh / sigmoid) with return_sequences, return_state,
 * initial_state and use_bias=False, and declares exactly that: every other case is reported as
 * unsupported, never as passed.
 */
import type { Engine, EngineOutputs, Feature, LayerCase, Tensor } from "keras-rnn-conformance";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function runLstm(c: LayerCase): EngineOutputs {
  const layer = c.layers[0];
  if (c.layers.length !== 1 || layer?.className !== "LSTM") throw new Error("one LSTM layer only");
  const { units: U, return_sequences, return_state } = layer.config;
  const { kernel: W, recurrent_kernel: R, bias } = layer.weights;
  return c.calls.map((call) => {
    const [B, T, D] = call.x.shape as [number, number, number];
    const seq = new Float32Array(B * T * U);
    const hOut = new Float32Array(B * U);
    const cOut = new Float32Array(B * U);
    for (let b = 0; b < B; b++) {
      const h = Float64Array.from({ length: U }, (_, u) => call.initialState?.[0]?.data[b * U + u] ?? 0);
      const cell = Float64Array.from({ length: U }, (_, u) => call.initialState?.[1]?.data[b * U + u] ?? 0);
      for (let t = 0; t < T; t++) {
        // z = x_t·W + h·R + bias, blocks i, f, c, o of `units` columns each (Keras layout).
        const z = Float64Array.from({ length: 4 * U }, (_, j) => bias?.data[j] ?? 0);
        for (let d = 0; d < D; d++) for (let j = 0; j < 4 * U; j++) z[j]! += call.x.data[(b * T + t) * D + d]! * W.data[d * 4 * U + j]!;
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
    const output: Tensor = return_sequences ? { shape: [B, T, U], data: seq } : { shape: [B, U], data: hOut };
    return return_state ? [output, { shape: [B, U], data: hOut }, { shape: [B, U], data: cOut }] : [output];
  });
}

const features: Feature[] = ["return_sequences", "return_state", "initial_state", "use_bias_false", "activation:tanh", "recurrent_activation:sigmoid"];

export const engine: Engine = { name: "my-lstm", version: "1.0.0", features, run: runLstm };
export default engine;
