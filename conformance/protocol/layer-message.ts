/**
 * Layer calls on the wire (protocol 2, spec/adapter.md §8.9): a `layer_call` message per call of one
 * recurrent layer — its `class_name` says the cell — answered by a `layer_result` with the final
 * state `h` and, for an LSTM, `c`. Both sides are here: the runner's (process.ts) and an engine's
 * written in TypeScript (the tests' reference layer engine), so the round trip is tested.
 */
import type { GruConfig, LstmConfig, SimpleRnnConfig } from "../case.ts";
import type { RecurrentLayerCall, RecurrentLayerOutputs } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { boolFromWire, weightsFromWire } from "./case-from-run.ts";
import type { LayerCallMessage, LayerResultMessage, WireRecurrentLayer } from "./messages.ts";
import { recurrentLayerToWire } from "./run-message.ts";
import { boolTensorToWire, tensorFromWire, tensorToWire } from "./wire-tensor.ts";

/** runner side: the message asking for `call`; `id` names it, the reply repeats it. */
export function layerCallMessage(id: string, call: RecurrentLayerCall): LayerCallMessage {
  const layer = recurrentLayerToWire(call);
  return {
    type: "layer_call",
    id,
    case: call.caseId,
    layer_index: call.layerIndex,
    call_index: call.callIndex,
    ...(call.direction ? { direction: call.direction } : {}),
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
 * is there, their shapes, and whether `c` belongs to the cell, the composition checks (layer-engine.ts).
 */
export function layerOutputsFromWire(m: Partial<Record<"sequence" | "output" | "h" | "c", unknown>>): RecurrentLayerOutputs {
  const h = tensorFromWire(m.h, "/h");
  const c = m.c === undefined ? undefined : tensorFromWire(m.c, "/c");
  if (m.sequence !== undefined && m.output !== undefined) throw new Error(`a layer_result holds "sequence" or "output", not both`);
  const states = c === undefined ? { h } : { h, c };
  if (m.sequence !== undefined) return { sequence: tensorFromWire(m.sequence, "/sequence"), ...states } as RecurrentLayerOutputs;
  if (m.output !== undefined) return { output: tensorFromWire(m.output, "/output"), ...states } as RecurrentLayerOutputs;
  throw new Error(`a layer_result needs "sequence" (every step) or "output" (as Keras returns it)`);
}

/** engine side: the layer call a message describes. */
export function layerCallFromMessage(m: LayerCallMessage): RecurrentLayerCall {
  const [h0, c0] = (m.initial_state ?? []).map((s, k) => tensorFromWire(s, `/initial_state/${k}`));
  const common = {
    weights: weightsFromWire(m.layer.weights, "/layer/weights"),
    dialect: m.dialect,
    x: tensorFromWire(m.x, "/x"),
    ...(m.mask !== undefined ? { mask: boolFromWire(m.mask) } : {}),
    caseId: m.case,
    layerIndex: m.layer_index,
    callIndex: m.call_index,
    ...(m.direction ? { direction: m.direction } : {}),
  };
  const layer: WireRecurrentLayer = m.layer;
  switch (layer.class_name) {
    case "LSTM":
      return { className: "LSTM", config: layer.config as unknown as LstmConfig, ...common, ...(h0 !== undefined && c0 !== undefined ? { initialState: [h0, c0] as const } : {}) };
    case "GRU":
      return { className: "GRU", config: layer.config as unknown as GruConfig, ...common, ...(h0 !== undefined ? { initialState: [h0] as const } : {}) };
    case "SimpleRNN":
      return { className: "SimpleRNN", config: layer.config as unknown as SimpleRnnConfig, ...common, ...(h0 !== undefined ? { initialState: [h0] as const } : {}) };
  }
}

/** engine side: the reply to layer call `id`. */
export function layerResultMessage(id: string, r: RecurrentLayerOutputs, notes?: readonly string[]): LayerResultMessage {
  const wire = (t: Tensor | Tensor<Float64Array>) => tensorToWire(t);
  return {
    type: "layer_result",
    id,
    ...(r.sequence !== undefined ? { sequence: wire(r.sequence) } : { output: wire(r.output!) }),
    h: wire(r.h),
    ...(r.c !== undefined ? { c: wire(r.c) } : {}),
    ...(notes !== undefined ? { notes } : {}),
  };
}
