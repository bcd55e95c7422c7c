/**
 * Builds the ONNX model that runs a case's recurrent stack: one ONNX node per Keras layer — `LSTM`
 * for an LSTM, `GRU` for a GRU, `RNN` for a SimpleRNN (onnx/onnx docs/Operators.md §LSTM, §GRU, §RNN,
 * opset 14) — mixed stacks included. Weights: LSTM by `conformance/porting/onnx.ts`; GRU and RNN by
 * {@link kerasToOnnxWeights} (spec/gru.md §6 Q3, spec/simple-rnn.md §6 Q2).
 *
 * Graph, for layers k = 0..n-1 (time-major, as ONNX `layout=0` wants):
 *   inputs   X [T, B, D]; sequence_lens [B] (int32, when the case is masked);
 *            h0_k [1, B, H] for every layer, c0_k for every LSTM layer (zeros mean "no initial
 *            state": ONNX's default is 0)
 *   node_k   LSTM (X_k, W_k, R_k, B_k, sequence_lens, h0_k, c0_k) → Y_k [T, 1, B, H], Y_h_k, Y_c_k [1, B, H]
 *            GRU / RNN (X_k, W_k, R_k, B_k, sequence_lens, h0_k) → Y_k, Y_h_k
 *   X_{k+1}  Squeeze(Y_k, axis 1), reversed in time when layer k is `go_backwards`: Keras hands the
 *            next layer its sequence in processing order, ONNX `reverse` returns original order
 *            (spec/porting.md §4)
 *   outputs  Y of the last layer; Y_h_k (and Y_c_k of an LSTM) of every layer (a stateful model feeds them back).
 */
import type { BidirectionalLayer, Dialect, LstmLayer, MergeMode, RecurrentLayer, SequenceLayer } from "../case.ts";
import { cellOf } from "../cells.ts";
import { UnsupportedCaseError } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { concatFirstAxis, joinVectors, stackTensors, transpose2d, zeros } from "../porting/gates.ts";
import { kerasToOnnx } from "../porting/onnx.ts";
import { encodeModel, OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxInitializer, type OnnxNode, type OnnxValueInfo } from "./onnx-proto.ts";

/** The ONNX opset the model declares; LSTM-14, GRU-14 and RNN-14 are the definitions before bfloat16 types. */
export const ONNX_OPSET = 14;

/** An activation as ONNX's RNN operators name it, with the alpha/beta it consumes. */
export interface OnnxActivation {
  readonly name: string;
  readonly alpha?: number;
  readonly beta?: number;
}

/**
 * The ONNX RNN activation equal to Keras's `name` in `dialect`, or undefined when ONNX's list
 * (Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign,
 * Softplus) has none. spec/lstm.md §3 gives the Keras formulas.
 */
export function onnxActivation(name: string, dialect: Dialect): OnnxActivation | undefined {
  switch (name) {
    case "sigmoid":
      return { name: "Sigmoid" };
    case "tanh":
      return { name: "Tanh" };
    case "relu":
      return { name: "Relu" };
    case "linear":
      return { name: "Affine", alpha: 1, beta: 0 };
    case "softsign":
      return { name: "Softsign" };
    case "softplus":
      return { name: "Softplus" };
    case "elu":
      // Keras's elu string means alpha = 1.
      return { name: "Elu", alpha: 1 };
    case "hard_sigmoid":
      // spec/lstm.md §4: Keras 3 clips x/6 + 0.5; tf-keras clips 0.2x + 0.5 (ONNX's own default).
      return dialect === "keras3" ? { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 } : { name: "HardSigmoid", alpha: 0.2, beta: 0.5 };
    default:
      return undefined;
  }
}

/** Keras activation names {@link onnxActivation} maps in both dialects (for the engine's features). */
export const ONNX_EXPRESSIBLE_ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear", "softsign", "softplus", "elu", "hard_sigmoid"] as const;

export interface OnnxModelShape {
  readonly batch: number;
  readonly timesteps: number;
  readonly inputDim: number;
}

/** Graph input and output names, for feeding the session and reading its results. */
export const onnxNames = {
  x: "X",
  sequenceLens: "sequence_lens",
  h0: (k: number) => `initial_h_${k}`,
  c0: (k: number) => `initial_c_${k}`,
  y: (k: number) => `Y_${k}`,
  yh: (k: number) => `Y_h_${k}`,
  yc: (k: number) => `Y_c_${k}`,
  /** A Bidirectional's merged output (B, T, F) or (B, F), batch-major; `i` = 1 is merge_mode=None's backward output. */
  merged: (k: number, i = 0) => `merged_${k}_${i}`,
};

