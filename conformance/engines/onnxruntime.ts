/**
 * ONNX Runtime as an engine (`--engine onnxruntime`): each case becomes an ONNX model with one node
 * per Keras recurrent layer — `LSTM`, `GRU` (`linear_before_reset` from `reset_after`) or `RNN` for a
 * SimpleRNN, mixed stacks too (./onnx-model.ts) — run by `onnxruntime-web` on its WebAssembly CPU
 * backend, which runs in Node from node_modules without any download (one thread, so runs are
 * reproducible and polite to other processes).
 *
 * What ONNX cannot say, and how the case is then reported:
 * - activations outside ONNX's RNN list (selu, relu6, swish, exponential, …): not declared as
 *   features, so the runner reports *unsupported*;
 * - a mask that is not right-padded: ONNX has only `sequence_lens` ("the first L steps are
 *   valid"), so such a case is *unsupported* ({@link UnsupportedCaseError}) with the reason;
 * - masked steps past the length: ONNX writes zeros into `Y` where Keras (zero_output_for_mask=False)
 *   repeats the last output. That is a real difference between the two definitions, so those cases
 *   run and fail, and the expectations file explains them (microsoft/onnxruntime#12492).
 * A `stateful` model is run the way a deployment does it: `Y_h`/`Y_c` of one call are fed back as
 * `initial_h`/`initial_c` of the next.
 * A `Bidirectional` (spec/bidirectional.md) is one node with `direction="bidirectional"` and the ops
 * that merge its two directions as Keras does (onnx-model.ts); its `initial_state` is split in halves,
 * forward first, into the node's two direction slots, and its states are returned forward first. One
 * node has one operator and one hidden_size, so a custom backward layer of another cell or size is
 * *unsupported* with that reason.
 */
import * as ort from "onnxruntime-web";
import { sequenceLayers, type CallInputs, type LayerCase, type MaskingLayer, type SequenceLayer } from "../case.ts";
import { CELL_FEATURES } from "../cells.ts";
import { UnsupportedCaseError, type Engine, type EngineOutputs, type Feature } from "../engine.ts";
import { activationFeatures, BIDIRECTIONAL_FEATURE, OPTION_FEATURES } from "../features.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";
import { buildOnnxModel, ONNX_EXPRESSIBLE_ACTIVATIONS, onnxNames, onnxNodePlan, type OnnxNodePlan } from "./onnx-model.ts";
import { maskingLayerMask } from "../masking-layer.ts";
import { rightPaddedLengths } from "./right-padding.ts";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

// The three cells, both GRU conventions (linear_before_reset 1 and 0), every option (masks with holes
// are declined case by case), Bidirectional, and the activations ONNX's RNN operators name.
const features: Feature[] = [...CELL_FEATURES, "gru:reset_after_false", ...OPTION_FEATURES, BIDIRECTIONAL_FEATURE, ...activationFeatures(ONNX_EXPRESSIBLE_ACTIVATIONS)];

/** The model's layers as this engine runs them: an optional leading Masking, then recurrent layers and Bidirectionals. */
function modelLayers(c: LayerCase): { masking: MaskingLayer | undefined; layers: SequenceLayer[] } {
  const layers = sequenceLayers(c);
  const maskings = c.layers.filter((l): l is MaskingLayer => l.className === "Masking");
  if (layers.length === 0) throw new Error(`case ${c.id}: no recurrent layer`);
  if (maskings.length > 1 || (maskings.length === 1 && c.layers[0]!.className !== "Masking")) {
    throw new UnsupportedCaseError("a Masking layer other than the first layer has no ONNX recurrent node input to map to");
  }
  return { masking: maskings[0], layers };
}

/** (B, T, D) batch-major → (T, B, D) time-major, the ONNX `layout=0` input. */
function toTimeMajor(x: Tensor): Float32Array {
  const [batch, timesteps, dim] = x.shape as [number, number, number];
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < timesteps; t++) out.set(x.data.subarray((b * timesteps + t) * dim, (b * timesteps + t + 1) * dim), (t * batch + b) * dim);
  }
  return out;
}

