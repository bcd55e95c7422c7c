/**
 * Mask mistakes beyond ignoring it (sequence.ts): the state moving on at masked steps, a mask turned
 * into lengths (right padding assumed), a Masking layer's mask applied where Keras 3 drops it, and
 * the one place Keras's own backends disagree — the output before the first valid step
 * (spec/lstm.md §3.5). The mask is the `RNN` loop's, the same for every cell (spec/gru.md §3.5,
 * spec/simple-rnn.md §3.5): each applies to a layer of any cell.
 */
import { cellLayers, type LayerCase } from "../case.ts";
import { maskingLayerMask, zeroMaskedSteps } from "../masking-layer.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";
import { mapCalls } from "./case-transforms.ts";
import { cellWorded, statesOf } from "./cell-words.ts";
import { STAGES, type Hypothesis } from "./hypothesis.ts";
import { appliedMask, lastStep, processingMask, runLayerwise } from "./layerwise.ts";
import { usesMask, withoutMask } from "./sequence.ts";

const maskingLayerOf = (c: LayerCase) => c.layers.find((l) => l.className === "Masking");

/**
 * A (B, T, u) sequence in processing order with masked steps' outputs held: a masked step repeats the
 * output of the last valid step, `start` before any (zeros, or per row), or zeros throughout with
 * zero_output_for_mask (spec/lstm.md §3.5.2–§3.5.4).
 */
function holdMaskedOutputs(seq: Tensor, mask: BoolTensor, zeroOutput: boolean, start?: Tensor): Tensor {
  const [B, T, u] = seq.shape as [number, number, number];
  const data = new Float32Array(seq.data);
  for (let b = 0; b < B; b++) {
    let held = start ? start.data.subarray(b * u, (b + 1) * u) : new Float32Array(u);
    for (let s = 0; s < T; s++) {
      const at = (b * T + s) * u;
      if (mask.data[b * T + s]) held = seq.data.subarray(at, at + u);
      else data.set(zeroOutput ? new Float32Array(u) : held, at);
    }
  }
  return { shape: seq.shape, data };
}

export const maskStateAdvances: Hypothesis = {
  id: "mask-state-advances",
  ...cellWorded(
    "your engine matches Keras if h and c move on at masked steps while only the output is held: at a masked step Keras keeps " +
      "the state as well (where(mask, new, old) for h and c) (spec/lstm.md §3.5.2)",
    (cell) =>
      `your engine matches Keras if ${statesOf(cell)} moves on at masked steps while only the output is held: at a masked step Keras keeps ` +
      `the state as well (where(mask, new, old) for ${statesOf(cell)}) (spec/lstm.md §3.5.2, ${cell.chapter} §3.5)`,
  ),
  touches: ["mask-state"],
  stage: STAGES.sequence,
  async predict(c, oracle) {
    if (!usesMask(c)) return null;
    const bare = withoutMask(c);
    if (!bare) return null;
    // every layer runs unmasked (its state moves on); its emitted sequence holds the outputs at masked steps
    return runLayerwise(bare, oracle, {
      allSteps: true,
      outputs: (o, layer, _asRun, at) => {
        const mask = appliedMask(c, at.call, at.layer);
        const seq = mask ? holdMaskedOutputs(o[0]!, processingMask(mask, layer), layer.config.zero_output_for_mask ?? false) : o[0]!;
        return [layer.config.return_sequences ? seq : lastStep(seq), ...o.slice(1)];
      },
    });
  },
};

/** Row b valid at its first n_b steps, n_b the row's number of valid steps. */
function lengthsAsRightPadding(mask: BoolTensor): BoolTensor {
  const [B, T] = mask.shape as [number, number];
  const data = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) data.fill(1, b * T, b * T + mask.data.subarray(b * T, (b + 1) * T).reduce((n, v) => n + v, 0));
  return { shape: mask.shape, data };
}

