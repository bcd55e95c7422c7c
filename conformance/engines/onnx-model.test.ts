import { describe, expect, it } from "vitest";
import { ModelProto } from "./onnx-proto.ts";
import { buildOnnxLstmModel, onnxActivation } from "./onnx-model.ts";
import { sampleCase } from "../testing/sample-cases.ts";
import { lstmLayers } from "../case.ts";

interface DecodedNode {
  opType: string;
  input: string[];
  attribute: { name: string; floats?: number[]; strings?: Uint8Array[]; s?: Uint8Array }[];
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