/** ONNX `Y` (T, 1, B, H) → Keras's sequence (B, T, H), reversed in time when `flip` (go_backwards). */
function sequenceFromY(y: Float32Array, batch: number, timesteps: number, units: number, flip: boolean): Tensor {
  const out = new Float32Array(batch * timesteps * units);
  for (let t = 0; t < timesteps; t++) {
    const kerasT = flip ? timesteps - 1 - t : t;
    for (let b = 0; b < batch; b++) out.set(y.subarray((t * batch + b) * units, (t * batch + b + 1) * units), (b * timesteps + kerasT) * units);
  }
  return { shape: [batch, timesteps, units], data: out };
}

/** The last time step, in Keras's (processing) order, of a (B, T, H) sequence. */
function lastStep(seq: Tensor): Tensor {
  const [batch, timesteps, units] = seq.shape as [number, number, number];
  const out = new Float32Array(batch * units);
  for (let b = 0; b < batch; b++) out.set(seq.data.subarray((b * timesteps + timesteps - 1) * units, (b * timesteps + timesteps) * units), b * units);
  return { shape: [batch, units], data: out };
}

/** An initial_h / initial_c input: [directions, B, H]. */
function stateTensor(data: Float32Array, directions: number, batch: number, units: number): ort.Tensor {
  return new ort.Tensor("float32", data, [directions, batch, units]);
}

/** Direction slot `s` of a [directions, B, H] state as Keras's (B, H). */
function slotState(data: Float32Array, s: number, batch: number, units: number): Tensor {
  return { shape: [batch, units], data: data.slice(s * batch * units, (s + 1) * batch * units) };
}

/**
 * The initial states of a node, [h, c?] each [directions, B, H] flattened, from Keras's initial_state:
 * a layer's [h0, c0] / [h0], a Bidirectional's forward states then backward ones (spec/bidirectional.md),
 * put into the slots the node computes them in.
 */
function nodeInitialState(plan: OnnxNodePlan, given: readonly Tensor[]): Float32Array[] {
  const n = plan.hasC ? 2 : 1;
  const perSlot = plan.slots.length === 1 ? [given] : plan.forwardSlot === 0 ? [given.slice(0, n), given.slice(n)] : [given.slice(n), given.slice(0, n)];
  return Array.from({ length: n }, (_, i) => Float32Array.from(perSlot.flatMap((states) => Array.from(states[i]!.data))));
}

/** The call's mask: the `mask=` argument, or the one the Masking layer computes from `x`. */
function callMask(call: CallInputs, masking: MaskingLayer | undefined): BoolTensor | undefined {
  if (call.mask !== undefined && masking !== undefined) {
    throw new UnsupportedCaseError("both a mask= argument and a Masking layer; ONNX takes one sequence_lens");
  }
  return call.mask ?? (masking ? maskingLayerMask(call.x, masking.config.mask_value) : undefined);
}

