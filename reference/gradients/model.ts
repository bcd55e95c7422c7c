/**
 * Gradients of a model (spec/gradients.md §2, §3): an optional Masking layer, then recurrent layers
 * of any cell, called one or more times — the models of reference/model.ts, driven by the same rules
 * (its `composeModel`), here run forward with recording cells and then backward, call by call. For
 * call n the scalar is L_n = Σ_k ⟨cotangent_k, output_k⟩ over what the model returned; the result is
 * ∂L_n/∂ every recurrent layer's weights (Keras layout, get_weights() order), ∂L_n/∂x_n and, when the
 * first recurrent layer started from a given or carried state, ∂L_n/∂ that state (§3.4: within a call,
 * the carried state is an input).
 */
import { activationByName, type Dialect } from "../activations.ts";
import { CELL_LAYOUTS, isCellClassName, type CellLayout } from "../cells/layout.ts";
import { activationName, composeModel, layerWeights, type ComposableCall, type ModelCall, type ModelLayer, type ReferenceTensor } from "../model.ts";
import type { LayerOptions, RnnInput } from "../rnn.ts";
import { derivativeByName } from "./activations.ts";
import type { GradientCell, WeightGradients } from "./cell.ts";
import { gruGradientCell } from "./gru.ts";
import { lstmGradientCell, type DifferentiableGates } from "./lstm.ts";
import { backwardLayer, recordLayer, type RecordedLayer } from "./rnn.ts";
import { simpleRnnGradientCell } from "./simple-rnn.ts";

/** A call of the model and the cotangents of what it returns: one per tensor of `[output]` or `[output, ...states]`, same shapes. */
export interface GradientCall extends ModelCall {
  readonly cotangents: readonly ArrayLike<number>[];
}

/** ∂L/∂ one recurrent layer's weights, each in the weight's Keras shape. */
export interface LayerWeightGradients {
  /** The layer's index in the model's layers (Masking included). */
  readonly layer: number;
  readonly kernel: ReferenceTensor;
  readonly recurrent_kernel: ReferenceTensor;
  readonly bias?: ReferenceTensor;
}

export interface CallGradients {
  /** What the model returned (the forward; equal to `runModel`'s outputs). */
  readonly outputs: readonly ReferenceTensor[];
  /** Per recurrent layer, first first. */
  readonly layers: readonly LayerWeightGradients[];
  /** ∂L/∂x of the call, (batch, timesteps, features). */
  readonly x: ReferenceTensor;
  /** ∂L/∂ the first recurrent layer's initial states, when it was given one or is stateful (§3.4). */
  readonly initialState?: readonly ReferenceTensor[];
}

interface GradientLayer {
  readonly layout: CellLayout;
  readonly units: number;
  readonly inputDim: number;
  readonly options: LayerOptions;
  readonly cell: GradientCell;
  readonly returnSequences: boolean;
  readonly config: CellModelLayer["config"];
}

/** A cell's own layer among the model's layers (a Bidirectional's gradients are not implemented yet, spec/gradients.md §3.6). */
type CellModelLayer = Extract<ModelLayer, { readonly className: "LSTM" | "GRU" | "SimpleRNN" }>;

const isCellLayer = (l: ModelLayer): l is CellModelLayer => isCellClassName(l.className);


