import { describe, expect, it } from "vitest";
import type { GruConfig, GruLayer, LayerCase, LstmConfig, LstmLayer, SimpleRnnLayer } from "./case.ts";
import { CELL_FEATURES, CELL_OPTION_FEATURES } from "./cells.ts";
import { implementedFeatures, isFeature, missingFeatures, requiredFeatures } from "./features.ts";
import { isCoreCase, levelReached } from "./levels.ts";
import { tensor } from "./tensor.ts";

const config: LstmConfig = { units: 1, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, return_sequences: false, return_state: false, go_backwards: false, stateful: false };
const lstm = (over: Partial<LstmConfig> = {}): LstmLayer => ({
  className: "LSTM",
  config: { ...config, ...over },
  weights: { kernel: tensor([1, 4], [0, 0, 0, 0]), recurrent_kernel: tensor([1, 4], [0, 0, 0, 0]) },
});
const gru = (over: Partial<GruConfig> = {}): GruLayer => ({
  className: "GRU",
  config: { ...config, reset_after: true, ...over },
  weights: { kernel: tensor([1, 3], [0, 0, 0]), recurrent_kernel: tensor([1, 3], [0, 0, 0]) },
});
const simpleRnn = (): SimpleRnnLayer => {
  const { recurrent_activation: _none, ...rest } = config;
  return { className: "SimpleRNN", config: rest, weights: { kernel: tensor([1, 1], [0]), recurrent_kernel: tensor([1, 1], [0]) } };
};
const x = tensor([1, 2, 1], [1, 2]);
const base: LayerCase = { id: "t/001", dialect: "keras3", layers: [lstm()], calls: [{ x }] };
const oneLayer = (layer: LayerCase["layers"][number]): LayerCase => ({ ...base, layers: [layer] });

describe("requiredFeatures", () => {
  it("a default LSTM needs its cell and activations only: a core case", () => {
    expect(requiredFeatures(base)).toEqual(["activation:tanh", "cell:lstm", "recurrent_activation:sigmoid"]);
    expect(isCoreCase(requiredFeatures(base))).toBe(true);
  });

  it("derives every option from configs and inputs", () => {
    const c: LayerCase = {
      id: "t/002",
      dialect: "tf-keras",
      layers: [
        { className: "Masking", config: { mask_value: 0 } },
        lstm({ return_sequences: true, go_backwards: true, activation: "relu" }),
        lstm({ return_state: true, use_bias: false, zero_output_for_mask: true, recurrent_activation: "hard_sigmoid" }),
      ],
      calls: [{ x, mask: { shape: [1, 2], data: Uint8Array.from([1, 0]) }, initialState: [tensor([1, 1], [0]), tensor([1, 1], [0])] }, { x }],
    };
    expect(requiredFeatures(c)).toEqual([
      "activation:relu",
      "activation:tanh",
      "cell:lstm",
      "dialect:tf-keras",
      "go_backwards",
      "initial_state",
      "mask",
      "masking_layer",
      "recurrent_activation:hard_sigmoid",
      "recurrent_activation:sigmoid",
      "return_sequences",
      "return_state",
      "stacked",
      "stateful",
      "use_bias_false",
      "zero_output_for_mask",
    ]);
    expect(isCoreCase(requiredFeatures(c))).toBe(false);
  });

  it("a GRU needs cell:gru, and gru:reset_after_false for the reset-before convention (spec/gru.md §2.2)", () => {
    expect(requiredFeatures(oneLayer(gru()))).toEqual(["activation:tanh", "cell:gru", "recurrent_activation:sigmoid"]);
    expect(requiredFeatures(oneLayer(gru({ reset_after: false })))).toEqual(["activation:tanh", "cell:gru", "gru:reset_after_false", "recurrent_activation:sigmoid"]);
  });

  it("a SimpleRNN has no recurrent_activation (spec/simple-rnn.md §3.8); a mixed stack needs both cells", () => {
    expect(requiredFeatures(oneLayer(simpleRnn()))).toEqual(["activation:tanh", "cell:simple_rnn"]);
    const mixed: LayerCase = { ...base, layers: [gru({ return_sequences: true }), lstm()] };
    expect(requiredFeatures(mixed)).toEqual(["activation:tanh", "cell:gru", "cell:lstm", "recurrent_activation:sigmoid", "return_sequences", "stacked"]);
  });
});

