import { describe, expect, it } from "vitest";
import { BASE_TOLERANCE, policyTolerance } from "./tolerance-policy.ts";

describe("policyTolerance (spec/tolerance.md §4)", () => {
  it("is 1e-5 up to 1000 steps, grows with sqrt beyond, capped at 1e-3", () => {
    expect(policyTolerance(100)).toEqual({ atol: 1e-5, rtol: 1e-5 });
    expect(policyTolerance(1000)).toEqual({ atol: 1e-5, rtol: 1e-5 });
    // lstm/long's T = 2000 cases: 1e-5 · sqrt(2) to three digits, as scripts/keras_fixtures/tolerance.py writes it
    expect(policyTolerance(2000)).toEqual({ atol: 1.41e-5, rtol: 1.41e-5 });
    expect(policyTolerance(4000)).toEqual({ atol: 2e-5, rtol: 2e-5 });
    expect(policyTolerance(1e12)).toEqual({ atol: 1e-3, rtol: 1e-3 });
  });
});

describe("BASE_TOLERANCE", () => {
  it("is the policy within the measured range", () => {
    expect(BASE_TOLERANCE).toEqual({ atol: 1e-5, rtol: 1e-5 });
  });
});
