/**
 * Runs a stacked case one recurrent layer at a time with the oracle, so that a hypothesis can change
 * what each layer receives and emits (a mistake in an engine's layer loop repeats in every layer,
 * whatever its cell: the loop is Keras's `RNN`, shared by LSTM, GRU and SimpleRNN — spec/gru.md §2.5,
 * spec/simple-rnn.md §2.2). Each layer sees what spec/lstm.md §3.5.6 says it sees: the previous
 * layer's sequence, the same mask (explicit, or computed by the Masking layer, §3.5.5, except where
 * §3.5.7 drops it), the initial state only for the first layer (§3.4), and its own state carried
 * across calls when stateful (§3.6).
 */
import { recurrentLayers, type CallInputs, type LayerCase, type RecurrentLayer } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import { maskingLayerMask, zeroMaskedSteps } from "../masking-layer.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";
import { withConfig } from "./case-transforms.ts";
import type { Oracle } from "./hypothesis.ts";

/** Where a hook is: which recurrent layer (0 = first) of which call, and that layer's outputs in the call before (for a stateful layer's carried h). */
export interface LayerAt {
  readonly layer: number;
  readonly call: number;
  readonly previous?: readonly Tensor[];
}

/** What one layer's run may be changed by. */
export interface LayerHooks {
  /** The inputs a layer receives, per call (null: the hypothesis does not apply). */
  readonly inputs?: (call: CallInputs, layer: RecurrentLayer, at: LayerAt) => CallInputs | null;
  /** The outputs the layer emits, per call: [sequence or last, ...states] — h and c, or h — as the oracle computed them. */
  readonly outputs?: (outputs: readonly Tensor[], layer: RecurrentLayer, asRun: RecurrentLayer, at: LayerAt) => readonly Tensor[];
  /**
   * Run every layer with return_sequences, so that `outputs` sees every step; it then returns what
   * the layer returns as configured (the last step of the sequence when it does not return sequences).
   */
  readonly allSteps?: boolean;
}

/**
 * The case's outputs computed layer by layer with `hooks` applied to every recurrent layer, of any
 * cell; null when a hook refuses. A sub-case holds one recurrent layer and no Masking layer: a Masking layer's zeroing is
 * applied to the input and its mask passed explicitly where Keras applies it ({@link appliedMask}),
 * so that what reaches each layer does not depend on the dialect (spec/lstm.md §3.5.5–§3.5.7).
 */
export async function runLayerwise(c: LayerCase, oracle: Oracle, hooks: LayerHooks): Promise<EngineOutputs | null> {
  const masking = c.layers.find((l) => l.className === "Masking");
  const recurrent = recurrentLayers(c);
  let xs: Tensor[] = c.calls.map((call) => (masking ? zeroMaskedSteps(call.x, maskingLayerMask(call.x, masking.config.mask_value)) : call.x));
  let outputs: EngineOutputs = [];
  for (const [k, layer] of recurrent.entries()) {
    // Inner layers return sequences (spec/lstm.md §3.1); the last layer is run as configured,
    // with return_state so that hooks see the states.
    const asRun = withConfig(layer, { return_state: true, ...(hooks.allSteps ? { return_sequences: true } : {}) });
    const layerCalls: CallInputs[] = [];
    for (const [n, x] of xs.entries()) {
      const mask = appliedMask(c, n, k);
      // the initial state only for the first layer (spec/lstm.md §3.4)
      const initialState = k === 0 ? c.calls[n]!.initialState : undefined;
      const base: CallInputs = { x, ...(mask ? { mask } : {}), ...(initialState ? { initialState } : {}) };
      const hooked = hooks.inputs ? hooks.inputs(base, layer, { layer: k, call: n }) : base;
      if (!hooked) return null;
      layerCalls.push(hooked);
    }
    const raw = await oracle({ ...c, layers: [asRun], calls: layerCalls });
    outputs = raw.map((o, n) => (hooks.outputs ? hooks.outputs(o, layer, asRun, { layer: k, call: n, ...(n > 0 ? { previous: raw[n - 1]! } : {}) }) : o));
    xs = outputs.map((o) => o[0]!);
  }
  const last = recurrent.at(-1);
  return last?.config.return_state ? outputs : outputs.map((o) => [o[0]!]);
}

/**
 * The mask Keras applies in recurrent layer `layer` of call `call`, in original time order, or undefined:
 * the explicit `mask=`, or the Masking layer's, which Keras 3 does not hand to a first layer called
 * with initial_state (spec/lstm.md §3.5.7) though it still reaches the layers after it (§3.5.6).
 */
export function appliedMask(c: LayerCase, call: number, layer: number): BoolTensor | undefined {
  const inputs = c.calls[call]!;
  if (inputs.mask) return inputs.mask;
  const masking = c.layers.find((l) => l.className === "Masking");
  if (!masking) return undefined;
  if (layer === 0 && inputs.initialState && c.dialect === "keras3") return undefined;
  return maskingLayerMask(inputs.x, masking.config.mask_value);
}

/** A mask in a layer's processing order: reversed under go_backwards (spec/lstm.md §3.3). */
export function processingMask(mask: BoolTensor, layer: RecurrentLayer): BoolTensor {
  if (!layer.config.go_backwards) return mask;
  const [B, T] = mask.shape as [number, number];
  const data = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) data[b * T + s] = mask.data[b * T + (T - 1 - s)]!;
  return { shape: mask.shape, data };
}

/** The last step of a (B, T, u) sequence: what a layer returns without return_sequences (spec/lstm.md §3.1). */
export function lastStep(seq: Tensor): Tensor {
  const [B, T, u] = seq.shape as [number, number, number];
  const data = new Float32Array(B * u);
  for (let b = 0; b < B; b++) data.set(seq.data.subarray((b * T + T - 1) * u, (b * T + T) * u), b * u);
  return { shape: [B, u], data };
}
