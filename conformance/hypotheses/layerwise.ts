/**
 * Runs a stacked case one LSTM layer at a time with the oracle, so that a hypothesis can change what
 * each layer emits before the next layer reads it (a mistake in an engine's layer loop repeats in
 * every layer). Each layer sees what spec/lstm.md §3.5.6 says it sees: the previous layer's sequence,
 * the same mask (explicit, or computed by the Masking layer, §3.5.5), the initial state only for the
 * first layer (§3.4), and its own state carried across calls when stateful (§3.6).
 */
import { lstmLayers, type CallInputs, type LayerCase, type LstmLayer } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import { maskingLayerMask } from "../masking-layer.ts";
import type { Tensor } from "../tensor.ts";
import type { Oracle } from "./hypothesis.ts";

/** What one layer's run may be changed by. */
export interface LayerHooks {
  /** The inputs a layer receives, per call (null: the hypothesis does not apply). */
  readonly inputs?: (call: CallInputs, layer: LstmLayer) => CallInputs | null;
  /** The outputs the layer emits, per call: [sequence or last, h, c] as the oracle computed them. */
  readonly outputs?: (outputs: readonly Tensor[], layer: LstmLayer, asRun: LstmLayer) => readonly Tensor[];
}

/** The case's outputs computed layer by layer with `hooks` applied to every LSTM layer; null when a hook refuses. */
export async function runLayerwise(c: LayerCase, oracle: Oracle, hooks: LayerHooks): Promise<EngineOutputs | null> {
  const masking = c.layers.find((l) => l.className === "Masking");
  const lstms = lstmLayers(c);
  let calls: CallInputs[] = c.calls.map((call) => ({ ...call }));
  let outputs: EngineOutputs = [];
  for (const [k, layer] of lstms.entries()) {
    const isLast = k === lstms.length - 1;
    // Inner layers return sequences (spec/lstm.md §3.1); the last layer is run as configured,
    // with return_state so that hooks see h and c.
    const asRun: LstmLayer = { ...layer, config: { ...layer.config, return_state: true } };
    const layerCalls: CallInputs[] = [];
    for (const call of calls) {
      // layer 0 gets the case's own inputs (its Masking layer, if any, runs inside the sub-model)
      const base: CallInputs = k === 0 ? call : { x: call.x, ...(call.mask ? { mask: call.mask } : {}) };
      const hooked = hooks.inputs ? hooks.inputs(base, layer) : base;
      if (!hooked) return null;
      layerCalls.push(hooked);
    }
    const layers = k === 0 && masking ? [masking, asRun] : [asRun];
    const raw = await oracle({ ...c, layers, calls: layerCalls });
    outputs = raw.map((o) => (hooks.outputs ? hooks.outputs(o, layer, asRun) : o));
    if (!isLast) {
      calls = outputs.map((o, n) => {
        const mask = c.calls[n]!.mask ?? (masking ? maskingLayerMask(c.calls[n]!.x, masking.config.mask_value) : undefined);
        return { x: o[0]!, ...(mask ? { mask } : {}) };
      });
    }
  }
  const last = lstms.at(-1);
  return last?.config.return_state ? outputs : outputs.map((o) => [o[0]!]);
}
