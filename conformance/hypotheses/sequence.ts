/**
 * Mistakes in what happens around the step: the returned state's order, go_backwards' output order,
 * masks, zero_output_for_mask, initial_state, stateful calls and the time loop's bounds
 * (spec/lstm.md §3). They are mistakes of Keras's `RNN` loop, which every cell shares (spec/gru.md
 * §2.5, §3; spec/simple-rnn.md §2.2, §3), so they apply to a layer of any cell; the two that need a
 * second state (c) apply where the cell has one (its descriptor's `states`, conformance/cells.ts).
 */
import type { CallInputs, LayerCase, RecurrentLayer, SequenceLayer } from "../case.ts";
import { cellLayers, sequenceLayers } from "../case.ts";
import { cellOf, initialStateNames } from "../cells.ts";
import type { Tensor } from "../tensor.ts";
import { STAGES, type Hypothesis } from "./hypothesis.ts";
import { ALL_CELLS, flipTime, insertZeroSteps, mapCalls, mapLayersOf, sliceTime, timeMajor, withConfig, withoutField } from "./case-transforms.ts";
import { cellWorded, statesOf } from "./cell-words.ts";
import { maskingLayerMask, zeroMaskedSteps } from "../masking-layer.ts";
import { outputCount, runLayerwise } from "./layerwise.ts";

/** The last layer that takes and returns a sequence: a recurrent layer, or a Bidirectional (spec/bidirectional.md). */
const lastSequenceLayer = (c: LayerCase): SequenceLayer | undefined => sequenceLayers(c).at(-1);
/** The recurrent layer that decides what a sequence layer returns: itself, or a Bidirectional's forward layer (both agree, spec/bidirectional.md). */
const returning = (l: SequenceLayer): RecurrentLayer => (l.className === "Bidirectional" ? l.forward : l);
/** Whether a layer's cell has a second state: h and c are an LSTM's; a GRU and a SimpleRNN have h only (spec/gru.md §1.1). */
const hasTwoStates = (layer: RecurrentLayer | undefined): boolean => layer !== undefined && cellOf(layer).states.length > 1;
export const usesMask = (c: LayerCase): boolean => c.calls.some((call) => call.mask) || c.layers.some((l) => l.className === "Masking");
const usesInitialState = (c: LayerCase): boolean => c.calls.some((call) => call.initialState);

export const returnedStateSwapped: Hypothesis = {
  id: "returned-state-swapped",
  touches: ["returned-state"],
  stage: STAGES.sequence,
  explanation:
    "your engine matches Keras if the returned state is [c, h]: with return_state Keras returns [output, h, c] " +
    "(TF1's LSTMStateTuple and Flax's carry are (c, h)) (spec/lstm.md §3.2)",
  async predict(c, oracle) {
    const last = lastSequenceLayer(c);
    if (!last || !returning(last).config.return_state) return null;
    // [output, h] has no second state to swap with (spec/gru.md §3.2)
    if (last.className !== "Bidirectional") return hasTwoStates(last) ? (await oracle(c)).map((o) => [o[0]!, o[2]!, o[1]!]) : null;
    // a Bidirectional returns each direction's [h, c] after its output(s): the engine's layer returns [c, h] in both (spec/bidirectional.md)
    if (!hasTwoStates(last.forward) && !hasTwoStates(last.backward)) return null;
    const n = outputCount(last);
    const split = cellOf(last.forward).states.length;
    const swap = (s: readonly Tensor[]): Tensor[] => (s.length === 2 ? [s[1]!, s[0]!] : [...s]);
    return (await oracle(c)).map((o) => [...o.slice(0, n), ...swap(o.slice(n, n + split)), ...swap(o.slice(n + split))]);
  },
};

export const backwardsOutputReversed: Hypothesis = {
  id: "go-backwards-output-reversed",
  touches: ["backwards-output"],
  stage: STAGES.sequence,
  explanation:
    "your engine matches Keras if its go_backwards sequence output is flipped back to the original time order: " +
    "Keras leaves it in processing order, x[T-1] first (ONNX direction=reverse flips it back; Keras does not) " +
    "(spec/lstm.md §3.3)",
  async predict(c, oracle) {
    // a Bidirectional's backward layer too: its output flipped back by the layer is flipped again by the wrapper (spec/bidirectional.md)
    const backwards = cellLayers(c).filter((l) => l.config.go_backwards);
    if (!backwards.some((l) => l.config.return_sequences)) return null;
    return runLayerwise(c, oracle, {
      outputs: (o, layer) => (layer.config.go_backwards && layer.config.return_sequences ? [flipTime(o[0]!), ...o.slice(1)] : o),
    });
  },
};

