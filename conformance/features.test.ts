import { describe, expect, it } from "vitest";
import type { LayerCase, LstmConfig, LstmLayer } from "./case.ts";
import { requiredFeatures } from "./features.ts";
import { isCoreCase, levelReached } from "./levels.ts";
import { tensor } from "./tensor.ts";

const config: LstmConfig = { units: 1, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, return_sequences: false, return_state: false, go_backwards: false, stateful: false };
const lstm = (over: Partial<LstmConfig> = {}): LstmLayer => ({
  className: "LSTM",
  config: { ...config, ...over },
  weights: { kernel: tensor([1, 4], [0, 0, 0, 0]), recurrent_kernel: tensor([1, 4], [0, 0, 0, 0]) },
});
const x = tensor([1, 2, 1], [1, 2]);
const base: LayerCase = { id: "t/001", dialect: "keras3", layers: [lstm()], calls: [{ x }] };

describe("requiredFeatures", () => {
  it("a default LSTM needs its activations only: a core case", () => {
    expect(requiredFeatures(base)).toEqual(["activation:tanh", "recurrent_activation:sigmoid"]);
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
});
