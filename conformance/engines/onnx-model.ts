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
import type { Dialect, LstmLayer, RecurrentLayer } from "../case.ts";
import { cellOf } from "../cells.ts";
import type { Tensor } from "../tensor.ts";
import { joinVectors, stackTensors, transpose2d, zeros } from "../porting/gates.ts";
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
};

function attr(name: string, value: number | string | readonly string[] | readonly number[], floats = false): OnnxAttribute {
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
  if (typeof value === "number") return { name, type: OnnxAttributeType.INT, i: value };
  if (typeof value === "string") return { name, type: OnnxAttributeType.STRING, s: utf8(value) };
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

/** The node's activation attributes; throws when an activation has no ONNX form. */
function activationAttributes(layer: RecurrentLayer, dialect: Dialect): OnnxAttribute[] {
  const list = activationList(layer, dialect);
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

/** Encodes the model for `layers` (the case's LSTM layers, in order) and one input shape (kept for scripts/bench). */
export function buildOnnxLstmModel(layers: readonly LstmLayer[], dialect: Dialect, shape: OnnxModelShape, masked: boolean): Uint8Array {
  return buildOnnxModel(layers, dialect, shape, masked);
}

/** Encodes the model for `layers` (the case's recurrent layers, in order, any cells) and one input shape. */
export function buildOnnxModel(layers: readonly RecurrentLayer[], dialect: Dialect, shape: OnnxModelShape, masked: boolean): Uint8Array {
  const { batch, timesteps, inputDim } = shape;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const inputs: OnnxValueInfo[] = [{ name: onnxNames.x, elemType: OnnxDataType.FLOAT, shape: [timesteps, batch, inputDim] }];
  if (masked) inputs.push({ name: onnxNames.sequenceLens, elemType: OnnxDataType.INT32, shape: [batch] });
  const outputs: OnnxValueInfo[] = [];
  const int64 = (name: string, value: number): OnnxInitializer => ({ name, dims: [1], dataType: OnnxDataType.INT64, int64Data: [value] });
  if (layers.length > 1) initializers.push(int64("squeeze_axes", 1));
  if (layers.slice(0, -1).some((l) => l.config.go_backwards)) {
    // Slice with step -1 from the last index through index 0 reverses the time axis (onnx Slice-13:
    // an `end` of -(T+1) becomes -1 after adding T, i.e. "before the first element").
    initializers.push(int64("flip_starts", -1), int64("flip_ends", -(timesteps + 1)), int64("flip_axes", 0), int64("flip_steps", -1));
  }

  let layerInput = onnxNames.x;
  layers.forEach((layer, k) => {
    const units = layer.config.units;
    const layerInputDim = k === 0 ? inputDim : layers[k - 1]!.config.units;
    const { W, R, B } = kerasToOnnxWeights(layer);
    const gates = cellOf(layer).blocks.length;
    const hasC = onnxHasCellState(layer);
    // The converter gives ONNX's shapes (one direction): [1, nH, in], [1, nH, H], [1, 2nH] for the
    // cell's n blocks. They are checked against the layer's sizes, so a converter bug cannot build a
    // model ORT would misread.
    const weight = (name: string, t: Tensor, dims: number[]): void => {
      if (t.data.length !== dims.reduce((a, b) => a * b, 1) || t.shape.length !== dims.length || t.shape.some((d, i) => d !== dims[i])) {
        throw new Error(`layer ${k}: converted ${name} has shape [${t.shape.join(", ")}] and ${t.data.length} values, ONNX wants shape [${dims.join(", ")}]`);
      }
      initializers.push({ name: `${name}_${k}`, dims: [...t.shape], dataType: OnnxDataType.FLOAT, floatData: t.data });
    };
    weight("W", W, [1, gates * units, layerInputDim]);
    weight("R", R, [1, gates * units, units]);
    if (B) weight("B", B, [1, 2 * gates * units]);
    inputs.push({ name: onnxNames.h0(k), elemType: OnnxDataType.FLOAT, shape: [1, batch, units] });
    if (hasC) inputs.push({ name: onnxNames.c0(k), elemType: OnnxDataType.FLOAT, shape: [1, batch, units] });
    const { opType } = ONNX_OPERATOR[layer.className];
    nodes.push({
      opType,
      name: `${opType.toLowerCase()}_${k}`,
      // An empty name is ONNX's "optional input absent" (IR.md, optional inputs).
      input: [layerInput, `W_${k}`, `R_${k}`, B ? `B_${k}` : "", masked ? onnxNames.sequenceLens : "", onnxNames.h0(k), ...(hasC ? [onnxNames.c0(k)] : [])],
      output: [onnxNames.y(k), onnxNames.yh(k), ...(hasC ? [onnxNames.yc(k)] : [])],
      attribute: [
        attr("hidden_size", units),
        // spec/porting.md §4: Keras go_backwards is ONNX "reverse" (same steps, same initial state).
        attr("direction", layer.config.go_backwards ? "reverse" : "forward"),
        ...activationAttributes(layer, dialect),
        ...cellAttributes(layer),
      ],
    });
    outputs.push({ name: onnxNames.yh(k), elemType: OnnxDataType.FLOAT, shape: [1, batch, units] });
    if (hasC) outputs.push({ name: onnxNames.yc(k), elemType: OnnxDataType.FLOAT, shape: [1, batch, units] });
    if (k === layers.length - 1) {
      outputs.push({ name: onnxNames.y(k), elemType: OnnxDataType.FLOAT, shape: [timesteps, 1, batch, units] });
      return;
    }
    const squeezed = `Y_${k}_squeezed`;
    nodes.push({ opType: "Squeeze", name: `squeeze_${k}`, input: [onnxNames.y(k), "squeeze_axes"], output: [squeezed], attribute: [] });
    layerInput = squeezed;
    if (layer.config.go_backwards) {
      const flipped = `Y_${k}_processing_order`;
      nodes.push({
        opType: "Slice",
        name: `flip_${k}`,
        input: [squeezed, "flip_starts", "flip_ends", "flip_axes", "flip_steps"],
        output: [flipped],
        attribute: [],
      });
      layerInput = flipped;
    }
  });

  return encodeModel({ name: "keras_recurrent_stack", nodes, initializers, inputs, outputs }, ONNX_OPSET, {
    name: "keras-rnn-conformance",
    version: "0.1.0",
  });
}
