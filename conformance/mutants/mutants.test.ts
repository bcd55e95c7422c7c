import { beforeAll, describe, expect, it } from "vitest";
import type { FixtureCase } from "../case.ts";
import { diagnose, diagnosisNames } from "../diagnose.ts";
import { referenceEngine } from "../engines/reference.ts";
import { runSuite } from "../runner.ts";
import { corpusCases, generatedCases, lstmOnly } from "./gallery-cases.ts";
import { engine as forgetBiasPlusOne } from "./forget-bias-plus-one.ts";
import { harnessMutants, mathMutants, mutants } from "./index.ts";
import { judgeMutant, killRateTable, type MutantVerdict } from "./kill-rate.ts";
import { naiveLstmEngine } from "./naive-lstm.ts";

let cases: FixtureCase[] = [];
const verdicts: MutantVerdict[] = [];

beforeAll(async () => {
  const corpus = corpusCases("fixtures");
  expect(corpus.errors).toEqual([]);
  // the gallery is of LSTM engines: cases of other layers are not theirs to fail
  cases = [...lstmOnly(corpus.cases), ...(await generatedCases(40, 20240601))];
});

describe("the reference and the unflawed naive LSTM", () => {
  it("the reference passes every case and gets no diagnosis", async () => {
    const suite = await runSuite(referenceEngine, cases);
    const notPassed = suite.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.status} ${v.message}`);
    expect(notPassed).toEqual([]);
    expect(suite.cases.every((v) => v.diagnosis === null)).toBe(true);
  });

  it("the naive LSTM without flaws passes every case, so each mutant's failures come from its flaw", async () => {
    const suite = await runSuite(naiveLstmEngine({ name: "naive" }), cases, { diagnose: false });
    expect(suite.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.message}`)).toEqual([]);
  });

  it("diagnose returns null for outputs that pass", async () => {
    const c = cases.at(-1)!;
    expect(await diagnose(referenceEngine, c, await referenceEngine.run(c))).toBeNull();
  });
});

describe("diagnoses a case cannot tell apart", () => {
  it("names both bias-twice and forget-bias-plus-one under Keras's default bias (zeros, forget block 1.0)", async () => {
    const c = cases.find((k) => k.id === "lstm/initializers/keras_default/001");
    expect(c, "corpus case lstm/initializers/keras_default/001").toBeDefined();
    const d = await diagnose(forgetBiasPlusOne, c!, await forgetBiasPlusOne.run(c!));
    expect(diagnosisNames(d, "forget-bias-plus-one")).toBe(true);
    expect(diagnosisNames(d, "bias-twice")).toBe(true);
    expect([d!.hypothesis, ...(d!.alternatives ?? [])].sort()).toEqual(expect.arrayContaining(["bias-twice", "forget-bias-plus-one"]));
    expect(d!.explanation).toMatch(/or equivalently/);
  });
});

describe("the mutant gallery", () => {
  it("has at least 12 math mutants with distinct names, each naming a known hypothesis", () => {
    expect(mathMutants.length).toBeGreaterThanOrEqual(12);
    expect(new Set(mutants.map((m) => m.name)).size).toBe(mutants.length);
    for (const m of mathMutants) expect(m.engine.name).toBe(`mutant:${m.name}`);
  });

  for (const m of mathMutants) {
    it(`${m.name}: killed, and diagnosed as ${m.expectedHypothesis}`, async () => {
      const v = await judgeMutant(m, cases, 4);
      verdicts.push(v);
      expect(v.killed, `${m.name} passed every case`).toBe(true);
      expect(v.right, `${m.name}: no failing case got the diagnosis ${m.expectedHypothesis}`).toBeGreaterThanOrEqual(1);
      expect(v.wrong).toEqual({});
    });
  }

  for (const m of harnessMutants) {
    it(`${m.name}: never passes and gets no diagnosis`, async () => {
      const suite = await runSuite(m.engine, cases.slice(0, 12));
      expect(suite.cases.every((v) => v.status === "fail" || v.status === "error")).toBe(true);
      expect(suite.cases.every((v) => v.diagnosis === null)).toBe(true);
      expect(suite.conformant).toBe(false);
    });
  }

  it("records the kill rate", () => {
    // printed for the project's notes (the lead copies it into the report)
    console.log(killRateTable(verdicts));
    expect(verdicts.filter((v) => v.killed).length).toBe(verdicts.length);
  });
});
