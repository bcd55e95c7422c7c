/** A case as the `run` message that asks an engine to compute it (spec/adapter.md §8.3). */
import type { CallInputs, Layer, LayerCase, RecurrentLayer } from "../case.ts";
import type { RunMessage, WireCall, WireLayer, WireRecurrentLayer } from "./messages.ts";
import { boolTensorToWire, tensorToWire } from "./wire-tensor.ts";

export function layerToWire(layer: Layer): WireLayer {
  if (layer.className === "Masking") return { class_name: "Masking", config: layer.config };
  if (layer.className === "Bidirectional") {
    return { class_name: "Bidirectional", config: layer.config, forward: recurrentLayerToWire(layer.forward), backward: recurrentLayerToWire(layer.backward) };
  }
  return recurrentLayerToWire(layer);
}

/** A recurrent layer — or a layer call, which names its class the same way — on the wire. */
export function recurrentLayerToWire(layer: Pick<RecurrentLayer, "className" | "config" | "weights">): WireRecurrentLayer {
  const { kernel, recurrent_kernel, bias } = layer.weights;
  // spec/fixture-format.md §3.1: get_weights() order, each with its name.
  const weights = [tensorToWire(kernel, "kernel"), tensorToWire(recurrent_kernel, "recurrent_kernel")];
  if (bias !== undefined) weights.push(tensorToWire(bias, "bias"));
  return { class_name: layer.className, config: layer.config, weights };
}

function callToWire(call: CallInputs): WireCall {
  return {
    x: tensorToWire(call.x),
    ...(call.mask !== undefined ? { mask: boolTensorToWire(call.mask) } : {}),
    ...(call.initialState !== undefined ? { initial_state: call.initialState.map((s) => tensorToWire(s)) } : {}),
  };
}

export function runMessage(c: LayerCase): RunMessage {
  return { type: "run", id: c.id, dialect: c.dialect, layers: c.layers.map(layerToWire), calls: c.calls.map(callToWire) };
}
