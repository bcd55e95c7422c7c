import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { recurrentLayers, type FixtureCase, type LayerCase } from "./case.ts";
import type { Engine, EngineOutputs, Feature } from "./engine.ts";
import { DetailBudget, errorGrid, failureDetail, MAX_GRID_CELLS } from "./failure-detail.ts";
import { parseExpectations } from "./expectations.ts";
import { loadFixtureDir } from "./fixtures/load.ts";
import { specFile } from "./package-paths.ts";
import { fromJsonReport, toJsonReport } from "./reports/json.ts";
import { runSuite } from "./runner.ts";
import type { Tensor } from "./tensor.ts";
import { tinyCase, tinyFixtureFile, writeTinyCorpus, type TinyCaseOptions } from "./testing/tiny-fixture.ts";

const FEATURES: Feature[] = ["return_sequences", "return_state", "activation:tanh", "recurrent_activation:sigmoid"];
const TOL = { atol: 1e-5, rtol: 1e-5 };

function load(...options: TinyCaseOptions[]): FixtureCase[] {
  const dir = mkdtempSync(join(tmpdir(), "krc-detail-"));
  writeTinyCorpus(dir, { "t.json": tinyFixtureFile("t", options.map(tinyCase)) });
  const { cases, errors } = loadFixtureDir(dir);
  expect(errors).toEqual([]);
  return cases;
}

const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: Float32Array.from(t.data) });

/** Keras's own answers (right by construction; the re-run with return_sequences gets the per-step h), then `tamper`. */
function oracle(cases: readonly FixtureCase[], tamper: (out: Tensor[][], c: LayerCase) => void = () => undefined): Engine {
  const byId = new Map(cases.map((c) => [c.id, c]));
  return {
    name: "oracle",
    version: "1",
    features: FEATURES,
    run(c: LayerCase): EngineOutputs {
      const f = byId.get(c.id)!;
      const rerun = recurrentLayers(c).at(-1)!.config.return_sequences && !recurrentLayers(f).at(-1)!.config.return_sequences;
      const out = f.expected.map((e) => (rerun ? [copy(e.steps[0]!.h)] : e.outputs.map(copy)));
      tamper(out, c);
      return out;
    },
  };
}

