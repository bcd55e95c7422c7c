/**
 * Mistakes of a `Bidirectional` port (spec/bidirectional.md §1–§7; keras/src/layers/rnn/bidirectional.py):
 * once each direction's layer is right, what the wrapper does with them — the backward output flipped
 * back along time (with return_sequences only), the merge (concat forward first, sum, ave), which
 * weights and which half of initial_state go to which direction, the order of the returned states,
 * zero_output_for_mask forced to return_sequences, and which way each layer goes (Keras 3 forces the
 * backward layer's go_backwards, tf-keras toggles the wrapped layer's).
 *
 * Like every hypothesis they predict through the oracle: on a transformed case (weights, initial
 * state, a sub-layer's config) or through runLayerwise (layerwise.ts) with the merge replaced.
 *
 * Not hypotheses, because no case can observe them:
 * - flipping the backward *last* output along time (return_sequences=False): it has no time axis,
 *   a flip of one step is the identity. What a port does observe is numpy's `flip(y_rev, axis=1)`
 *   applied to the 2-D last output anyway, which reverses its units: that is
 *   `bidirectional:last-output-units-reversed`.
 * - tf-keras's toggle applied to a Keras 3 case: Keras 3 refuses a wrapped layer that already goes
 *   backwards, and a custom backward_layer must differ from the forward one in go_backwards, so on
 *   every Keras 3 case the toggle and the forcing give the same two layers. The reverse — Keras 3's
 *   forcing applied to a tf-keras case whose wrapped layer goes backwards — is observable:
 *   `bidirectional:go-backwards-forced`.
 */
import { sequenceLayers, type BidirectionalLayer, type LayerCase, type MergeMode, type RecurrentLayer } from "../case.ts";
import { cellOf } from "../cells.ts";
import { sameShape, type Tensor } from "../tensor.ts";
import { mergeBidirectional } from "../../reference/bidirectional.ts";
import { flipTime, mapCalls, withConfig } from "./case-transforms.ts";
import { STAGES, type Hypothesis, type PairMeta } from "./hypothesis.ts";
import { kerasBidirectional, outputCount, runLayerwise, type BidirectionalMerge } from "./layerwise.ts";
import { usesMask } from "./sequence.ts";


const bidirectionalsOf = (c: LayerCase): BidirectionalLayer[] => sequenceLayers(c).filter((l): l is BidirectionalLayer => l.className === "Bidirectional");

/** Replaces each Bidirectional by `f(layer)` (the same object: unchanged); null when none changed or `f` refuses one. */
function mapBidirectionals(c: LayerCase, f: (l: BidirectionalLayer) => BidirectionalLayer | null): LayerCase | null {
  let changed = false;
  let refused = false;
  const layers = c.layers.map((l) => {
    if (l.className !== "Bidirectional" || refused) return l;
    const mapped = f(l);
    if (!mapped) refused = true;
    else if (mapped !== l) changed = true;
    return mapped ?? l;
  });
  return changed && !refused ? { ...c, layers } : null;
}

const MERGE: PairMeta = { touches: ["bidirectional-merge"], stage: STAGES.sequence };
const FLIP: PairMeta = { touches: ["bidirectional-flip"], stage: STAGES.sequence };
const STATES: PairMeta = { touches: ["returned-state"], stage: STAGES.sequence };
const DIRECTIONS: PairMeta = { touches: ["backwards"], stage: STAGES.sequence };

/** A hypothesis on a transformed case. */
function caseHypothesis(id: string, explanation: string, meta: PairMeta, transform: (c: LayerCase) => LayerCase | null): Hypothesis {
  return {
    id,
    explanation,
    ...meta,
    async predict(c, oracle) {
      const t = transform(c);
      return t ? oracle(t) : null;
    },
  };
}