function attr(name: string, value: number | string | readonly string[] | readonly number[], floats: boolean | "ints" = false): OnnxAttribute {
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
  if (typeof value === "number") return { name, type: OnnxAttributeType.INT, i: value };
  if (typeof value === "string") return { name, type: OnnxAttributeType.STRING, s: utf8(value) };
  if (floats === "ints") return { name, type: OnnxAttributeType.INTS, ints: value as readonly number[] };
  if (floats) return { name, type: OnnxAttributeType.FLOATS, floats: value as readonly number[] };
  return { name, type: OnnxAttributeType.STRINGS, strings: (value as readonly string[]).map(utf8) };
}

/**
 * The activations an ONNX node of the layer's cell takes, in its order: LSTM f (gates: Keras's
 * recurrent_activation), g (candidate) and h (output, both Keras's activation); GRU f (z and r:
 * recurrent_activation) and g (candidate: activation); RNN f (activation) — a SimpleRNN has no
 * recurrent activation (spec/simple-rnn.md §3.8).
 */
function activationList(layer: RecurrentLayer, dialect: Dialect): OnnxActivation[] {
  const of = (key: "activation" | "recurrent_activation", name: string): OnnxActivation => {
    const a = onnxActivation(name, dialect);
    if (a === undefined) throw new Error(`${key} "${name}" has no ONNX RNN activation`);
    return a;
  };
  switch (layer.className) {
    case "LSTM":
      return [of("recurrent_activation", layer.config.recurrent_activation), of("activation", layer.config.activation), of("activation", layer.config.activation)];
    case "GRU":
      return [of("recurrent_activation", layer.config.recurrent_activation), of("activation", layer.config.activation)];
    case "SimpleRNN":
      return [of("activation", layer.config.activation)];
  }
}

/**
 * The node's activation attributes; throws when an activation has no ONNX form. A bidirectional
 * node takes the forward direction's list, then the reverse one's (Operators.md §LSTM `activations`:
 * "3 (or 6 if bidirectional)"), so `slots` are the node's layers in its direction order.
 */
function activationAttributes(slots: readonly RecurrentLayer[], dialect: Dialect): OnnxAttribute[] {
  const list = slots.flatMap((layer) => activationList(layer, dialect));
  const attributes = [attr("activations", list.map((a) => a.name))];
  // alpha/beta are consumed in activation order, only by the activations that take them
  // (onnxruntime core/providers/cpu/rnn/rnn_helpers.cc NameToArgUsageMap).
  const alphas = list.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = list.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  if (alphas.length > 0) attributes.push(attr("activation_alpha", alphas, true));
  if (betas.length > 0) attributes.push(attr("activation_beta", betas, true));
  return attributes;
}

/** The weight inputs of one ONNX recurrent node, one direction: W [1, n·H, in], R [1, n·H, H], B [1, 2n·H] = [Wb | Rb]. */
export interface OnnxRecurrentWeights {
  readonly W: Tensor;
  readonly R: Tensor;
  readonly B?: Tensor;
}

/**
 * Keras weights → the ONNX node's (one direction). Exact for every cell:
 * - LSTM: `conformance/porting/onnx.ts` (blocks i,f,c,o → i,o,f,c; the bias in Wb, Rb zero).
 * - GRU: ONNX's blocks are z, r, h like Keras's (Operators.md §GRU `W[zrh]`; spec/gru.md §1.2, §6 Q3),
 *   so the kernels are only transposed. With reset_after the (2, 3H) bias is [input row | recurrent
 *   row], which is ONNX's [Wb | Rb] read row-major: `Rb_h` must stay apart, as it enters inside the
 *   reset product (`linear_before_reset = 1`, spec/gru.md §1.3). Without reset_after the one bias sits
 *   outside every product, so it goes in Wb and Rb is zero.
 * - SimpleRNN (ONNX RNN): W = kernelᵀ, R = recurrent_kernelᵀ, the bias in Wb, Rb zero (spec/simple-rnn.md §6 Q2).
 */