async function run(c: LayerCase): Promise<EngineOutputs> {
  const { masking, layers } = modelLayers(c);
  const plans = layers.map(onnxNodePlan);
  const lastPlan = plans[plans.length - 1]!;
  const sessions = new Map<string, ort.InferenceSession>();
  // Per layer, the state a stateful layer carries into the next call (spec/lstm.md §3.6): h, and c for an LSTM, [directions, B, H] each.
  const carried: ({ h: Float32Array; c?: Float32Array } | undefined)[] = layers.map(() => undefined);
  const results: Tensor[][] = [];
  try {
    for (const call of c.calls) {
      const [batch, timesteps, inputDim] = call.x.shape as [number, number, number];
      const mask = callMask(call, masking);
      let lengths: readonly number[] | undefined;
      if (mask !== undefined) {
        const read = rightPaddedLengths(mask);
        if (!read.ok) throw new UnsupportedCaseError(`ONNX sequence_lens cannot express this mask: ${read.reason}`);
        lengths = read.lengths;
      }
      const key = `${batch}x${timesteps}x${inputDim}:${lengths !== undefined}`;
      let session = sessions.get(key);
      if (session === undefined) {
        const model = buildOnnxModel(layers, c.dialect, { batch, timesteps, inputDim }, lengths !== undefined);
        session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all", logSeverityLevel: 3 });
        sessions.set(key, session);
      }
      const feeds: Record<string, ort.Tensor> = { [onnxNames.x]: new ort.Tensor("float32", toTimeMajor(call.x), [timesteps, batch, inputDim]) };
      if (lengths !== undefined) feeds[onnxNames.sequenceLens] = new ort.Tensor("int32", Int32Array.from(lengths), [batch]);
      plans.forEach((plan, k) => {
        const { units, hasC } = plan;
        const directions = plan.slots.length;
        // An explicit initial_state overrides a stateful layer's stored state (spec/lstm.md §3.6); it
        // goes to the first recurrent layer: [h0, c0] for an LSTM, [h0] otherwise (spec/gru.md §3.4).
        const given = k === 0 && call.initialState ? nodeInitialState(plan, call.initialState) : undefined;
        const stored = plan.outputs.stateful ? carried[k] : undefined;
        const zeros = new Float32Array(directions * batch * units);
        feeds[onnxNames.h0(k)] = stateTensor(given?.[0] ?? stored?.h ?? zeros, directions, batch, units);
        if (hasC) feeds[onnxNames.c0(k)] = stateTensor(given?.[1] ?? stored?.c ?? zeros, directions, batch, units);
      });
      const out = await session.run(feeds);
      const read = (name: string): Float32Array => {
        const t = out[name];
        if (t === undefined || !(t.data instanceof Float32Array)) throw new Error(`onnxruntime returned no float32 output "${name}"`);
        return t.data;
      };
      plans.forEach((plan, k) => {
        if (plan.outputs.stateful) carried[k] = { h: read(onnxNames.yh(k)).slice(), ...(plan.hasC ? { c: read(onnxNames.yc(k)).slice() } : {}) };
      });
      results.push(lastOutputs(lastPlan, plans.length - 1, read, batch, timesteps));
    }
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.release()));
  }
  return results;
}

/** The last layer's outputs as Keras returns them, from the session's outputs. */
function lastOutputs(plan: OnnxNodePlan, k: number, read: (name: string) => Float32Array, batch: number, timesteps: number): Tensor[] {
  const { units, hasC, layer } = plan;
  const slotStates = (s: number): Tensor[] => [slotState(read(onnxNames.yh(k)), s, batch, units), ...(hasC ? [slotState(read(onnxNames.yc(k)), s, batch, units)] : [])];
  if (layer.className === "Bidirectional") {
    // The merged output(s), then the forward layer's states, then the backward one's (spec/bidirectional.md).
    const width = layer.config.merge_mode === "concat" ? 2 * units : units;
    const shape = plan.outputs.return_sequences ? [batch, timesteps, width] : [batch, width];
    const merged = Array.from({ length: layer.config.merge_mode === null ? 2 : 1 }, (_, i): Tensor => ({ shape, data: read(onnxNames.merged(k, i)).slice() }));
    return plan.outputs.return_state ? [...merged, ...slotStates(plan.forwardSlot), ...slotStates(1 - plan.forwardSlot)] : merged;
  }
  const sequence = sequenceFromY(read(onnxNames.y(k)), batch, timesteps, units, layer.config.go_backwards);
  const states = slotStates(0);
  // Keras's last output is the output of the last processed step. Without zero_output_for_mask
  // that is the carried h (= Y_h); with it, the last step's (possibly zeroed) output, which is
  // what ONNX writes in Y at that step (spec/lstm.md §3.5.4).
  const output = layer.config.return_sequences ? sequence : layer.config.zero_output_for_mask === true ? lastStep(sequence) : states[0]!;
  // return_state: [output, h, c] for an LSTM, [output, h] for a GRU or SimpleRNN (spec/gru.md §3.2).
  return layer.config.return_state ? [output, ...states] : [output];
}

/** ONNX Runtime (onnxruntime-web, WebAssembly CPU backend) running ONNX `LSTM`, `GRU` and `RNN` nodes (bidirectional ones for a Bidirectional) built from the case. */
export const engine: Engine = {
  name: "onnxruntime",
  version: `onnxruntime-web ${ort.env.versions.web ?? "unknown"}`,
  features,
  run,
};

export default engine;
