import { describe, expect, it } from "vitest";
import { ModelProto } from "./onnx-proto.ts";
import { buildOnnxLstmModel, buildOnnxModel, kerasToOnnxWeights, onnxActivation } from "./onnx-model.ts";
import { sampleCase } from "../testing/sample-cases.ts";
import { lstmLayers, type GruLayer, type SimpleRnnLayer } from "../case.ts";

interface DecodedNode {
  opType: string;
  input: string[];
  output: string[];
  attribute: { name: string; floats?: number[]; strings?: Uint8Array[]; s?: Uint8Array; i?: number | { toNumber(): number } }[];
}

function decodeNodes(bytes: Uint8Array): DecodedNode[] {
  const model = ModelProto.toObject(ModelProto.decode(bytes), { defaults: false }) as { graph: { node: DecodedNode[] } };
  return model.graph.node;
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe("onnxActivation", () => {
  it("maps hard_sigmoid by dialect: Keras 3 slope 1/6, tf-keras slope 0.2 (spec/lstm.md §4)", () => {
    expect(onnxActivation("hard_sigmoid", "keras3")).toEqual({ name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 });
    expect(onnxActivation("hard_sigmoid", "tf-keras")).toEqual({ name: "HardSigmoid", alpha: 0.2, beta: 0.5 });
    expect(onnxActivation("linear", "keras3")).toEqual({ name: "Affine", alpha: 1, beta: 0 });
  });

  it("has no mapping for activations outside ONNX's RNN list", () => {
    for (const name of ["selu", "relu6", "swish", "exponential"]) expect(onnxActivation(name, "keras3")).toBeUndefined();
  });
});

describe("buildOnnxLstmModel", () => {
  it("writes a decodable model: LSTM nodes with explicit activations, weights as [1, 4H, ·]", () => {
    const c = sampleCase({ id: "m", units: [4, 3], config: { go_backwards: true, recurrent_activation: "hard_sigmoid", activation: "elu" } });
    const nodes = decodeNodes(buildOnnxLstmModel(lstmLayers(c), c.dialect, { batch: 2, timesteps: 4, inputDim: 3 }, true));
    expect(nodes.map((n) => n.opType)).toEqual(["LSTM", "Squeeze", "Slice", "LSTM"]);
    const lstm = nodes[3]!;
    expect(lstm.input).toEqual(["Y_0_processing_order", "W_1", "R_1", "B_1", "sequence_lens", "initial_h_1", "initial_c_1"]);
    const attr = (name: string) => lstm.attribute.find((a) => a.name === name)!;
    expect(text(attr("direction").s)).toBe("reverse");
    expect(attr("activations").strings!.map(text)).toEqual(["HardSigmoid", "Elu", "Elu"]);
    // HardSigmoid takes alpha and beta, each Elu an alpha: consumed in activation order.
    expect(attr("activation_alpha").floats).toEqual([Math.fround(1 / 6), 1, 1]);
    expect(attr("activation_beta").floats).toEqual([0.5]);
  });

  it("refuses an activation ONNX cannot express", () => {
    const c = sampleCase({ id: "m", config: { activation: "selu" } });
    expect(() => buildOnnxLstmModel(lstmLayers(c), c.dialect, { batch: 2, timesteps: 4, inputDim: 3 }, false)).toThrow(/activation "selu" has no ONNX/);
  });
});

const f32 = (...v: number[]) => Float32Array.from(v);
const common = { units: 2, activation: "tanh", use_bias: true, return_sequences: true, return_state: false, go_backwards: false, stateful: false };
/** GRU(units=2) on 1 input feature: kernel (1, 6), recurrent_kernel (2, 6), columns z0 z1 | r0 r1 | h0 h1 (spec/gru.md §1.2). */
const gru = (resetAfter: boolean): GruLayer => ({
  className: "GRU",
  config: { ...common, recurrent_activation: "hard_sigmoid", reset_after: resetAfter },
  weights: {
    kernel: { shape: [1, 6], data: f32(1, 2, 3, 4, 5, 6) },
    recurrent_kernel: { shape: [2, 6], data: f32(11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 26) },
    bias: resetAfter ? { shape: [2, 6], data: f32(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6) } : { shape: [6], data: f32(0.1, 0.2, 0.3, 0.4, 0.5, 0.6) },
  },
});
const simpleRnn: SimpleRnnLayer = {
  className: "SimpleRNN",
  config: { ...common, activation: "relu" },
  weights: { kernel: { shape: [2, 2], data: f32(1, 2, 3, 4) }, recurrent_kernel: { shape: [2, 2], data: f32(5, 6, 7, 8) }, bias: { shape: [2], data: f32(0.5, -0.5) } },
};
const intOf = (a: DecodedNode["attribute"][number] | undefined) => (typeof a?.i === "object" ? a.i.toNumber() : a?.i);

describe("kerasToOnnxWeights", () => {
  it("GRU: kernels transposed without reordering, ONNX's blocks being z, r, h like Keras's (spec/gru.md §6 Q3)", () => {
    const { W, R } = kerasToOnnxWeights(gru(true));
    expect(W.shape).toEqual([1, 6, 1]);
    expect([...W.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(R.shape).toEqual([1, 6, 2]);
    // row j of R is column j of recurrent_kernel: (U[0, j], U[1, j])
    expect([...R.data.subarray(0, 4)]).toEqual([11, 21, 12, 22]);
  });

  it("GRU bias: reset_after's two rows are [Wb | Rb]; reset_before's one bias is Wb with Rb zero (spec/gru.md §1.3)", () => {
    expect([...kerasToOnnxWeights(gru(true)).B!.data]).toEqual([...f32(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6)]);
    expect(kerasToOnnxWeights(gru(true)).B!.shape).toEqual([1, 12]);
    expect([...kerasToOnnxWeights(gru(false)).B!.data]).toEqual([...f32(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), 0, 0, 0, 0, 0, 0]);
  });

  it("SimpleRNN: W = kernelᵀ, R = recurrent_kernelᵀ, B = [bias | 0] (spec/simple-rnn.md §6 Q2)", () => {
    const { W, R, B } = kerasToOnnxWeights(simpleRnn);
    expect([...W.data]).toEqual([1, 3, 2, 4]);
    expect([...R.data]).toEqual([5, 7, 6, 8]);
    expect([...B!.data]).toEqual([0.5, -0.5, 0, 0]);
    expect(kerasToOnnxWeights({ ...simpleRnn, config: { ...simpleRnn.config, use_bias: false }, weights: { kernel: simpleRnn.weights.kernel, recurrent_kernel: simpleRnn.weights.recurrent_kernel } }).B).toBeUndefined();
  });
});

describe("buildOnnxModel", () => {
  it("writes GRU nodes with linear_before_reset from reset_after and activations [f, g]; RNN nodes with [f]; no c anywhere", () => {
    const stack = [gru(true), { ...gru(false), weights: { ...gru(false).weights, kernel: { shape: [2, 6], data: f32(...Array.from({ length: 12 }, (_, i) => i)) } } }, simpleRnn];
    const nodes = decodeNodes(buildOnnxModel(stack, "keras3", { batch: 2, timesteps: 4, inputDim: 1 }, false));
    expect(nodes.map((n) => n.opType)).toEqual(["GRU", "Squeeze", "GRU", "Squeeze", "RNN"]);
    const attr = (n: DecodedNode, name: string) => n.attribute.find((a) => a.name === name);
    const [gru0, , gru1, , rnn] = nodes as [DecodedNode, DecodedNode, DecodedNode, DecodedNode, DecodedNode];
    expect(intOf(attr(gru0, "linear_before_reset"))).toBe(1);
    expect(intOf(attr(gru1, "linear_before_reset"))).toBe(0);
    expect(attr(gru0, "activations")!.strings!.map(text)).toEqual(["HardSigmoid", "Tanh"]);
    expect(attr(gru0, "activation_alpha")!.floats).toEqual([Math.fround(1 / 6)]);
    expect(attr(rnn, "activations")!.strings!.map(text)).toEqual(["Relu"]);
    expect(attr(rnn, "linear_before_reset")).toBeUndefined();
    expect(gru0.input).toEqual(["X", "W_0", "R_0", "B_0", "", "initial_h_0"]);
    expect(rnn.output).toEqual(["Y_2", "Y_h_2"]);
  });

  it("gives an LSTM in a mixed stack its c, and the GRU beside it none", () => {
    const c = sampleCase({ id: "m", units: [2, 2] });
    const lstm = lstmLayers(c)[0]!;
    const nodes = decodeNodes(buildOnnxModel([lstm, { ...gru(true), weights: { ...gru(true).weights, kernel: { shape: [2, 6], data: new Float32Array(12) } } }], "keras3", { batch: 2, timesteps: 4, inputDim: 3 }, true));
    expect(nodes.map((n) => [n.opType, n.input.length, n.output.length])).toEqual([["LSTM", 7, 3], ["Squeeze", 2, 1], ["GRU", 6, 2]]);
  });
});
