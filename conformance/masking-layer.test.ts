import { describe, expect, it } from "vitest";
import { maskingLayerMask, zeroMaskedSteps } from "./masking-layer.ts";

describe("maskingLayerMask", () => {
  it("masks a step only when every feature equals mask_value (compared in float32)", () => {
    const x = { shape: [1, 3, 2], data: Float32Array.from([0.1, 0.1, 0.1, 0, 5, 5]) };
    expect([...maskingLayerMask(x, 0.1).data]).toEqual([0, 1, 1]);
  });
});

describe("zeroMaskedSteps", () => {
  it("zeroes the masked steps only, leaving the input untouched", () => {
    const x = { shape: [1, 3, 2], data: Float32Array.from([7, 7, 1, 7, 7, 7]) };
    const zeroed = zeroMaskedSteps(x, maskingLayerMask(x, 7));
    expect([...zeroed.data]).toEqual([0, 0, 1, 7, 0, 0]);
    expect([...x.data]).toEqual([7, 7, 1, 7, 7, 7]);
  });
});