export const maskAsLengths: Hypothesis = {
  id: "mask-as-lengths",
  explanation:
    "your engine matches Keras if the mask is turned into a length per row and applied as right padding (ONNX sequence_lens, " +
    "PyTorch pack_padded_sequence): Keras masks exactly the steps the mask marks, wherever they are — left padding and holes " +
    "included (spec/lstm.md §3.5.1)",
  touches: ["mask"],
  stage: STAGES.sequence,
  async predict(c, oracle) {
    if (!usesMask(c)) return null;
    return runLayerwise(c, oracle, { inputs: (call) => (call.mask ? { ...call, mask: lengthsAsRightPadding(call.mask) } : call) });
  },
};

export const maskingMaskWithInitialState: Hypothesis = {
  id: "masking-mask-with-initial-state",
  ...cellWorded(
    "your engine matches Keras if a Masking layer's mask reaches the LSTM called with initial_state: Keras 3 drops it there (the " +
      "layer gets no mask and runs every step; the next layer of a stack still gets it); tf-keras and tfjs apply it (spec/lstm.md §3.5.7)",
    (cell) =>
      `your engine matches Keras if a Masking layer's mask reaches the ${cell.className} called with initial_state: Keras 3 drops it there (the ` +
      `layer gets no mask and runs every step; the next layer of a stack still gets it); tf-keras and tfjs apply it (spec/lstm.md §3.5.7, ${cell.chapter} §3.5)`,
  ),
  touches: ["mask-routing"],
  // it decides what reaches each layer, so it comes before anything that computes with it
  stage: STAGES.routing,
  async predict(c, oracle) {
    const masking = maskingLayerOf(c);
    if (!masking || c.dialect !== "keras3" || !c.calls.some((call) => call.initialState)) return null;
    // the mask passed explicitly is applied in every case (§3.5.7), so it stands for the mask tf-keras applies
    const layers = c.layers.filter((l) => l.className !== "Masking");
    const t = mapCalls({ ...c, layers }, (call) => {
      const mask = maskingLayerMask(call.x, masking.config.mask_value);
      return { ...call, x: zeroMaskedSteps(call.x, mask), mask };
    });
    return t ? oracle(t) : null;
  },
};

/**
 * Keras's JAX backend (and tfjs): the output before the first valid step is the initial h, where the
 * canonical TensorFlow backend emits zeros (spec/lstm.md §3.5.3). The initial h is initial_state's h
 * for the first layer, the carried h for a stateful layer's later calls, zeros otherwise.
 */
export const jaxMaskedPrefix: Hypothesis = {
  id: "backend:jax",
  explanation:
    "your engine follows Keras's JAX backend here (spec/lstm.md §3.5.3): masked steps before the first valid one emit the initial h, " +
    "where Keras on TensorFlow, the canonical backend, emits zeros, as an engine must (tfjs follows JAX here)",
  touches: ["mask-output"],
  stage: STAGES.sequence,
  async predict(c, oracle) {
    if (!usesMask(c)) return null;
    const carries = c.calls.length > 1 && cellLayers(c).some((l) => l.config.stateful);
    if (!carries && !c.calls.some((call) => call.initialState)) return null; // zero initial h: every backend agrees
    return runLayerwise(c, oracle, {
      allSteps: true,
      outputs: (o, layer, _asRun, at) => {
        const mask = appliedMask(c, at.call, at.layer);
        // the layer's own initial h: the first layer's, a Bidirectional direction's half (spec/bidirectional.md)
        const given = at.initialState?.[0];
        const start = given ?? (layer.config.stateful ? at.previous?.[1] : undefined);
        const zeroOutput = layer.config.zero_output_for_mask ?? false;
        const seq = mask && start && !zeroOutput ? holdMaskedOutputs(o[0]!, processingMask(mask, layer), false, start) : o[0]!;
        return [layer.config.return_sequences ? seq : lastStep(seq), ...o.slice(1)];
      },
    });
  },
};

export const maskHypotheses: readonly Hypothesis[] = [maskStateAdvances, maskAsLengths, maskingMaskWithInitialState, jaxMaskedPrefix];