export function kerasToOnnxWeights(layer: RecurrentLayer): OnnxRecurrentWeights {
  if (layer.className === "LSTM") return kerasToOnnx(layer.weights);
  const { kernel, recurrent_kernel, bias } = layer.weights;
  const W = stackTensors([transpose2d(kernel)]);
  const R = stackTensors([transpose2d(recurrent_kernel)]);
  if (bias === undefined) return { W, R };
  const width = cellOf(layer).blocks.length * layer.config.units;
  const resetAfter = layer.className === "GRU" && layer.config.reset_after;
  const flat = resetAfter ? { shape: [2 * width], data: bias.data } : joinVectors([bias, zeros([width])]);
  return { W, R, B: stackTensors([flat]) };
}

/** The ONNX operator of each Keras cell (Operators.md): its name and whether it has a cell state c. */
const ONNX_OPERATOR = {
  LSTM: { opType: "LSTM", hasC: true },
  GRU: { opType: "GRU", hasC: false },
  SimpleRNN: { opType: "RNN", hasC: false },
} as const;

/** Whether the ONNX node of a layer has a cell state (initial_c, Y_c): an LSTM's only. */
export const onnxHasCellState = (layer: RecurrentLayer): boolean => ONNX_OPERATOR[layer.className].hasC;

/** The attributes only one cell's node has: a GRU's reset convention (spec/gru.md §2.1, §2.2). */
function cellAttributes(layer: RecurrentLayer): OnnxAttribute[] {
  // linear_before_reset = 1: h̃ = g(x·W_hᵀ + Wb_h + r ⊙ (h·R_hᵀ + Rb_h)), Keras's reset_after=True;
  // 0 (ONNX's default): g(x·W_hᵀ + (r ⊙ h)·R_hᵀ + Rb_h + Wb_h), Keras's reset_after=False.
  if (layer.className === "GRU") return [attr("linear_before_reset", layer.config.reset_after ? 1 : 0)];
  return [];
}

/**
 * How one Keras sequence layer becomes one ONNX recurrent node: a plain layer is a node of one
 * direction, a Bidirectional one node with `direction="bidirectional"` whose weights, initial states
 * and `Y_h`/`Y_c` are [forward slot, reverse slot] along their first axis (Operators.md §LSTM:
 * `W [num_directions, 4H, in]`, "forward then reverse"; `Y [T, num_directions, B, H]`).
 */
export interface OnnxNodePlan {
  readonly layer: SequenceLayer;
  /** The Keras layer computed in each of the node's direction slots, in ONNX's order. */
  readonly slots: readonly RecurrentLayer[];
  /** A Bidirectional's: the slot of Keras's forward layer — 0, or 1 when it goes backwards (tf-keras's toggle, spec/bidirectional.md). */
  readonly forwardSlot: 0 | 1;
  readonly units: number;
  readonly hasC: boolean;
  /** Features of the sequence the layer hands on (a concat Bidirectional: both halves). */
  readonly width: number;
  /** The config that says what the layer returns: its own, or a Bidirectional's forward layer's (both match, spec/bidirectional.md). */
  readonly outputs: { readonly return_sequences: boolean; readonly return_state: boolean; readonly stateful: boolean };
}

/** Why one bidirectional ONNX node cannot compute this Bidirectional, or undefined when it can. */
function bidirectionalInexpressible(l: BidirectionalLayer): string | undefined {
  const { forward: f, backward: b } = l;
  if (f.className !== b.className) return `one ONNX node has one operator: the forward layer is a ${f.className}, the backward one a ${b.className}`;
  if (f.config.units !== b.config.units) return `one ONNX node has one hidden_size: the forward layer has ${f.config.units} units, the backward one ${b.config.units}`;
  if (f.className === "GRU" && b.className === "GRU" && f.config.reset_after !== b.config.reset_after) return "one ONNX GRU node has one linear_before_reset: the two layers' reset_after differ";
  if (f.config.go_backwards === b.config.go_backwards) return "both layers run in the same direction; an ONNX bidirectional node runs one each way";
  for (const [name, sub] of [["forward", f], ["backward", b]] as const) {
    // Keras (3 and tf-keras) sets zero_output_for_mask to return_sequences on both layers (spec/bidirectional.md);
    // another setting is not a model Keras builds, and its last output is not an ONNX output.
    if (!sub.config.return_sequences && sub.config.zero_output_for_mask === true) return `the ${name} layer has zero_output_for_mask=True without return_sequences, which Keras's Bidirectional does not build`;
  }
  return undefined;
}

