/**
 * Test helper: hand-made Bidirectional cases for the engines' tests (no Keras truth: engines are
 * compared with the reference, itself checked on Keras's Bidirectional fixtures). A sample case's
 * recurrent layers are each wrapped as Keras 3 wraps them (spec/bidirectional.md): the forward layer
 * as given, the backward one a copy with `go_backwards` set and *different* weights (so swapped
 * directions show), both with `zero_output_for_mask` = `return_sequences` as the wrapper forces it.
 * A layer after a concat Bidirectional reads twice the width: its kernel gets rows of its own for
 * the backward half. An initial state is doubled (forward's states, then backward's, different values).
 */
import type { BidirectionalLayer, Layer, LayerCase, MergeMode, RecurrentLayer } from "../../case.ts";
import type { Tensor } from "../../tensor.ts";

/** The same values, changed enough that a swap of the two directions shows (deterministic). */
function other(t: Tensor, salt: number): Tensor {
  return { shape: [...t.shape], data: Float32Array.from(t.data, (v, i) => Math.fround(-0.7 * v + 0.3 * Math.sin(i * 1.7 + salt))) };
}

/** A kernel (D, n) with its rows repeated, changed, for an input of twice the width (2D, n). */
function widen(kernel: Tensor): Tensor {
  return { shape: [2 * kernel.shape[0]!, kernel.shape[1]!], data: Float32Array.from([...kernel.data, ...other(kernel, 5).data]) };
}

function withWeights(l: RecurrentLayer, w: RecurrentLayer["weights"]): RecurrentLayer {
  return { ...l, weights: w } as RecurrentLayer;
}

function withConfig(l: RecurrentLayer, config: Record<string, unknown>): RecurrentLayer {
  return { ...l, config: { ...l.config, ...config } } as RecurrentLayer;
}

export interface BidirectionalOptions {
  readonly mergeMode?: MergeMode;
  /** tf-keras's toggle (spec/bidirectional.md): the forward layer goes backwards and the backward one forwards. */
  readonly toggled?: boolean;
  readonly idSuffix?: string;
}

/** Wraps every recurrent layer of `c` in a Bidirectional (see the file's comment). */
export function asBidirectional(c: LayerCase, o: BidirectionalOptions = {}): LayerCase {
  const mode: MergeMode = o.mergeMode === undefined ? "concat" : o.mergeMode;
  let widenNext = false;
  const layers = c.layers.map((l, k): Layer => {
    if (l.className === "Masking" || l.className === "Bidirectional") return l;
    const w = l.weights;
    const input = widenNext ? widen(w.kernel) : w.kernel;
    widenNext = mode === "concat";
    const forwardWeights = { ...w, kernel: input };
    const backwardWeights = { ...w, kernel: other(input, k + 1), recurrent_kernel: other(w.recurrent_kernel, k + 2), ...(w.bias ? { bias: other(w.bias, k + 3) } : {}) };
    const base = withConfig(l, { zero_output_for_mask: l.config.return_sequences });
    const goBack = o.toggled === true;
    const bidi: BidirectionalLayer = {
      className: "Bidirectional",
      config: { merge_mode: mode },
      forward: withConfig(withWeights(base, forwardWeights as RecurrentLayer["weights"]), { go_backwards: goBack }),
      backward: withConfig(withWeights(base, backwardWeights as RecurrentLayer["weights"]), { go_backwards: !goBack }),
    };
    return bidi;
  });
  const calls = c.calls.map((call) => (call.initialState ? { ...call, initialState: [...call.initialState, ...call.initialState.map((s, i) => other(s, 10 + i))] } : call));
  const suffix = o.idSuffix ?? `/bidirectional_${mode ?? "none"}${o.toggled ? "_toggled" : ""}`;
  return { ...c, id: `${c.id}${suffix}`, layers, calls };
}

/** The case with each Bidirectional's two weight sets exchanged: what a port that swapped them computes. */
export function swapDirections(c: LayerCase): LayerCase {
  const layers = c.layers.map((l): Layer => (l.className === "Bidirectional" ? { ...l, forward: withWeights(l.forward, l.backward.weights), backward: withWeights(l.backward, l.forward.weights) } : l));
  return { ...c, layers };
}
