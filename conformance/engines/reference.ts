/**
 * The reference as an engine: the first engine every other one is compared with. It implements
 * every inference option of spec/lstm.md, so it declares every feature.
 */
import { activationNames, lstmLayerFast, runModel, type ModelLayer } from "../../reference/index.ts";
import type { LayerCase } from "../case.ts";
import type { Engine, EngineOutputs, Feature } from "../engine.ts";
import { activationFeatures, OPTION_FEATURES } from "../features.ts";

// every option of spec/lstm.md, and every activation the reference knows
const features: Feature[] = [...OPTION_FEATURES, ...activationFeatures(activationNames)];

function run(c: LayerCase): EngineOutputs {
  const layers = c.layers.map((l): ModelLayer =>
    l.className === "LSTM" ? { className: "LSTM", config: l.config, weights: { kernel: l.weights.kernel.data, recurrent_kernel: l.weights.recurrent_kernel.data, bias: l.weights.bias?.data ?? null } } : { className: "Masking", config: { mask_value: l.config.mask_value } },
  );
  const calls = c.calls.map((call) => {
    const [b, t, d] = call.x.shape;
    return {
      x: call.x.data,
      shape: [b!, t!, d!] as const,
      ...(call.mask ? { mask: call.mask.data } : {}),
      ...(call.initialState ? { initialState: [call.initialState[0]!.data, call.initialState[1]!.data] as const } : {}),
    };
  });
  // The fast layer is bit-identical to the readable spec (reference/fast.test.ts) and 3–5× faster (bench/results.md).
  return runModel(layers, calls, c.dialect, lstmLayerFast).map((r) => r.outputs.map((t) => ({ shape: t.shape, data: Float32Array.from(t.data) })));
}

export const referenceEngine: Engine = { name: "reference", version: "0.1.0", features, run };
export default referenceEngine;
