import { describe, expect, it } from "vitest";
import type { LayerCase } from "../case.ts";
import { UnsupportedCaseError, type Engine } from "../engine.ts";
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

describe("engines that decline some cases (UnsupportedCaseError, spec/adapter.md §2)", () => {
  const naive = naiveLstmEngine({ name: "declines-masks" });
  // like ONNX's sequence_lens: only right padding (valid steps first) can be expressed
  const hasHole = (c: LayerCase): boolean =>
    c.calls.some((k) => k.mask !== undefined && Array.from(k.mask.data).some((v, i, d) => v === 1 && i % k.mask!.shape[1]! > 0 && d[i - 1] === 0));

  it("discards a declined case instead of counting a violation", async () => {
    // declines masks with holes, otherwise correct: the property must pass, noting the discards
    const engine: Engine = { ...naive, run: (c) => { if (hasHole(c)) throw new UnsupportedCaseError("no masks with holes here"); return naive.run(c); } };
    const [r] = await runProperties(engine, { numRuns: 40, seed: 3, only: ["agrees-with-reference"] });
    expect(r!.status, r!.message).toBe("pass");
    expect(r!.message).toMatch(/declined \d+ of \d+ drawn case\(s\).*no masks with holes here/);
  });

  it("reports unsupported, with the reason, when the engine declines most drawn cases", async () => {
    const engine: Engine = { ...naive, run: () => { throw new UnsupportedCaseError("declines everything"); } };
    const [r] = await runProperties(engine, { numRuns: 20, seed: 3, only: ["agrees-with-reference"] });
    expect(r!.status).toBe("unsupported");
    expect(r!.message).toMatch(/declines everything/);
  });

  it("recognises the error by name, as it arrives from another process", async () => {
    const foreign = Object.assign(new Error("unsupported: sequence_lens"), { name: "UnsupportedCaseError" });
    const engine: Engine = { ...naive, run: () => { throw foreign; } };
    const [r] = await runProperties(engine, { numRuns: 10, seed: 3, only: ["masked-step-holds-state"] });
    expect(r!.status).toBe("unsupported");
  });
});

describe("fixture-anchored properties and the engine's expectations", () => {
  it("never draw an excluded case", async () => {
    const drawn = new Set<string>();
    const naive = naiveLstmEngine({ name: "records" });
    const engine: Engine = { ...naive, run: (c) => { drawn.add(c.id); return naive.run(c); } };
    const excluded = (id: string): boolean => id.startsWith("lstm/masking");
    expect(fixtures.some((c) => excluded(c.id))).toBe(true);
    const results = await runProperties(engine, { numRuns: 60, seed: 8, fixtures, exclude: excluded, only: ["fixture-batch-rows", "fixture-input-sign-flip"] });
    expect(results.map((r) => r.status)).toEqual(["pass", "pass"]);
    expect(drawn.size).toBeGreaterThan(0);
    expect([...drawn].filter((id) => fixtures.some((c) => c.id === id))).toEqual([...drawn]); // transforms keep the id
    expect([...drawn].filter(excluded)).toEqual([]);
  });

  it("report unsupported when every usable case is excluded", async () => {
    const [r] = await runProperties(referenceEngine, { numRuns: 5, seed: 1, fixtures, exclude: () => true, only: ["fixture-batch-rows"] });
    expect(r!.status).toBe("unsupported");
    expect(r!.message).toMatch(/excluded/);
  });
});