/** The node plan of a case's sequence layer; throws {@link UnsupportedCaseError} for a Bidirectional one node cannot run. */
export function onnxNodePlan(layer: SequenceLayer): OnnxNodePlan {
  if (layer.className !== "Bidirectional") {
    const c = layer.config;
    return { layer, slots: [layer], forwardSlot: 0, units: c.units, hasC: onnxHasCellState(layer), width: c.units, outputs: { return_sequences: c.return_sequences, return_state: c.return_state, stateful: c.stateful } };
  }
  const why = bidirectionalInexpressible(layer);
  if (why !== undefined) throw new UnsupportedCaseError(`Bidirectional as one ONNX node: ${why}`);
  const { forward: f, backward: b } = layer;
  const forwardSlot = f.config.go_backwards ? 1 : 0;
  const units = f.config.units;
  const c = f.config;
  return {
    layer,
    slots: forwardSlot === 0 ? [f, b] : [b, f],
    forwardSlot,
    units,
    hasC: onnxHasCellState(f),
    width: layer.config.merge_mode === "concat" ? 2 * units : units,
    outputs: { return_sequences: c.return_sequences, return_state: c.return_state, stateful: c.stateful },
  };
}

/** The node's W, R and B: each direction slot's converted weights ([1, …]) stacked on the first axis. */
export function onnxNodeWeights(plan: OnnxNodePlan): OnnxRecurrentWeights {
  const converted = plan.slots.map(kerasToOnnxWeights);
  const W = concatFirstAxis(converted.map((w) => w.W));
  const R = concatFirstAxis(converted.map((w) => w.R));
  if (converted.every((w) => w.B === undefined)) return { W, R };
  // A direction without a bias adds zeros: exact, and ONNX has one B input for both.
  const width = 2 * cellOf(plan.slots[0]!).blocks.length * plan.units;
  return { W, R, B: concatFirstAxis(converted.map((w) => w.B ?? zeros([1, width]))) };
}

/** Encodes the model for `layers` (the case's LSTM layers, in order) and one input shape (kept for scripts/bench). */
export function buildOnnxLstmModel(layers: readonly LstmLayer[], dialect: Dialect, shape: OnnxModelShape, masked: boolean): Uint8Array {
  return buildOnnxModel(layers, dialect, shape, masked);
}

/**
 * Encodes the model for `layers` (the case's sequence layers, in order: any cells, Bidirectionals
 * among them) and one input shape.
 *
 * A Bidirectional is one node of direction "bidirectional" and the ops that merge as Keras does
 * (spec/bidirectional.md): `Split` of `Y` into its two directions, `Squeeze`, then `Concat` (forward
 * features first), `Add`, `Mul`, `Add` and `Div` by 2 (ave), or both outputs (merge_mode None). No
 * flip is needed for Keras 3's layout: ONNX's reverse direction writes `Y` in *original* time order
 * already ("Y … [seq_length, num_directions, batch_size, hidden_size]", the reverse direction's value
 * at step t being the one after reading x_t; Operators.md §LSTM, §RNN outputs), which is what Keras's
 * wrapper gets by flipping the backward layer's processing-order output. When tf-keras has toggled
 * the forward layer to go backwards, both Keras outputs are flipped relative to ONNX's, and so is the merge.
 * Without return_sequences the merge is of the two directions' `Y_h`: each layer's last output.
 */