/** A hypothesis on the merge: `applies` picks the Bidirectionals where the mistake exists, `merge` is what the engine does there. */
function mergeHypothesis(id: string, explanation: string, meta: PairMeta, applies: (l: BidirectionalLayer) => boolean, merge: BidirectionalMerge): Hypothesis {
  return {
    id,
    explanation,
    ...meta,
    async predict(c, oracle) {
      if (!bidirectionalsOf(c).some(applies)) return null;
      return runLayerwise(c, oracle, { bidirectional: (f, b, l, at) => (applies(l) ? merge(f, b, l, at) : kerasBidirectional(f, b, l, at)) });
    },
  };
}

const sequences = (l: BidirectionalLayer): boolean => l.forward.config.return_sequences;

/** Keras's merge with another mode. */
const mergedAs = (mode: MergeMode): BidirectionalMerge => (f, b, l) => [...(mergeBidirectional(mode, sequences(l), f[0]!, b[0]!) as Tensor[]), ...f.slice(1), ...b.slice(1)];

/** The units of a (B, u) tensor reversed. */
function reverseUnits(t: Tensor): Tensor {
  const [rows, u] = t.shape as [number, number];
  const data = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < u; j++) data[r * u + j] = t.data[r * u + u - 1 - j]!;
  return { shape: t.shape, data };
}

export const backwardNotFlipped = mergeHypothesis(
  "bidirectional:backward-not-flipped",
  "your engine matches Keras if the backward layer's sequence is merged as it comes out, in processing order (x[T-1] first): with " +
    "return_sequences Keras flips it back along time first, so that step t of the merged output pairs the forward layer's step t " +
    "with the backward layer's output at x[t] (ops.flip(y_rev, axis=1)); a fused bidirectional kernel (cuDNN, ONNX, PyTorch) already returns " +
    "it in time order, and flipping that again is the same mistake (spec/bidirectional.md §3.2, §3.3, §10)",
  FLIP,
  sequences,
  (f, b, l, at) => kerasBidirectional(f, [flipTime(b[0]!), ...b.slice(1)], l, at),
);

export const lastOutputUnitsReversed = mergeHypothesis(
  "bidirectional:last-output-units-reversed",
  "your engine matches Keras if the backward layer's last output has its units reversed — flip(y_rev, axis=1) applied without " +
    "return_sequences, where axis 1 of a (batch, units) output is the units: Keras flips only a sequence, the last output is merged " +
    "as the layer returned it (spec/bidirectional.md §3.2)",
  FLIP,
  (l) => !sequences(l) && l.backward.config.units > 1,
  (f, b, l, at) => kerasBidirectional(f, [reverseUnits(b[0]!), ...b.slice(1)], l, at),
);

export const concatBackwardFirst = mergeHypothesis(
  "bidirectional:concat-backward-first",
  "your engine matches Keras if merge_mode=\"concat\" puts the backward layer's features first: Keras concatenates [forward, backward] " +
    "along the last axis, the forward layer's units first (spec/bidirectional.md §4)",
  MERGE,
  (l) => l.config.merge_mode === "concat",
  (f, b, l) => {
    const [y, back] = mergeBidirectional(null, sequences(l), f[0]!, b[0]!) as [Tensor, Tensor];
    return [...(mergeBidirectional("concat", false, back, y) as Tensor[]), ...f.slice(1), ...b.slice(1)];
  },
);

export const aveAsSum = mergeHypothesis(
  "bidirectional:ave-as-sum",
  `your engine matches Keras if merge_mode="ave" is computed as "sum": Keras averages, (forward + backward) / 2 (spec/bidirectional.md §4)`,
  MERGE,
  (l) => l.config.merge_mode === "ave",
  mergedAs("sum"),
);

export const sumAsAve = mergeHypothesis(
  "bidirectional:sum-as-ave",
  `your engine matches Keras if merge_mode="sum" is computed as "ave": Keras adds the two outputs, forward + backward, without halving (spec/bidirectional.md §4)`,
  MERGE,
  (l) => l.config.merge_mode === "sum",
  mergedAs("ave"),
);

