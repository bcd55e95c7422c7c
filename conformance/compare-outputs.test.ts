import { describe, expect, it } from "vitest";
import { compareOutputs } from "./compare-outputs.ts";
import type { EngineOutputs } from "./engine.ts";
import { tensor, type Tensor } from "./tensor.ts";

const tol = { atol: 1e-5, rtol: 1e-5 };
const t = (...values: number[]): Tensor => tensor([1, values.length], values);
const expected: EngineOutputs = [[t(0.5, -0.25), t(1)], [t(2, 3), t(4)]];

describe("compareOutputs", () => {
  it("passes equal outputs and reports the largest absolute difference", () => {
    expect(compareOutputs([[t(0.5, -0.25), t(1)], [t(2, 3.000004), t(4)]], expected, tol)).toEqual({ ok: true, maxAbs: expect.closeTo(4e-6, 6) });
  });

  it("names the first difference: calls, outputs, tensor, malformed", () => {
    expect(compareOutputs([[t(0.5, -0.25), t(1)]], expected, tol)).toMatchObject({ ok: false, difference: { kind: "calls", actual: 1, expected: 2 } });
    expect(compareOutputs([[t(0.5, -0.25), t(1)], [t(2, 3)]], expected, tol)).toMatchObject({ ok: false, difference: { kind: "outputs", call: 1, actual: 1, expected: 2 } });
    expect(compareOutputs([[t(0.5, -0.25), t(1)], [t(2, 3), t(4.1)]], expected, tol)).toMatchObject({ ok: false, difference: { kind: "tensor", call: 1, output: 1 } });
    const broken = [[t(0.5, -0.25), { shape: [1] } as unknown as Tensor], [t(2, 3), t(4)]];
    expect(compareOutputs(broken, expected, tol)).toMatchObject({ ok: false, difference: { kind: "malformed", call: 0, output: 1 } });
  });

  it("never passes NaN", () => {
    expect(compareOutputs([[t(0.5, Number.NaN), t(1)], [t(2, 3), t(4)]], expected, tol).ok).toBe(false);
  });
});
