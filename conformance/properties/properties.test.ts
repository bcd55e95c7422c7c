import { describe, expect, it } from "vitest";
import { referenceEngine } from "../engines/reference.ts";
import { corpusCases } from "../mutants/gallery-cases.ts";
import { mutantByName } from "../mutants/index.ts";
import { naiveLstmEngine } from "../mutants/naive-lstm.ts";
import { parseFixtureJson } from "../fixtures/load.ts";
import { runProperties } from "./index.ts";

const fixtures = corpusCases("fixtures").cases;

describe("properties on the reference", () => {
  it("every property passes (fixture-anchored ones on the corpus), and reports cases per second", async () => {
    const started = performance.now();
    const results = await runProperties(referenceEngine, { numRuns: 60, seed: 424242, fixtures });
    const seconds = (performance.now() - started) / 1000;
    const notPassed = results.filter((r) => r.status !== "pass").map((r) => `${r.id}: ${r.status} ${r.message ?? ""}`);
    if (fixtures.length === 0) expect(notPassed.every((m) => m.includes("no fixture cases"))).toBe(true);
    else expect(notPassed).toEqual([]);
    const runs = results.reduce((n, r) => n + r.runs, 0);
    console.log(`properties: ${runs} cases in ${seconds.toFixed(2)} s = ${(runs / seconds).toFixed(0)} cases/s against the reference`);
    for (const r of results) expect(r.specSection).toMatch(/^spec\/lstm\.md §/);
    expect(results.find((r) => r.id === "agrees-with-reference")?.referenceChecked).toBe(true);
  });

  it("is reproducible: the same seed draws the same cases", async () => {
    const a = await runProperties(mutantByName("bias-twice")!.engine, { numRuns: 30, seed: 5, only: ["agrees-with-reference"] });
    const b = await runProperties(mutantByName("bias-twice")!.engine, { numRuns: 30, seed: 5, only: ["agrees-with-reference"] });
    expect(a[0]!.status).toBe("fail");
    expect(a[0]!.path).toBe(b[0]!.path);
    expect(a[0]!.counterexample).toEqual(b[0]!.counterexample);
  });
});

describe("each metamorphic property fails on at least one mutant", () => {
  // property id → a mutant whose flaw breaks it
  const killers: Record<string, string> = {
    "unit-permutation": "kernel-reshaped",
    "go-backwards-is-reversed-input": "backwards-re-reversed",
    "last-output-is-h": "state-swapped",
    "batch-rows-independent": "mask-row-zero",
    "halves-with-state-equal-whole": "initial-state-ignored",
    "masked-step-holds-state": "mask-ignored",
    "stateful-calls-continue": "stateful-not-carried",
    "agrees-with-reference": "gate-order-iofc",
    ...(fixtures.length > 0
      ? { "fixture-unit-permutation": "gate-order-icfo", "fixture-batch-rows": "bias-dropped", "fixture-input-sign-flip": "kernel-reshaped" }
      : {}),
  };
  for (const [id, mutant] of Object.entries(killers)) {
    it(`${id} fails on mutant ${mutant}, with a ready-to-run counterexample`, async () => {
      const [r] = await runProperties(mutantByName(mutant)!.engine, { numRuns: 80, seed: 99, fixtures, only: [id] });
      expect(r!.status, r!.message).toBe("fail");
      expect(r!.path).toBeTruthy();
      const parsed = parseFixtureJson(r!.counterexample, "(counterexample)");
      expect(parsed.errors).toEqual([]);
      expect(parsed.cases).toHaveLength(1);
    });
  }
});

describe("engines that lack a feature", () => {
  it("get unsupported, never pass, for the properties that need it", async () => {
    const full = naiveLstmEngine({ name: "limited" });
    const limited = { ...full, features: full.features.filter((f) => f !== "go_backwards" && f !== "stateful") };
    const results = await runProperties(limited, { numRuns: 5, seed: 1, only: ["go-backwards-is-reversed-input", "stateful-calls-continue"] });
    expect(results.map((r) => r.status)).toEqual(["unsupported", "unsupported"]);
  });
});
