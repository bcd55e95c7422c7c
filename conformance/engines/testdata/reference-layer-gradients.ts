/**
 * Test helper: one layer call's forward and backward computed by the reference (a one-layer model
 * returning its output and states), as a layer engine's `lstm()` / `lstmGradients()` (and the GRU's
 * and SimpleRNN's) return them (spec/adapter.md §1.2, spec/gradients.md §7.2). The suite composes
 * the model around it, so an engine made of these passes every gradient case exactly when the
 * composition is right.
 */
import { modelGradients } from "../../../reference/gradients/model.ts";
import type { ModelLayer } from "../../../reference/model.ts";
import type { LayerGradients, RecurrentGradientCall, RecurrentLayerCall } from "../../engine.ts";

/** The call's layer as a one-layer reference model that returns its states. */
function oneLayer(call: RecurrentLayerCall): ModelLayer {
  const { kernel, recurrent_kernel, bias } = call.weights;
  return { className: call.className, config: { ...call.config, return_state: true }, weights: { kernel: kernel.data, recurrent_kernel: recurrent_kernel.data, bias: bias?.data ?? null } } as ModelLayer;
}

/** The reference's BPTT of one layer call, given the cotangents of its output and states. */
export function referenceLayerGradients(call: RecurrentGradientCall): LayerGradients {
  const [B = 0, T = 0, D = 0] = call.x.shape;
  const cot = call.cotangents as { output: { data: Float32Array }; h: { data: Float32Array }; c?: { data: Float32Array } };
  const [g] = modelGradients(
    [oneLayer(call)],
    [{ x: call.x.data, shape: [B, T, D], ...(call.mask ? { mask: call.mask.data } : {}), ...(call.initialState ? { initialState: call.initialState.map((s) => s.data) } : {}), cotangents: [cot.output.data, cot.h.data, ...(cot.c ? [cot.c.data] : [])] }],
    call.dialect,
  );
  const l = g!.layers[0]!;
  return { kernel: l.kernel, recurrent_kernel: l.recurrent_kernel, ...(l.bias ? { bias: l.bias } : {}), x: g!.x, ...(g!.initialState ? { initialState: g!.initialState } : {}) };
}