/** A reordering of the last Bidirectional's returned states: `reorder(forward states, backward states)`. */
function statesHypothesis(id: string, explanation: string, applies: (l: BidirectionalLayer) => boolean, reorder: (f: readonly Tensor[], b: readonly Tensor[]) => Tensor[]): Hypothesis {
  return {
    id,
    explanation,
    ...STATES,
    async predict(c, oracle) {
      const last = sequenceLayers(c).at(-1);
      if (last?.className !== "Bidirectional" || !last.forward.config.return_state || !applies(last)) return null;
      const n = outputCount(last);
      const split = cellOf(last.forward).states.length;
      return (await oracle(c)).map((o) => [...o.slice(0, n), ...reorder(o.slice(n, n + split), o.slice(n + split))]);
    },
  };
}

export const statesInterleaved = statesHypothesis(
  "bidirectional:states-interleaved",
  "your engine matches Keras if return_state gives [output, forward h, backward h, forward c, backward c] (the states interleaved, " +
    "ONNX's Y_h and Y_c each stacking both directions): Keras returns each layer's states together, the forward layer's first, " +
    `[output, forward h, forward c, backward h, backward c] (spec/bidirectional.md §5)`,
  (l) => cellOf(l.forward).states.length > 1 && cellOf(l.backward).states.length === cellOf(l.forward).states.length,
  (f, b) => f.flatMap((s, k) => [s, b[k]!]),
);

export const statesBackwardFirst = statesHypothesis(
  "bidirectional:states-backward-first",
  "your engine matches Keras if return_state gives the backward layer's states before the forward layer's: Keras returns the " +
    `forward layer's states first, then the backward layer's, after the output (spec/bidirectional.md §5)`,
  () => true,
  (f, b) => [...b, ...f],
);

export const initialStateHalvesSwapped: Hypothesis = {
  id: "bidirectional:initial-state-halves-swapped",
  explanation:
    "your engine matches Keras if initial_state's first half goes to the backward layer: Keras passes the first half to the forward " +
    `layer and the second half to the backward layer, [forward states…, backward states…] (spec/bidirectional.md §6)`,
  touches: ["initial-state"],
  stage: STAGES.sequence,
  async predict(c, oracle) {
    if (sequenceLayers(c)[0]?.className !== "Bidirectional" || !c.calls.some((call) => call.initialState)) return null;
    const t = mapCalls(c, (call) => {
      const s = call.initialState;
      if (!s) return call;
      const half = Math.floor(s.length / 2);
      return { ...call, initialState: [...s.slice(half), ...s.slice(0, half)] };
    });
    return t ? oracle(t) : null;
  },
};

/** Whether two layers' weights can be exchanged: one cell, the same shapes (a GRU's reset_after included in its bias's shape). */
function exchangeable(a: RecurrentLayer, b: RecurrentLayer): boolean {
  const [wa, wb] = [a.weights, b.weights];
  const same = (x: Tensor | undefined, y: Tensor | undefined): boolean => (x === undefined ? y === undefined : y !== undefined && sameShape(x.shape, y.shape));
  return a.className === b.className && same(wa.kernel, wb.kernel) && same(wa.recurrent_kernel, wb.recurrent_kernel) && same(wa.bias, wb.bias) && a.config["reset_after"] === b.config["reset_after"];
}

export const weightsSwapped = caseHypothesis(
  "bidirectional:weights-swapped",
  "your engine matches Keras if the forward layer runs with the backward layer's weights and the backward layer with the forward's: " +
    "Keras's weights are the forward layer's first, [forward kernel, recurrent_kernel, bias, backward kernel, recurrent_kernel, bias] " +
    `(PyTorch's *_reverse tensors and ONNX's second direction are the backward layer's) (spec/bidirectional.md §2)`,
  { touches: ["bidirectional-weights"], stage: STAGES.routing },
  (c) =>
    mapBidirectionals(c, (l) => {
      if (!exchangeable(l.forward, l.backward)) return null;
      return { ...l, forward: { ...l.forward, weights: l.backward.weights } as RecurrentLayer, backward: { ...l.backward, weights: l.forward.weights } as RecurrentLayer };
    }),
);