function prepare(index: number, layer: CellModelLayer, inputDim: number, dialect: Dialect): GradientLayer {
  const { config } = layer;
  const layout = CELL_LAYOUTS[layer.className];
  const u = config.units;
  if (config.time_major) throw new Error(`layer ${index}: time_major=true is not implemented by the reference's gradients`);
  const { kernel, recurrentKernel, bias } = layerWeights(index, layer, inputDim);
  const actName = activationName(config.activation, layout.activations.activation!);
  const gates = (): DifferentiableGates => {
    const recName = activationName(config["recurrent_activation"], layout.activations.recurrent_activation!);
    return { act: activationByName(actName, dialect), actD: derivativeByName(actName, dialect), recAct: activationByName(recName, dialect), recActD: derivativeByName(recName, dialect) };
  };
  const options: LayerOptions = { returnSequences: config.return_sequences ?? false, goBackwards: config.go_backwards ?? false, zeroOutputForMask: config.zero_output_for_mask ?? false };
  const base = { layout, units: u, inputDim, options, returnSequences: options.returnSequences, config };
  switch (layer.className) {
    case "LSTM":
      return { ...base, cell: lstmGradientCell({ inputDim, units: u, kernel, recurrentKernel, bias }, gates()) };
    case "GRU": {
      const resetAfter = layer.config.reset_after ?? true; // spec/gru.md §1.3
      const inputBias = bias && (resetAfter ? bias.subarray(0, 3 * u) : bias);
      const recurrentBias = bias && resetAfter ? bias.subarray(3 * u) : null;
      return { ...base, cell: gruGradientCell({ inputDim, units: u, kernel, recurrentKernel, resetAfter, inputBias, recurrentBias }, gates()) };
    }
    case "SimpleRNN":
      return { ...base, cell: simpleRnnGradientCell({ inputDim, units: u, kernel, recurrentKernel, bias }, activationByName(actName, dialect), derivativeByName(actName, dialect)) };
  }
}

/** keras/src/layers/core/masking.py: a step is valid when any feature differs from mask_value (in float32); Masking outputs x ⊙ mask. */
function maskingMask(x: Float64Array, steps: number, features: number, maskValue: number): Uint8Array {
  const value = Math.fround(maskValue);
  const mask = new Uint8Array(steps);
  for (let s = 0; s < steps; s++) for (let d = 0; d < features; d++) if (x[s * features + d] !== value) mask[s] = 1;
  return mask;
}

/** One recurrent layer call of the forward, as the backward needs it; `record` is whatever the layer's backward needs (the reference: its tape). */
export interface ForwardRun<R> {
  /** The layer's index in the model's layers (Masking included). */
  readonly layerIndex: number;
  /** Whether the layer started from a state given to it (initial_state) or carried by a stateful layer (§3.4). */
  readonly hasInitialState: boolean;
  readonly record: R;
}

/** The layers `backwardModel` routes between: of a layer it reads the class and what fixes shapes and routing. */
export interface RoutedLayer {
  readonly className: string;
  readonly config: {
    readonly units?: number;
    readonly use_bias?: boolean;
    readonly reset_after?: boolean;
    readonly return_sequences?: boolean;
    readonly stateful?: boolean;
    readonly mask_value?: number;
    readonly merge_mode?: unknown;
  };
}

/** A call as the backward reads it: x (for a Masking layer's mask) and the cotangents of what the model returned. */
export interface BackwardCall {
  readonly x: ArrayLike<number>;
  readonly shape: readonly [number, number, number];
  readonly cotangents: readonly ArrayLike<number>[];
}

/** What `backwardModel` asks of one layer call's backward: every cotangent of what the layer returned, zeros where nothing reads it. */
export interface BackwardRequest<R> {
  readonly layerIndex: number;
  readonly callIndex: number;
  readonly record: R;
  /** `output` as the layer returned it; `states` every final state, in the cell's order, each (batch, units). */
  readonly cotangents: { readonly output: Float64Array; readonly states: readonly Float64Array[] };
  /** Whether this layer's initial-state gradient is part of the answer (the first recurrent layer, given or carrying a state, §2.2). */
  readonly wantsInitialState: boolean;
}

/** One layer call's backward: its weights' gradients (Keras layout), ∂L/∂ its input (original time order), ∂L/∂ its starting states when asked. */
export interface BackwardReply {
  readonly weights: WeightGradients;
  readonly x: Float64Array;
  readonly initialState?: readonly Float64Array[];
}

