/**
 * Runs a stacked case one recurrent layer at a time with the oracle — a Bidirectional's two layers
 * each on their own, then merged as Keras merges them (spec/bidirectional.md) — so that a hypothesis can change
 * what each layer receives and emits (a mistake in an engine's layer loop repeats in every layer,
 * whatever its cell: the loop is Keras's `RNN`, shared by LSTM, GRU and SimpleRNN — spec/gru.md §2.5,
 * spec/simple-rnn.md §2.2). Each layer sees what spec/lstm.md §3.5.6 says it sees: the previous
 * layer's sequence, the same mask (explicit, or computed by the Masking layer, §3.5.5, except where
 * §3.5.7 drops it), the initial state only for the first layer (§3.4), and its own state carried
 * across calls when stateful (§3.6).
 */
import { sequenceLayers, type BidirectionalLayer, type CallInputs, type LayerCase, type RecurrentLayer } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import { maskingLayerMask, zeroMaskedSteps } from "../masking-layer.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";
import { mergeBidirectional } from "../../reference/bidirectional.ts";
import { withConfig } from "./case-transforms.ts";
import type { Oracle } from "./hypothesis.ts";

/**
 * Where a hook is: which sequence layer (0 = first; a Bidirectional's two layers share its
 * position and say their `direction`) of which call, the initial state that layer is given in the
 * call (the first layer's, half of it for each direction of a Bidirectional, spec/bidirectional.md),
 * and that layer's outputs in the call before (for a stateful layer's carried h).
 */
export interface LayerAt {
  readonly layer: number;
  readonly call: number;
  readonly direction?: "forward" | "backward";
  readonly initialState?: readonly Tensor[];
  readonly previous?: readonly Tensor[];
}

/** A Bidirectional's two layers' outputs in one call, each [output, ...states] as the layer returned it (the backward one's sequence in processing order). */
export type BidirectionalMerge = (forward: readonly Tensor[], backward: readonly Tensor[], layer: BidirectionalLayer, at: { readonly layer: number; readonly call: number }) => readonly Tensor[];

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
  /**
   * What a Bidirectional returns from its two layers' outputs: [merged (or the pair, merge_mode
   * None), forward states, backward states]; Keras's rule ({@link kerasBidirectional}) by default.
   */
  readonly bidirectional?: BidirectionalMerge;
}

/**
 * Keras's Bidirectional (keras/src/layers/rnn/bidirectional.py `call`, spec/bidirectional.md): the
 * backward output flipped back along time with return_sequences, merged by `merge_mode` (the
 * reference's merge), the states forward first.
 */
export const kerasBidirectional: BidirectionalMerge = (forward, backward, layer) => {
  const merged = mergeBidirectional(layer.config.merge_mode, layer.forward.config.return_sequences, forward[0]!, backward[0]!) as Tensor[];
  return [...merged, ...forward.slice(1), ...backward.slice(1)];
};

/** How many of a sequence layer's outputs are not states: a Bidirectional with merge_mode None returns two (spec/bidirectional.md). */
export const outputCount = (layer: RecurrentLayer | BidirectionalLayer): number => (layer.className === "Bidirectional" && layer.config.merge_mode === null ? 2 : 1);

/**
 * The case's outputs computed layer by layer with `hooks` applied to every recurrent layer, of any
 * cell, a Bidirectional's two layers each on their own and then merged (`hooks.bidirectional`);
 * null when a hook refuses. A sub-case holds one recurrent layer and no Masking layer: a Masking layer's zeroing is
 * applied to the input and its mask passed explicitly where Keras applies it ({@link appliedMask}),
 * so that what reaches each layer does not depend on the dialect (spec/lstm.md §3.5.5–§3.5.7).
 */
export async function runLayerwise(c: LayerCase, oracle: Oracle, hooks: LayerHooks): Promise<EngineOutputs | null> {
  const masking = c.layers.find((l) => l.className === "Masking");
  const layers = sequenceLayers(c);
  let xs: Tensor[] = c.calls.map((call) => (masking ? zeroMaskedSteps(call.x, maskingLayerMask(call.x, masking.config.mask_value)) : call.x));
  let outputs: EngineOutputs = [];
  /** One recurrent layer over every call; `initial(n)` is the initial state it is given in call n. */
  const runOne = async (layer: RecurrentLayer, k: number, direction: "forward" | "backward" | undefined, initial: (n: number) => readonly Tensor[] | undefined): Promise<EngineOutputs | null> => {
    // Inner layers return sequences (spec/lstm.md §3.1); the last layer is run as configured,
    // with return_state so that hooks see the states.
    const asRun = withConfig(layer, { return_state: true, ...(hooks.allSteps ? { return_sequences: true } : {}) });
    const layerCalls: CallInputs[] = [];
    for (const [n, x] of xs.entries()) {
      const mask = appliedMask(c, n, k);
      const initialState = initial(n);
      const base: CallInputs = { x, ...(mask ? { mask } : {}), ...(initialState ? { initialState: [...initialState] } : {}) };
      const at: LayerAt = { layer: k, call: n, ...(direction ? { direction } : {}), ...(initialState ? { initialState } : {}) };
      const hooked = hooks.inputs ? hooks.inputs(base, layer, at) : base;
      if (!hooked) return null;
      layerCalls.push(hooked);
    }
    const raw = await oracle({ ...c, layers: [asRun], calls: layerCalls });
    return raw.map((o, n) => {
      if (!hooks.outputs) return o;
      const initialState = initial(n);
      const at: LayerAt = { layer: k, call: n, ...(direction ? { direction } : {}), ...(initialState ? { initialState } : {}), ...(n > 0 ? { previous: raw[n - 1]! } : {}) };
      return hooks.outputs(o, layer, asRun, at);
    });
  };
  // the initial state only for the first layer (spec/lstm.md §3.4); a Bidirectional splits it in halves, forward first (spec/bidirectional.md)
  const given = (k: number, n: number): readonly Tensor[] | undefined => (k === 0 ? c.calls[n]!.initialState : undefined);
  for (const [k, layer] of layers.entries()) {
    if (layer.className !== "Bidirectional") {
      const o = await runOne(layer, k, undefined, (n) => given(k, n));
      if (!o) return null;
      outputs = o;
    } else {
      const half = (n: number, which: "forward" | "backward"): readonly Tensor[] | undefined => {
        const s = given(k, n);
        if (!s) return undefined;
        const h = Math.floor(s.length / 2);
        return which === "forward" ? s.slice(0, h) : s.slice(h);
      };
      const forward = await runOne(layer.forward, k, "forward", (n) => half(n, "forward"));
      const backward = forward && (await runOne(layer.backward, k, "backward", (n) => half(n, "backward")));
      if (!forward || !backward) return null;
      const merge = hooks.bidirectional ?? kerasBidirectional;
      outputs = forward.map((f, n) => merge(f, backward[n]!, layer, { layer: k, call: n }));
    }
    xs = outputs.map((o) => o[0]!);
  }
  const last = layers.at(-1);
  if (!last) return null;
  const returnState = last.className === "Bidirectional" ? last.forward.config.return_state : last.config.return_state;
  return returnState ? outputs : outputs.map((o) => o.slice(0, outputCount(last)));
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