export function buildOnnxModel(layers: readonly SequenceLayer[], dialect: Dialect, shape: OnnxModelShape, masked: boolean): Uint8Array {
  const { batch, timesteps, inputDim } = shape;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const inputs: OnnxValueInfo[] = [{ name: onnxNames.x, elemType: OnnxDataType.FLOAT, shape: [timesteps, batch, inputDim] }];
  if (masked) inputs.push({ name: onnxNames.sequenceLens, elemType: OnnxDataType.INT32, shape: [batch] });
  const outputs: OnnxValueInfo[] = [];
  // Constants, each added once when first used.
  const constants = new Set<string>();
  const int64 = (name: string, value: number): string => {
    if (!constants.has(name)) initializers.push({ name, dims: [1], dataType: OnnxDataType.INT64, int64Data: [value] });
    constants.add(name);
    return name;
  };
  const squeeze = (input: string, axis: 0 | 1, output: string): string => {
    nodes.push({ opType: "Squeeze", name: `squeeze_${output}`, input: [input, int64(axis === 1 ? "squeeze_axes" : "squeeze_axes_0", axis)], output: [output], attribute: [] });
    return output;
  };
  // Slice with step -1 from the last index through index 0 reverses the time axis (onnx Slice-13:
  // an `end` of -(T+1) becomes -1 after adding T, i.e. "before the first element").
  const flip = (input: string, output: string): string => {
    const args = [int64("flip_starts", -1), int64("flip_ends", -(timesteps + 1)), int64("flip_axes", 0), int64("flip_steps", -1)];
    nodes.push({ opType: "Slice", name: `flip_${output}`, input: [input, ...args], output: [output], attribute: [] });
    return output;
  };

  let layerInput = onnxNames.x;
  let layerInputDim = inputDim;
  layers.forEach((layer, k) => {
    const plan = onnxNodePlan(layer);
    const { units, hasC, slots } = plan;
    const directions = slots.length;
    const last = k === layers.length - 1;
    const { W, R, B } = onnxNodeWeights(plan);
    const gates = cellOf(slots[0]!).blocks.length;
    // The converter gives ONNX's shapes: [d, nH, in], [d, nH, H], [d, 2nH] for the cell's n blocks and
    // d directions. They are checked against the layer's sizes, so a converter bug cannot build a
    // model ORT would misread.
    const weight = (name: string, t: Tensor, dims: number[]): void => {
      if (t.data.length !== dims.reduce((a, b) => a * b, 1) || t.shape.length !== dims.length || t.shape.some((d, i) => d !== dims[i])) {
        throw new Error(`layer ${k}: converted ${name} has shape [${t.shape.join(", ")}] and ${t.data.length} values, ONNX wants shape [${dims.join(", ")}]`);
      }
      initializers.push({ name: `${name}_${k}`, dims: [...t.shape], dataType: OnnxDataType.FLOAT, floatData: t.data });
    };
    weight("W", W, [directions, gates * units, layerInputDim]);
    weight("R", R, [directions, gates * units, units]);
    if (B) weight("B", B, [directions, 2 * gates * units]);
    inputs.push({ name: onnxNames.h0(k), elemType: OnnxDataType.FLOAT, shape: [directions, batch, units] });
    if (hasC) inputs.push({ name: onnxNames.c0(k), elemType: OnnxDataType.FLOAT, shape: [directions, batch, units] });
    const { opType } = ONNX_OPERATOR[slots[0]!.className];
    // spec/porting.md §4: Keras go_backwards is ONNX "reverse" (same steps, same initial state).
    const direction = directions === 2 ? "bidirectional" : slots[0]!.config.go_backwards ? "reverse" : "forward";
    nodes.push({
      opType,
      name: `${opType.toLowerCase()}_${k}`,
      // An empty name is ONNX's "optional input absent" (IR.md, optional inputs).
      input: [layerInput, `W_${k}`, `R_${k}`, B ? `B_${k}` : "", masked ? onnxNames.sequenceLens : "", onnxNames.h0(k), ...(hasC ? [onnxNames.c0(k)] : [])],
      output: [onnxNames.y(k), onnxNames.yh(k), ...(hasC ? [onnxNames.yc(k)] : [])],
      attribute: [attr("hidden_size", units), attr("direction", direction), ...activationAttributes(slots, dialect), ...cellAttributes(slots[0]!)],
    });
    outputs.push({ name: onnxNames.yh(k), elemType: OnnxDataType.FLOAT, shape: [directions, batch, units] });
    if (hasC) outputs.push({ name: onnxNames.yc(k), elemType: OnnxDataType.FLOAT, shape: [directions, batch, units] });
    layerInputDim = plan.width;
    if (layer.className === "Bidirectional") {
      const merged = mergeBidirectionalNode(nodes, plan, layer.config.merge_mode, k, { squeeze, flip, constant: (name, value) => scalar(initializers, constants, name, value) });
      if (last) {
        merged.forEach((m, i) => {
          const name = onnxNames.merged(k, i);
          // Keras's (B, T, F) from ONNX's time-major (T, B, F); a last output (B, F) is batch-major already.
          if (plan.outputs.return_sequences) nodes.push({ opType: "Transpose", name: `batch_major_${name}`, input: [m], output: [name], attribute: [attr("perm", [1, 0, 2], "ints")] });
          else nodes.push({ opType: "Identity", name: `output_${name}`, input: [m], output: [name], attribute: [] });
          const width = layer.config.merge_mode === "concat" ? 2 * units : units;
          outputs.push({ name, elemType: OnnxDataType.FLOAT, shape: plan.outputs.return_sequences ? [batch, timesteps, width] : [batch, width] });
        });
        return;
      }
      if (merged.length !== 1) throw new Error(`layer ${k}: a Bidirectional with merge_mode=None returns two tensors; no layer can follow it (spec/bidirectional.md)`);
      layerInput = merged[0]!;
      return;
    }
    if (last) {
      outputs.push({ name: onnxNames.y(k), elemType: OnnxDataType.FLOAT, shape: [timesteps, 1, batch, units] });
      return;
    }
    layerInput = squeeze(onnxNames.y(k), 1, `Y_${k}_squeezed`);
    // Keras hands the next layer its sequence in processing order, ONNX `reverse` returns original order (spec/porting.md §4).
    if (layer.config.go_backwards) layerInput = flip(layerInput, `Y_${k}_processing_order`);
  });

  return encodeModel({ name: "keras_recurrent_stack", nodes, initializers, inputs, outputs }, ONNX_OPSET, {
    name: "keras-rnn-conformance",
    version: "0.1.0",
  });
}

