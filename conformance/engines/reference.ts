/**
 * The reference as an engine: the first engine every other one is compared with. It implements
 * every cell (conformance/cells.ts), every inference option of spec/lstm.md, spec/gru.md and
 * spec/simple-rnn.md, and the Bidirectional wrapper (spec/bidirectional.md), so it declares every feature.
 */
import { activationNames, lstmLayerFast, runModel, type ModelCall, type ModelLayer, type RecurrentModelLayer } from "../../reference/index.ts";
import type { Layer, LayerCase, RecurrentLayer } from "../case.ts";
import { CELL_FEATURES, CELL_OPTION_FEATURES } from "../cells.ts";
import type { Engine, EngineOutputs, Feature } from "../engine.ts";
import { activationFeatures, BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE, OPTION_FEATURES } from "../features.ts";
import { referenceGradients } from "../gradients/reference-gradients.ts";

// every cell and its options, every option of the layer and the model, the Bidirectional wrapper,
// every activation the reference knows, and gradients (reference/gradients/, spec/gradients.md §4)
const features: Feature[] = [...CELL_FEATURES, ...CELL_OPTION_FEATURES, ...OPTION_FEATURES, BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE, ...activationFeatures(activationNames)];

/** A case's layer as the reference's model takes it: the same config, the weights' data in get_weights() order. */
function modelLayer(l: Layer): ModelLayer {
  if (l.className === "Masking") return { className: "Masking", config: { mask_value: l.config.mask_value } };
  if (l.className === "Bidirectional") return { className: "Bidirectional", config: l.config, forward: recurrentModelLayer(l.forward), backward: recurrentModelLayer(l.backward) };
  return recurrentModelLayer(l);
}

function recurrentModelLayer(l: RecurrentLayer): RecurrentModelLayer {
  const weights = { kernel: l.weights.kernel.data, recurrent_kernel: l.weights.recurrent_kernel.data, bias: l.weights.bias?.data ?? null };
  switch (l.className) {
    case "LSTM":
      return { className: "LSTM", config: l.config, weights };
    case "GRU":
      return { className: "GRU", config: l.config, weights };
    case "SimpleRNN":
      return { className: "SimpleRNN", config: l.config, weights };
  }
}

function run(c: LayerCase): EngineOutputs {
  const calls = c.calls.map((call): ModelCall => {
    const [b, t, d] = call.x.shape;
    return {
      x: call.x.data,
      shape: [b!, t!, d!],
      ...(call.mask ? { mask: call.mask.data } : {}),
      ...(call.initialState ? { initialState: call.initialState.map((s) => s.data) } : {}),
    };
  });
  // The fast LSTM layer is bit-identical to the readable spec (reference/fast.test.ts) and 3–5× faster (bench/results.md).
  return runModel(c.layers.map(modelLayer), calls, c.dialect, lstmLayerFast).map((r) => r.outputs.map((t) => ({ shape: t.shape, data: Float32Array.from(t.data) })));
}

// Its gradients are float64 BPTT (spec/gradients.md §4), answered as they are: float64 is a valid answer (spec/adapter.md §3).
export const referenceEngine: Engine = { name: "reference", version: "0.1.0", features, run, gradients: referenceGradients };
export default referenceEngine;