/**
 * The model's backward (spec/gradients.md §3), as a generator like `composeModel` so that the same
 * routing drives the reference (`modelGradients`) and layer engines whose backward is async
 * (conformance/engines/layer-engine.ts): per call, from the last recurrent layer down, it yields each
 * layer call's cotangents and is resumed with that layer's gradients. The rules: the model's
 * cotangents are the last layer's, `[output, ...states]` (§2.1); a lower layer's output cotangent is
 * the upper layer's ∂L/∂x and its states' cotangents are zero (§3.5); a Masking layer's x ⊙ mask
 * stops the gradient at masked steps (§3.2); the first recurrent layer's initial-state gradient is
 * kept when it was given or carried (§3.4); nothing flows from a call into the calls before (§3.4).
 * `runs` holds, per call, the forward's layer calls in order; `outputs` what the model returned.
 */
export function* backwardModel<R>(
  layers: readonly RoutedLayer[],
  calls: readonly BackwardCall[],
  runs: readonly (readonly ForwardRun<R>[])[],
  outputs: readonly (readonly ReferenceTensor[])[],
): Generator<BackwardRequest<R>, CallGradients[], BackwardReply> {
  const result: CallGradients[] = [];
  for (const [n, call] of calls.entries()) {
    const [B, T, D] = call.shape;
    const returned = outputs[n]!;
    if (call.cotangents.length !== returned.length) {
      throw new Error(`call ${n}: ${call.cotangents.length} cotangent(s) for ${returned.length} returned tensor(s) (spec/gradients.md §2.1)`);
    }
    const cots = call.cotangents.map((c, k) => {
      const want = returned[k]!.data.length;
      if (c.length !== want) throw new Error(`call ${n}: cotangent ${k} must have ${want} values (shape (${returned[k]!.shape.join(", ")})), has ${c.length}`);
      return Float64Array.from(c);
    });
    const callRuns = runs[n]!;
    const byLayer: LayerWeightGradients[] = [];
    let output: Float64Array = cots[0]!;
    let given: readonly Float64Array[] = cots.slice(1);
    let dx: Float64Array = new Float64Array(0);
    let initialState: readonly ReferenceTensor[] | undefined;
    for (let k = callRuns.length - 1; k >= 0; k--) {
      const run = callRuns[k]!;
      const layer = layers[run.layerIndex]!;
      if (!isCellClassName(layer.className)) throw new Error(`layer ${run.layerIndex}: the gradients of a ${layer.className} layer are not implemented (spec/gradients.md §3.6)`);
      if (k < callRuns.length - 1 && !(layer.config.return_sequences ?? false)) throw new Error(`layer ${run.layerIndex}: feeds another recurrent layer without return_sequences`);
      const layout = CELL_LAYOUTS[layer.className];
      const units = layer.config.units ?? 0;
      // §3.5: states a lower layer returns are not returned by the model; a missing cotangent is zero.
      const states = layout.states.map((_, s) => given[s] ?? new Float64Array(B * units));
      const wantsInitialState = k === 0 && (run.hasInitialState || (layer.config.stateful ?? false));
      const g: BackwardReply = yield { layerIndex: run.layerIndex, callIndex: n, record: run.record, cotangents: { output, states }, wantsInitialState };
      // The layer's input width: the model's features for the first recurrent layer, the layer below's units above it.
      const below = k > 0 ? layers[callRuns[k - 1]!.layerIndex]! : undefined;
      const inputDim = below ? (below.config.units ?? 0) : D;
      const shapes = layout.weights({ ...layer.config, units }, inputDim);
      const tensor = (name: string, data: Float64Array): ReferenceTensor => ({ shape: shapes.find((s) => s.name === name)!.shape, data });
      byLayer.unshift({
        layer: run.layerIndex,
        kernel: tensor("kernel", g.weights.kernel),
        recurrent_kernel: tensor("recurrent_kernel", g.weights.recurrent_kernel),
        ...(g.weights.bias ? { bias: tensor("bias", g.weights.bias) } : {}),
      });
      if (wantsInitialState) initialState = (g.initialState ?? []).map((data) => ({ shape: [B, units], data }));
      dx = g.x;
      output = dx; // what flows into the layer below: the gradient of its returned sequence (§3.5)
      given = [];
    }
    const first = layers[0];
    if (first?.className === "Masking") {
      // Masking outputs x ⊙ mask: no gradient reaches a masked step's x (§3.2).
      dx = Float64Array.from(dx);
      const mask = maskingMask(Float64Array.from(call.x), B * T, D, first.config.mask_value ?? 0);
      for (let s = 0; s < B * T; s++) if (!mask[s]) dx.fill(0, s * D, (s + 1) * D);
    }
    result.push({
      outputs: returned.map((o) => ({ shape: o.shape, data: o.data })),
      layers: byLayer,
      x: { shape: [B, T, D], data: dx },
      ...(initialState ? { initialState } : {}),
    });
  }
  return result;
}