describe("cells an engine implements (spec/adapter.md §2)", () => {
  const core = ["activation:tanh", "recurrent_activation:sigmoid"] as const;
  it("an engine that names no cell implements the LSTM: GRU and SimpleRNN cases are missing their cell", () => {
    expect(implementedFeatures([...core])).toContain("cell:lstm");
    expect(missingFeatures(requiredFeatures(base), [...core])).toEqual([]);
    expect(missingFeatures(requiredFeatures(oneLayer(gru())), [...core])).toEqual(["cell:gru"]);
    expect(missingFeatures(requiredFeatures(oneLayer(simpleRnn())), [...core])).toEqual(["cell:simple_rnn"]);
  });

  it("an engine that names cells implements exactly those", () => {
    expect(missingFeatures(requiredFeatures(base), [...core, "cell:gru"])).toEqual(["cell:lstm"]);
    expect(missingFeatures(requiredFeatures(oneLayer(gru())), [...core, "cell:gru"])).toEqual([]);
    expect(missingFeatures(requiredFeatures(oneLayer(gru({ reset_after: false }))), [...core, "cell:gru"])).toEqual(["gru:reset_after_false"]);
  });

  it("a default case of a cell the engine lacks is not core for it; of a cell it has, it is", () => {
    const g = requiredFeatures(oneLayer(gru()));
    expect(isCoreCase(g)).toBe(false);
    expect(isCoreCase(g, [...core])).toBe(false);
    expect(isCoreCase(g, [...core, "cell:gru"])).toBe(true);
    expect(isCoreCase(requiredFeatures(base), [...core, "cell:gru"])).toBe(false); // a GRU-only engine is not judged on the LSTM
    expect(isCoreCase(requiredFeatures(oneLayer(gru({ reset_after: false }))), [...core, "cell:gru", "gru:reset_after_false"])).toBe(false);
  });

  it("every cell feature is a known feature (engines in workers and processes keep them)", () => {
    for (const f of [...CELL_FEATURES, ...CELL_OPTION_FEATURES]) expect(isFeature(f)).toBe(true);
    expect(isFeature("cell:bidirectional")).toBe(false);
  });
});

describe("levelReached", () => {
  const pass = { status: "pass", core: true };
  it("core needs every core case to pass; full also every other case and property", () => {
    expect(levelReached({ cases: [pass, { status: "pass", core: false }], properties: [{ status: "pass", evidence: true }] })).toBe("full");
    // a property that a trivial engine satisfies is no evidence: it counts toward no level (spec/adapter.md §4.3)
    expect(levelReached({ cases: [pass, { status: "pass", core: false }], properties: [{ status: "pass", evidence: false }] })).toBe("core");
    expect(levelReached({ cases: [pass, { status: "unsupported", core: false }], properties: [{ status: "pass", evidence: true }] })).toBe("core");
    expect(levelReached({ cases: [pass], properties: [] })).toBe("core");
    expect(levelReached({ cases: [pass, { status: "fail", core: true }], properties: [{ status: "pass" }] })).toBe("none");
    expect(levelReached({ cases: [{ status: "pass", core: false }], properties: [{ status: "pass" }] })).toBe("none");
  });

  it("a case of a cell the engine does not implement counts toward no level; a missing option of its cell still blocks full", () => {
    const properties = [{ status: "pass", evidence: true }];
    const otherCell = { status: "unsupported", core: false, missingFeatures: ["cell:gru" as const, "go_backwards" as const] };
    expect(levelReached({ cases: [pass, otherCell], properties })).toBe("full");
    expect(levelReached({ cases: [otherCell], properties })).toBe("none");
    expect(levelReached({ cases: [pass, { status: "unsupported", core: false, missingFeatures: ["gru:reset_after_false" as const] }], properties })).toBe("core");
  });
});
