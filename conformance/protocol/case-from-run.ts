/**
 * The engine side of `run` (spec/adapter.md §8.3): the LayerCase a run message describes. Used by
 * engines written in TypeScript that run out of process, and by the round-trip tests of the protocol.
 */
import type { BidirectionalLayer, CallInputs, Layer, LayerCase, RecurrentLayer, RecurrentWeights } from "../case.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";
import type { RunMessage, WireBoolTensor, WireFloatTensor, WireRecurrentLayer } from "./messages.ts";
import { tensorFromWire } from "./wire-tensor.ts";

export function boolFromWire(t: WireBoolTensor): BoolTensor {
  return { shape: [...t.shape], data: Uint8Array.from(t.data, (v) => (v ? 1 : 0)) };
}

export function weightsFromWire(weights: readonly WireFloatTensor[], path: string): RecurrentWeights {
  const byName = new Map<string, Tensor>(weights.map((w, k) => [w.name ?? "", tensorFromWire(w, `${path}/${k}`)]));
  const kernel = byName.get("kernel");
  const recurrent = byName.get("recurrent_kernel");
  if (kernel === undefined || recurrent === undefined) throw new Error(`${path}: needs tensors named "kernel" and "recurrent_kernel"`);
  const bias = byName.get("bias");
  return bias === undefined ? { kernel, recurrent_kernel: recurrent } : { kernel, recurrent_kernel: recurrent, bias };
}

const recurrentFromWire = (l: WireRecurrentLayer, path: string): RecurrentLayer =>
  ({ className: l.class_name, config: l.config, weights: weightsFromWire(l.weights, `${path}/weights`) }) as RecurrentLayer;

export function caseFromRun(m: RunMessage): LayerCase {
  const layers = m.layers.map((l, i): Layer => {
    if (l.class_name === "Masking") return { className: "Masking", config: l.config as { mask_value: number } };
    if (l.class_name === "Bidirectional") {
      return {
        className: "Bidirectional",
        config: l.config as BidirectionalLayer["config"],
        forward: recurrentFromWire(l.forward, `/layers/${i}/forward`),
        backward: recurrentFromWire(l.backward, `/layers/${i}/backward`),
      };
    }
    return recurrentFromWire(l, `/layers/${i}`);
  });
  const calls = m.calls.map((c, i): CallInputs => ({
    x: tensorFromWire(c.x, `/calls/${i}/x`),
    ...(c.mask !== undefined ? { mask: boolFromWire(c.mask) } : {}),
    ...(c.initial_state !== undefined ? { initialState: c.initial_state.map((s, k) => tensorFromWire(s, `/calls/${i}/initial_state/${k}`)) } : {}),
  }));
  return { id: m.id, dialect: m.dialect, layers, calls };
}