/** A float scalar initializer, added once. */
function scalar(initializers: OnnxInitializer[], constants: Set<string>, name: string, value: number): string {
  if (!constants.has(name)) initializers.push({ name, dims: [], dataType: OnnxDataType.FLOAT, floatData: Float32Array.of(value) });
  constants.add(name);
  return name;
}

interface GraphTools {
  squeeze(input: string, axis: 0 | 1, output: string): string;
  flip(input: string, output: string): string;
  constant(name: string, value: number): string;
}

/**
 * The nodes that turn a bidirectional node's outputs into Keras's merged output (spec/bidirectional.md),
 * time-major (T, B, F) with return_sequences, (B, F) without; two values for merge_mode None (forward's, backward's).
 */
function mergeBidirectionalNode(nodes: OnnxNode[], plan: OnnxNodePlan, mode: MergeMode, k: number, g: GraphTools): string[] {
  const sequences = plan.outputs.return_sequences;
  // Y [T, 2, B, H] split on its direction axis; without return_sequences, Y_h [2, B, H]: each layer's last output.
  const source = sequences ? onnxNames.y(k) : onnxNames.yh(k);
  const axis = sequences ? 1 : 0;
  const halves = [`${source}_slot0`, `${source}_slot1`];
  nodes.push({ opType: "Split", name: `split_${k}`, input: [source], output: halves, attribute: [attr("axis", axis)] });
  const slot = halves.map((h) => g.squeeze(h, axis as 0 | 1, `${h}_squeezed`));
  const forward = slot[plan.forwardSlot]!;
  const backward = slot[1 - plan.forwardSlot]!;
  // Keras 3 (forward slot 0): merged[t] pairs ONNX's two slots at the same t, no flip. tf-keras's toggle
  // (forward slot 1): Keras's forward output is ONNX's reverse slot flipped, the wrapper's flipped
  // backward output is ONNX's forward slot flipped, so the merge is of the slots, then flipped.
  const flipped = sequences && plan.forwardSlot === 1;
  const finish = (name: string): string => (flipped ? g.flip(name, `${name}_keras_order`) : name);
  const merged = `bidirectional_${k}`;
  const binary = (opType: string, output: string, a: string, b: string): string => {
    nodes.push({ opType, name: `${opType.toLowerCase()}_${output}`, input: [a, b], output: [output], attribute: [] });
    return output;
  };
  switch (mode) {
    case "concat":
      // forward features first (keras/src/layers/rnn/bidirectional.py: concatenate([y, y_rev], axis=-1))
      nodes.push({ opType: "Concat", name: `concat_${k}`, input: [forward, backward], output: [merged], attribute: [attr("axis", -1)] });
      return [finish(merged)];
    case "sum":
      return [finish(binary("Add", merged, forward, backward))];
    case "mul":
      return [finish(binary("Mul", merged, forward, backward))];
    case "ave":
      // (y + y_rev) / 2, as Keras computes it
      return [finish(binary("Div", merged, binary("Add", `${merged}_sum`, forward, backward), g.constant("two", 2)))];
    case null:
      return [finish(forward), finish(backward)];
  }
}