export const backwardsIgnored: Hypothesis = {
  id: "go-backwards-ignored",
  touches: ["backwards", "backwards-output"],
  stage: STAGES.sequence,
  explanation: "your engine matches Keras if go_backwards is ignored: Keras processes x[T-1] … x[0] (spec/lstm.md §3.3)",
  async predict(c, oracle) {
    if (!cellLayers(c).some((l) => l.config.go_backwards)) return null;
    const t = mapLayersOf(c, ALL_CELLS, (l) => withConfig(l, { go_backwards: false }));
    return t ? oracle(t) : null;
  },
};

/** The case with no mask: explicit masks dropped; a Masking layer replaced by its zeroing of masked steps. */
export function withoutMask(c: LayerCase): LayerCase | null {
  const masking = c.layers.find((l) => l.className === "Masking");
  const layers = c.layers.filter((l) => l.className !== "Masking");
  return mapCalls({ ...c, layers }, (call) => {
    const bare = withoutField(call, "mask");
    return masking ? { ...bare, x: zeroMaskedSteps(call.x, maskingLayerMask(call.x, masking.config.mask_value)) } : bare;
  });
}

export const maskIgnored: Hypothesis = {
  id: "mask-ignored",
  touches: ["mask", "mask-state", "mask-output", "mask-routing"],
  stage: STAGES.sequence,
  explanation:
    "your engine matches Keras if the mask is ignored: at a masked step Keras keeps the state and repeats the last output " +
    "(or zeros with zero_output_for_mask) (spec/lstm.md §3.5)",
  async predict(c, oracle) {
    if (!usesMask(c)) return null;
    const t = withoutMask(c);
    return t ? oracle(t) : null;
  },
};

/** Every batch row masked with row 0's mask. */
export const maskRowZeroBroadcast: Hypothesis = {
  id: "mask-row-0-broadcast",
  explanation:
    "your engine matches Keras if every batch row uses the mask of row 0: the mask is (batch, timesteps), one row per " +
    "sequence, and batch rows are independent (spec/lstm.md §2.3, §3.5.1)",
  touches: ["mask"],
  stage: STAGES.sequence,
  async predict(c, oracle) {
    if (!usesMask(c) || c.calls.every((call) => call.x.shape[0] === 1)) return null;
    let rowZeroMasks = false;
    const predicted = await runLayerwise(c, oracle, {
      inputs: (call) => {
        if (!call.mask) return call;
        const [B, T] = call.mask.shape as [number, number];
        const row0 = call.mask.data.subarray(0, T);
        if (row0.some((v) => v === 0)) rowZeroMasks = true;
        const data = new Uint8Array(B * T);
        for (let b = 0; b < B; b++) data.set(row0, b * T);
        return { ...call, mask: { shape: [B, T], data } };
      },
    });
    // with row 0 fully valid in every call this is "mask ignored", the simpler explanation
    return rowZeroMasks ? predicted : null;
  },
};

export const zeroOutputForMaskInverted: Hypothesis = {
  id: "zero-output-for-mask-inverted",
  touches: ["mask-output"],
  stage: STAGES.sequence,
  explanation:
    "your engine matches Keras if zero_output_for_mask is applied the other way round: by default a masked step repeats the " +
    "previous output (zeros before the first valid step); only zero_output_for_mask=true emits zeros (spec/lstm.md §3.5)",
  async predict(c, oracle) {
    if (!usesMask(c)) return null;
    const t = mapLayersOf(c, ALL_CELLS, (l) => withConfig(l, { zero_output_for_mask: !(l.config.zero_output_for_mask ?? false) }));
    return t ? oracle(t) : null;
  },
};

export const initialStateIgnored: Hypothesis = {
  id: "initial-state-ignored",
  touches: ["initial-state"],
  stage: STAGES.sequence,
  ...cellWorded(
    "your engine matches Keras if initial_state is ignored (zeros used): Keras starts from [h0, c0] when given (spec/lstm.md §3.4)",
    (cell) => `your engine matches Keras if initial_state is ignored (zeros used): Keras starts from ${initialStateNames(cell)} when given (${cell.chapter} §3.4)`,
  ),
  async predict(c, oracle) {
    if (!usesInitialState(c)) return null;
    // zeros passed, not initial_state removed: Keras 3 still drops a Masking mask for the call (spec/lstm.md §3.5.7)
    const t = mapCalls(c, (call) => (call.initialState ? { ...call, initialState: call.initialState.map((s) => ({ shape: s.shape, data: new Float32Array(s.data.length) })) } : call));
    return t ? oracle(t) : null;
  },
};