export const zeroOutputNotForced = caseHypothesis(
  "bidirectional:zero-output-not-forced",
  "your engine matches Keras if, at masked steps, each direction repeats its previous output: with return_sequences Keras's " +
    "Bidirectional forces zero_output_for_mask=True on both layers (masked steps output zeros in both halves), whatever the wrapped " +
    `layer said (spec/bidirectional.md §1.4, §7.2)`,
  { touches: ["mask-output"], stage: STAGES.sequence },
  (c) =>
    usesMask(c)
      ? mapBidirectionals(c, (l) =>
          l.forward.config.zero_output_for_mask || l.backward.config.zero_output_for_mask
            ? { ...l, forward: withConfig(l.forward, { zero_output_for_mask: false }), backward: withConfig(l.backward, { zero_output_for_mask: false }) }
            : l,
        )
      : null,
);

export const goBackwardsForced = caseHypothesis(
  "bidirectional:go-backwards-forced",
  "your engine matches Keras if both layers go backwards here: tf-keras (and tfjs) build the backward layer by toggling the wrapped " +
    "layer's go_backwards, so a wrapped layer with go_backwards=True gives a forward layer that goes backwards and a backward layer " +
    `that goes forwards; forcing the backward layer's go_backwards to True is Keras 3's rule, which refuses such a layer (spec/bidirectional.md §1.2, §11)`,
  DIRECTIONS,
  (c) => mapBidirectionals(c, (l) => (l.backward.config.go_backwards ? l : { ...l, backward: withConfig(l.backward, { go_backwards: true }) })),
);

export const directionsFixed = caseHypothesis(
  "bidirectional:directions-fixed",
  "your engine matches Keras if the forward layer always runs forwards and the backward layer backwards, whatever their " +
    "go_backwards says (PyTorch's bidirectional=True, ONNX's direction=\"bidirectional\"): tf-keras toggles the wrapped layer's " +
    "go_backwards, so a wrapped layer with go_backwards=True gives a forward layer that goes backwards and a backward layer that " +
    `goes forwards, and each layer runs as its own config says (spec/bidirectional.md §1.2, §11)`,
  DIRECTIONS,
  (c) =>
    mapBidirectionals(c, (l) =>
      l.forward.config.go_backwards ? { ...l, forward: withConfig(l.forward, { go_backwards: false }), backward: withConfig(l.backward, { go_backwards: true }) } : l,
    ),
);

export const backwardDoubleReversed = caseHypothesis(
  "bidirectional:backward-double-reversed",
  "your engine matches Keras if the backward layer gets the input reversed along time and also runs with go_backwards, so the two " +
    "reversals cancel and it reads the sequence in its original order: Keras hands both layers the same input; the backward " +
    `layer's go_backwards alone reverses it (spec/bidirectional.md §3.1)`,
  DIRECTIONS,
  (c) => mapBidirectionals(c, (l) => ({ ...l, backward: withConfig(l.backward, { go_backwards: !l.backward.config.go_backwards }) })),
);

/** The Bidirectional mistakes, in tie-breaking order: the flip, the merge, the states, the routing of weights and initial state, masks, directions. */
export const bidirectionalHypotheses: readonly Hypothesis[] = [
  backwardNotFlipped,
  lastOutputUnitsReversed,
  concatBackwardFirst,
  aveAsSum,
  sumAsAve,
  statesInterleaved,
  statesBackwardFirst,
  weightsSwapped,
  initialStateHalvesSwapped,
  zeroOutputNotForced,
  goBackwardsForced,
  directionsFixed,
  backwardDoubleReversed,
];