interface ReferenceRecord {
  readonly input: RnnInput;
  readonly recorded: RecordedLayer;
}

/**
 * The gradients of every call (spec/gradients.md §2). Throws on a config, activation or model shape
 * the reference's gradients do not implement — never a silent zero.
 */
export function modelGradients(layers: readonly ModelLayer[], calls: readonly GradientCall[], dialect: Dialect = "keras3"): CallGradients[] {
  if (calls.length === 0) return [];
  const prepared = new Map<number, GradientLayer>();
  let dim = calls[0]!.shape[2];
  layers.forEach((l, i) => {
    if (isCellLayer(l)) {
      prepared.set(i, prepare(i, l, dim, dialect));
      dim = l.config.units;
    } else if (l.className !== "Masking") {
      throw new Error(`layer ${i}: the gradients of a ${l.className} layer are not implemented by the reference (spec/gradients.md §3.6)`);
    } else if (i !== 0) {
      // Masking anywhere but in front would need its mask recomputed from a layer's output: no corpus model has one.
      throw new Error(`layer ${i}: a Masking layer after the first layer is not implemented by the reference's gradients`);
    }
  });
  if (prepared.size === 0) throw new Error("the model has no recurrent layer");
  const runs: ForwardRun<ReferenceRecord>[][] = calls.map(() => []);
  const model = composeModel(
    layers,
    calls.map((call): ComposableCall<Float64Array> => ({
      x: { shape: call.shape, data: Float64Array.from(call.x) },
      ...(call.mask ? { mask: Uint8Array.from(Array.from(call.mask, (v) => (v ? 1 : 0))) } : {}),
      ...(call.initialState ? { initialState: call.initialState.map((s) => ({ shape: [s.length], data: Float64Array.from(s) })) } : {}),
    })),
    dialect,
  );
  let next = model.next();
  while (!next.done) {
    const { layerIndex, callIndex, x, mask, initialState } = next.value;
    const l = prepared.get(layerIndex)!;
    const [B = 0, T = 0] = calls[callIndex]!.shape;
    if (initialState && (initialState.length !== l.layout.states.length || initialState.some((s) => s.data.length !== B * l.units))) {
      throw new Error(`layer ${layerIndex}: initial_state must be [${l.layout.states.map((s) => `${s}0`).join(", ")}], each (${B}, ${l.units}) (${l.layout.chapter} §3.4)`);
    }
    const input: RnnInput = { batch: B, timesteps: T, x: x.data, ...(mask ? { mask } : {}), ...(initialState ? { initialState: initialState.map((s) => s.data) } : {}) };
    const recorded = recordLayer(l.cell, l.options, input);
    runs[callIndex]!.push({ layerIndex, hasInitialState: initialState !== undefined, record: { input, recorded } });
    const r = recorded.forward;
    next = model.next({ output: { shape: r.outputShape, data: r.output }, states: r.states.map((data) => ({ shape: [B, l.units], data })) });
  }
  const backward = backwardModel(layers, calls, runs, next.value);
  let step = backward.next();
  while (!step.done) {
    const { layerIndex, record, cotangents } = step.value;
    const l = prepared.get(layerIndex)!;
    const g = backwardLayer(l.cell, l.options, record.input, record.recorded, cotangents);
    step = backward.next({ weights: g.weights, x: g.x, initialState: g.initialState });
  }
  return step.value;
}
