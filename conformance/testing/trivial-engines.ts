/**
 * Test helper: engines that compute nothing of any cell yet return outputs of Keras's form for every
 * case of every cell (spec/lstm.md §3.2, spec/gru.md §3.2: the sequence or last output, then with
 * return_state the last layer's states — h and c for an LSTM, h for a GRU or a SimpleRNN — one
 * result per stateful call; the shapes come from the cell's descriptor through `kerasOutputShapes`).
 * They declare every feature, so every cell is drawn for them. A property that such an engine passes
 * is no evidence that an engine is right; properties.test.ts runs every property on each of them to
 * find which properties are evidence (property.ts `evidence`, spec/adapter.md §4.3).
 */
import type { LayerCase } from "../case.ts";
import type { Engine, EngineOutputs } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import { kerasOutputShapes } from "../properties/property.ts";
import { sizeOf, type Tensor } from "../tensor.ts";

/** Declares every feature, so that no property is skipped as unsupported. */
const trivial = (name: string, run: (c: LayerCase) => EngineOutputs | Promise<EngineOutputs>): Engine => ({
  name: `trivial:${name}`,
  version: "0.0.0",
  features: referenceEngine.features,
  run,
});

const filled = (c: LayerCase, value: number): EngineOutputs =>
  kerasOutputShapes(c).map((shapes) => shapes.map((shape) => ({ shape, data: new Float32Array(sizeOf(shape)).fill(value) })));

/** Step `t` of x (B, T, D) copied into a (B, u) tensor: the first min(D, u) features, zeros after. */
function echoStep(x: Tensor, t: number, u: number): Float32Array {
  const [B, T, D] = x.shape as [number, number, number];
  const out = new Float32Array(B * u);
  for (let b = 0; b < B; b++) for (let j = 0; j < Math.min(D, u); j++) out[b * u + j] = x.data[(b * T + t) * D + j]!;
  return out;
}

/** The input echoed: every output step is x's step (its first features, zero-padded to units); every state is x's last step. */
function echo(c: LayerCase): EngineOutputs {
  const shapes = kerasOutputShapes(c);
  return c.calls.map((call, k) => {
    const T = call.x.shape[1]!;
    return shapes[k]!.map((shape): Tensor => {
      const u = shape.at(-1)!;
      if (shape.length === 2) return { shape, data: echoStep(call.x, T - 1, u) };
      const B = shape[0]!;
      const data = new Float32Array(sizeOf(shape));
      for (let t = 0; t < T; t++) {
        const s = echoStep(call.x, t, u);
        for (let b = 0; b < B; b++) data.set(s.subarray(b * u, (b + 1) * u), (b * T + t) * u);
      }
      return { shape, data };
    });
  });
}

/** The reference with every output multiplied by `factor`: right up to a scale, so every relation linear in the outputs still holds. */
const scaledReference = (factor: number) => async (c: LayerCase): Promise<EngineOutputs> =>
  (await referenceEngine.run(c)).map((call) => call.map((t) => ({ shape: t.shape, data: t.data.map((v) => v * factor) })));

export const trivialEngines: readonly Engine[] = [
  trivial("zeros", (c) => filled(c, 0)),
  trivial("constant-0.5", (c) => filled(c, 0.5)),
  trivial("echo-input", echo),
  trivial("reference-times-2", scaledReference(2)),
];
