/**
 * An exact symmetry of Keras's `Bidirectional` (spec/bidirectional.md), for a fixture-anchored
 * property: give each of its two layers the other's weights and cell (each keeping its own
 * direction), and reverse every input in time — x, mask, and so the mask a Masking layer derives.
 * The new forward layer then makes exactly the old backward layer's steps and vice versa, so:
 *
 *  - the merged sequence is Keras's, reversed in time, with the concat halves swapped (sum, mul and
 *    ave are symmetric; None swaps the pair); a last output has its halves swapped only;
 *  - the returned states are the backward layer's, then the forward layer's;
 *  - initial_state's halves swap, and a stateful layer's carried state goes with its weights.
 *
 * It holds for every cell, merge mode, mask, zero_output_for_mask (forced with return_sequences, so a
 * masked step is zeros in both halves) and for tf-keras's toggled go_backwards alike.
 */
import type { BidirectionalLayer, CallInputs, LayerCase, RecurrentLayer } from "../case.ts";
import { cellOf } from "../cells.ts";
import type { EngineOutputs } from "../engine.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";
import { flipTime } from "../../reference/bidirectional.ts";

/** The case's only sequence layer when it is a Bidirectional (a Masking layer may come first); the relation is stated for that shape. */
export function soleBidirectional(c: LayerCase): BidirectionalLayer | null {
  const sequence = c.layers.filter((l) => l.className !== "Masking");
  const only = sequence.length === 1 ? sequence[0]! : null;
  return only?.className === "Bidirectional" ? only : null;
}

/** `l`'s cell and weights with `direction`'s go_backwards: the other layer's computation, run the way this one runs. */
const runAs = (l: RecurrentLayer, direction: RecurrentLayer): RecurrentLayer => ({ ...l, config: { ...l.config, go_backwards: direction.config.go_backwards } }) as RecurrentLayer;

const reverseBool = (m: BoolTensor): BoolTensor => {
  const [B = 0, T = 0] = m.shape;
  const data = new Uint8Array(m.data.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) data[b * T + t] = m.data[b * T + T - 1 - t]!;
  return { shape: m.shape, data };
};

/** The transformed case, or null when `c` is not a sole Bidirectional. */
export function swapBidirectional(c: LayerCase): LayerCase | null {
  const bi = soleBidirectional(c);
  if (!bi) return null;
  const swapped: BidirectionalLayer = { ...bi, forward: runAs(bi.backward, bi.forward), backward: runAs(bi.forward, bi.backward) };
  const forwardStates = cellOf(bi.forward).states.length;
  const calls = c.calls.map((call): CallInputs => ({
    x: flipTime(call.x),
    ...(call.mask ? { mask: reverseBool(call.mask) } : {}),
    // spec/bidirectional.md: the first half of initial_state is the forward layer's
    ...(call.initialState ? { initialState: [...call.initialState.slice(forwardStates), ...call.initialState.slice(0, forwardStates)] } : {}),
  }));
  return { ...c, layers: c.layers.map((l) => (l === bi ? swapped : l)), calls };
}

/** (…, u + v) → (…, v + u): the last axis's first `u` features moved after the rest. */
function swapHalves(t: Tensor, u: number): Tensor {
  const w = t.shape.at(-1)!;
  const v = w - u;
  const data = new Float32Array(t.data.length);
  for (let r = 0; r < t.data.length / w; r++) {
    data.set(t.data.subarray(r * w + u, (r + 1) * w), r * w);
    data.set(t.data.subarray(r * w, r * w + u), r * w + v);
  }
  return { shape: t.shape, data };
}

/** Keras's outputs of `c` as the swapped case must return them (see the module comment). */
export function swapBidirectionalOutputs(c: LayerCase, outputs: EngineOutputs): EngineOutputs {
  const bi = soleBidirectional(c)!;
  const { forward } = bi;
  const mode = bi.config.merge_mode;
  const inTime = (t: Tensor): Tensor => (forward.config.return_sequences ? flipTime(t) : t);
  const merged = mode === null ? 2 : 1;
  const nf = forward.config.return_state ? cellOf(forward).states.length : 0;
  return outputs.map((call) => {
    const y = call.slice(0, merged);
    const fStates = call.slice(merged, merged + nf);
    const bStates = call.slice(merged + nf);
    const out = mode === null ? [inTime(y[1]!), inTime(y[0]!)] : [mode === "concat" ? swapHalves(inTime(y[0]!), forward.config.units) : inTime(y[0]!)];
    return [...out, ...bStates, ...fStates];
  });
}