describe("errorGrid", () => {
  const expected: Tensor = { shape: [2, 3, 2], data: Float32Array.from([0.5, -0.5, 0.1, 0.2, 0.3, 0.4, 1, 2, 3, 4, 5, 6]) };

  it("is all zero for the engine that returns Keras's values", () => {
    const g = errorGrid(0, 0, "output", copy(expected), expected, TOL);
    expect(g).toMatchObject({ timesteps: 3, rows: 3, units: 2, nonFinite: 0 });
    expect(g.absError).toEqual([0, 0, 0, 0, 0, 0]);
    expect(g.toleranceRatio).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("puts an error at its time step and unit, the largest over the batch, measured in tolerances", () => {
    const a = copy(expected);
    a.data[(0 * 3 + 1) * 2 + 1]! += 0.01; // batch 0, step 1, unit 1 (Keras 0.2)
    a.data[(1 * 3 + 1) * 2 + 1]! += 0.03; // batch 1, the same cell (Keras 4): the larger abs error wins
    a.data[(1 * 3 + 2) * 2 + 0] = NaN; // batch 1, step 2, unit 0
    const g = errorGrid(0, 0, "output", a, expected, TOL);
    expect(g.absError[1 * 2 + 1]).toBeCloseTo(0.03, 6);
    // and the larger ratio, each row against its own bound: 0.01 / (1e-5 + 1e-5·0.2) beats 0.03 / (1e-5 + 1e-5·4)
    expect(g.toleranceRatio[1 * 2 + 1]).toBeCloseTo(0.01 / 1.2e-5, -1);
    expect(g.absError[2 * 2 + 0]).toBe(Infinity);
    expect(g.toleranceRatio[2 * 2 + 0]).toBe(Infinity);
    expect(g.nonFinite).toBe(1);
    expect(g.absError.filter((x) => x !== 0)).toHaveLength(2);
  });

  it("a within-tolerance difference stays at or below 1; an output without a time axis is one row", () => {
    const e: Tensor = { shape: [1, 3], data: Float32Array.from([1, 2, 3]) };
    const a = copy(e);
    a.data[2]! += 2e-5; // bound 1e-5 + 3e-5
    const g = errorGrid(0, 1, "h", a, e, TOL);
    expect(g).toMatchObject({ timesteps: null, rows: 1, units: 3 });
    expect(g.toleranceRatio[2]).toBeGreaterThan(0);
    expect(g.toleranceRatio[2]).toBeLessThanOrEqual(1);
  });

  it("a long output keeps its first steps within MAX_GRID_CELLS", () => {
    const T = 3000, U = 3;
    const e: Tensor = { shape: [1, T, U], data: new Float32Array(T * U) };
    const g = errorGrid(0, 0, "output", copy(e), e, TOL);
    expect(g.rows * g.units).toBeLessThanOrEqual(MAX_GRID_CELLS);
    expect(g.rows).toBe(Math.floor(MAX_GRID_CELLS / U));
    expect(g.timesteps).toBe(T);
  });
});

describe("failureDetail", () => {
  it("follows the worst unit over time in the sequence output: Keras's values and the engine's", async () => {
    const [c] = load({ id: "t/seq/001", returnSequences: true, returnState: true, timesteps: 4, units: 3 });
    const actual = c!.expected.map((e) => e.outputs.map(copy));
    actual[0]![0]!.data[(1 * 4 + 2) * 3 + 2]! += 0.5; // batch 1, step 2, unit 2
    const worst = { call: 0, output: 0, outputName: "output", index: [1, 2, 2], batch: 1, timestep: 2, unit: 2, actual: 0, expected: 0 };
    const d = await failureDetail(c!, actual, worst, ["output", "h", "c"]);
    expect(d.grids.map((g) => g.outputName)).toEqual(["output", "h", "c"]);
    expect(d.series).toMatchObject({ call: 0, batch: 1, unit: 2, source: "sequence output" });
    const e = c!.expected[0]!.outputs[0]!;
    expect(d.series!.keras).toEqual(Array.from({ length: 4 }, (_, t) => Number(e.data[(1 * 4 + t) * 3 + 2]!.toPrecision(4))));
    expect(d.series!.engine[2]! - d.series!.keras[2]!).toBeCloseTo(0.5, 3);
    expect(d.series!.engine.filter((v, t) => v !== d.series!.keras[t])).toHaveLength(1);
    expect(d.layers[0]).toMatchObject({ className: "LSTM", config: { units: 3, return_sequences: true } });
  });

  it("re-runs a case without a sequence, and says why when it cannot", async () => {
    const cases = load({ id: "t/last/001", returnState: true, timesteps: 5 });
    const c = cases[0]!;
    const engine = oracle(cases, (out) => (out[0]![0]!.data[0]! += 1));
    const actual = (await engine.run(c)) as Tensor[][];
    const worst = { call: 0, output: 0, outputName: "output", index: [0, 0], batch: 0, timestep: null, unit: 0, actual: 0, expected: 0 };
    const d = await failureDetail(c, actual, worst, ["output", "h", "c"], async (m) => engine.run(m) as EngineOutputs);
    expect(d.series?.source).toBe("re-run with return_sequences");
    expect(d.series?.keras).toHaveLength(5);
    const without = await failureDetail(c, actual, worst, ["output", "h", "c"]);
    expect(without.series).toBeNull();
    expect(without.seriesNote).toMatch(/no sequence/);
    const failing = await failureDetail(c, actual, worst, ["output", "h", "c"], () => Promise.reject(new Error("boom")));
    expect(failing.seriesNote).toMatch(/failed: boom/);
  });
});

describe("the runner's details", () => {
  const cases = load(...Array.from({ length: 5 }, (_, i) => ({ id: `t/d/${String(i + 1).padStart(3, "0")}`, returnSequences: true })));

  it("a correct engine's verdicts carry none", async () => {
    const r = await runSuite(oracle(cases), cases, { diagnose: false });
    expect(r.cases.every((v) => v.status === "pass" && v.detail === undefined)).toBe(true);
  });

  it("only the first failing cases carry one (the budget), and known failures none", async () => {
    const wrong = oracle(cases, (out) => (out[0]![0]!.data[1]! += 0.1));
    const r = await runSuite(wrong, cases, { diagnose: false, detailedFailures: 2 });
    expect(r.cases.map((v) => v.detail !== undefined)).toEqual([true, true, false, false, false]);
    expect(r.cases[0]!.detail!.grids[0]!.toleranceRatio.some((x) => x > 1)).toBe(true);
    const { expectations } = parseExpectations("t/d/001 fail known\n", "e.txt");
    const known = await runSuite(wrong, cases, { diagnose: false, detailedFailures: 2, expectations });
    expect(known.cases.map((v) => v.detail !== undefined)).toEqual([false, true, true, false, false]);
  });

  it("the budget counts down", () => {
    const b = new DetailBudget(1);
    expect([b.take(), b.take()]).toEqual([true, false]);
  });
});

describe("the detail in the JSON report", () => {
  it("validates against spec/report.schema.json, NaN and all, reads back, and the schema refuses a malformed one", async () => {
    const cases = load({ id: "t/j/seq/001", returnSequences: true, returnState: true }, { id: "t/j/last/001", returnState: true });
    const nan = oracle(cases, (out, c) => {
      if (c.id.includes("seq")) out[0]![0]!.data[0] = NaN;
      // the re-run's one sequence is left as Keras's: the series then shows a difference only in what is returned
      else if (out[0]!.length > 1) out[0]![1]!.data[1]! += 1;
    });
    const result = await runSuite(nan, cases, { diagnose: false });
    expect(result.cases.map((v) => v.detail?.series?.source)).toEqual(["sequence output", "re-run with return_sequences"]);
    const text = toJsonReport(result);
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(specFile("report.schema.json"), "utf8")) as object);
    const json = JSON.parse(text) as { cases: { detail: { grids: { rows: unknown }[] } }[] };
    expect(validate(json), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(text).toMatch(/"absError": \[\s+"Infinity",/);
    const back = fromJsonReport(text);
    expect(back.cases[0]!.detail!.grids[0]!.absError[0]).toBe(Infinity);
    expect(back.cases[0]!.detail!.series!.engine[0]).toBeNaN();
    json.cases[0]!.detail.grids[0]!.rows = "3";
    expect(validate(json)).toBe(false);
  });
});
