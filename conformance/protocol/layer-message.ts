/**
 * Layer calls on the wire (protocol 2, spec/adapter.md §8.9): a `layer_call` message per call of one
 * LSTM layer, answered by a `layer_result`. Both sides are here: the runner's (process.ts) and an
 * engine's written in TypeScript (the tests' reference layer engine), so the round trip is tested.
 */
import type { LstmLayerCall, LstmLayerOutputs } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { boolFromWire, weightsFromWire } from "./case-from-run.ts";
import type { LayerCallMessage, LayerResultMessage } from "./messages.ts";
import { layerToWire } from "./run-message.ts";
import { boolTensorToWire, tensorFromWire, tensorToWire } from "./wire-tensor.ts";

/** runner side: the message asking for `call`; `id` names it, the reply repeats it. */
export function layerCallMessage(id: string, call: LstmLayerCall): LayerCallMessage {
  const layer = layerToWire({ className: "LSTM", config: call.config, weights: call.weights });
  if (layer.class_name !== "LSTM") throw new Error("unreachable: an LSTM layer became another class");
  return {
    type: "layer_call",
    id,
    case: call.caseId,
    layer_index: call.layerIndex,
    call_index: call.callIndex,
    dialect: call.dialect,
    layer,
    x: tensorToWire(call.x),
    ...(call.mask !== undefined ? { mask: boolTensorToWire(call.mask) } : {}),
    ...(call.initialState !== undefined ? { initial_state: call.initialState.map((s) => tensorToWire(s)) } : {}),
  };
}

/**
 * runner side: a `layer_result` as the layer's outputs. Its tensors are checked (a tensor that does
 * not fill its shape is an error naming the field, as for `result`); which of sequence and output
 * is there, and their shapes, the composition checks (layer-engine.ts).
 */
export function layerOutputsFromWire(m: Partial<Record<"sequence" | "output" | "h" | "c", unknown>>): LstmLayerOutputs {
  const h = tensorFromWire(m.h, "/h");
  const c = tensorFromWire(m.c, "/c");
  if (m.sequence !== undefined && m.output !== undefined) throw new Error(`a layer_result holds "sequence" or "output", not both`);
  if (m.sequence !== undefined) return { sequence: tensorFromWire(m.sequence, "/sequence"), h, c };
  if (m.output !== undefined) return { output: tensorFromWire(m.output, "/output"), h, c };
  throw new Error(`a layer_result needs "sequence" (every step) or "output" (as Keras returns it)`);
}

/** engine side: the layer call a message describes. */
export function layerCallFromMessage(m: LayerCallMessage): LstmLayerCall {
  const [h0, c0] = (m.initial_state ?? []).map((s, k) => tensorFromWire(s, `/initial_state/${k}`));
  return {
    config: m.layer.config as unknown as LstmLayerCall["config"],
    weights: weightsFromWire(m.layer.weights, "/layer/weights"),
    dialect: m.dialect,
    x: tensorFromWire(m.x, "/x"),
    ...(m.mask !== undefined ? { mask: boolFromWire(m.mask) } : {}),
    ...(h0 !== undefined && c0 !== undefined ? { initialState: [h0, c0] as const } : {}),
    caseId: m.case,
    layerIndex: m.layer_index,
    callIndex: m.call_index,
  };
}

/** engine side: the reply to layer call `id`. */
export function layerResultMessage(id: string, r: LstmLayerOutputs, notes?: readonly string[]): LayerResultMessage {
  const wire = (t: Tensor | Tensor<Float64Array>) => tensorToWire(t);
  return {
    type: "layer_result",
    id,
    ...(r.sequence !== undefined ? { sequence: wire(r.sequence) } : { output: wire(r.output!) }),
    h: wire(r.h),
    c: wire(r.c),
    ...(notes !== undefined ? { notes } : {}),
  };
}