export const initialStateSwapped: Hypothesis = {
  id: "initial-state-swapped",
  touches: ["initial-state"],
  stage: STAGES.sequence,
  explanation: "your engine matches Keras if initial_state is read as [c0, h0]: Keras's order is [h0, c0] (spec/lstm.md §3.4)",
  async predict(c, oracle) {
    // initial_state goes to the first recurrent layer (spec/lstm.md §3.4): [h0] alone has no order;
    // a Bidirectional's is [h0, c0] of the forward layer, then of the backward one (spec/bidirectional.md)
    const first = sequenceLayers(c)[0];
    if (!usesInitialState(c) || !first) return null;
    const parts = first.className === "Bidirectional" ? [first.forward, first.backward] : [first];
    if (!parts.every(hasTwoStates)) return null;
    const swapPairs = (s: readonly Tensor[]): Tensor[] => s.flatMap((_, k) => (k % 2 === 0 ? [s[k + 1]!, s[k]!] : []));
    const t = mapCalls(c, (call) => (call.initialState ? { ...call, initialState: swapPairs(call.initialState) } : call));
    return t ? oracle(t) : null;
  },
};

export const statefulNotCarried: Hypothesis = {
  id: "stateful-not-carried",
  touches: ["stateful"],
  stage: STAGES.sequence,
  ...cellWorded(
    "your engine matches Keras if a stateful layer starts every call from zeros: with stateful=true Keras carries h and c " +
      "from one call to the next (spec/lstm.md §3.6)",
    (cell) =>
      `your engine matches Keras if a stateful layer starts every call from zeros: with stateful=true Keras carries ${statesOf(cell)} ` +
      `from one call to the next (${cell.chapter} §3.6, spec/lstm.md §3.6)`,
  ),
  async predict(c, oracle) {
    if (c.calls.length < 2 || !cellLayers(c).some((l) => l.config.stateful)) return null;
    const outputs: (readonly Tensor[])[] = [];
    for (const call of c.calls) outputs.push(...(await oracle({ ...c, calls: [call] })));
    return outputs;
  },
};

/** The call without its first processed step (x[0] forward, x[T-1] under go_backwards). */
function dropFirstProcessedStep(call: CallInputs, backwards: boolean): CallInputs | null {
  const T = call.x.shape[1]!;
  if (T < 2) return null;
  const [from, to] = backwards ? [0, T - 1] : [1, T];
  return {
    ...call,
    x: sliceTime(call.x, from, to),
    ...(call.mask ? { mask: sliceTime(call.mask, from, to) } : {}),
  };
}

export const timeLoopSkipsFirstStep: Hypothesis = {
  id: "time-loop-skips-first-step",
  touches: ["time-loop"],
  stage: STAGES.sequence,
  explanation:
    "your engine matches Keras if its time loop skips the first processed step (an off-by-one: the loop starts at 1): " +
    "Keras steps through all T timesteps (spec/lstm.md §2.3)",
  async predict(c, oracle) {
    return runLayerwise(c, oracle, {
      inputs: (call, layer) => dropFirstProcessedStep(call, layer.config.go_backwards),
      // the skipped step's output row stays zero, at processing position 0
      outputs: (o, layer) => (layer.config.return_sequences ? [insertZeroSteps(o[0]!, 0, 1), ...o.slice(1)] : o),
    });
  },
};

export const timeMajorInput: Hypothesis = {
  id: "time-major",
  explanation:
    "your engine matches Keras if the input (and mask) is read as time-major (timesteps, batch, features) and the sequence output " +
    "written time-major (PyTorch's batch_first=False, ONNX layout=0): Keras's tensors are batch-major (batch, timesteps, …) " +
    "(spec/lstm.md §2.3)",
  touches: ["input-layout"],
  stage: STAGES.sequence,
  async predict(c, oracle) {
    if (c.calls.every((call) => call.x.shape[0]! < 2 || call.x.shape[1]! < 2)) return null; // one row or one step: the same buffer
    const t = mapCalls(c, (call) => ({ ...call, x: timeMajor(call.x, "read"), ...(call.mask ? { mask: timeMajor(call.mask, "read") } : {}) }));
    if (!t) return null;
    const outputs = await oracle(t);
    // h and c are (batch, units) whichever way the input was read; only the sequence (a Bidirectional's pair, merge_mode None) is written back time-major
    const last = lastSequenceLayer(c);
    if (!last || !returning(last).config.return_sequences) return outputs;
    const n = outputCount(last);
    return outputs.map((o) => [...o.slice(0, n).map((t) => timeMajor(t, "write")), ...o.slice(n)]);
  },
};

export const sequenceHypotheses: readonly Hypothesis[] = [
  returnedStateSwapped,
  backwardsOutputReversed,
  backwardsIgnored,
  maskIgnored,
  maskRowZeroBroadcast,
  zeroOutputForMaskInverted,
  initialStateIgnored,
  initialStateSwapped,
  statefulNotCarried,
  timeLoopSkipsFirstStep,
  timeMajorInput,
];
