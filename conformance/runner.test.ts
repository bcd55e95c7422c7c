import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lstmLayers, type FixtureCase, type LayerCase } from "./case.ts";
import { UnsupportedCaseError, type Engine, type EngineOutputs, type Feature } from "./engine.ts";
import { parseExpectations } from "./expectations.ts";
import { mutantByName } from "./mutants/index.ts";
import { corpusCases } from "./mutants/gallery-cases.ts";
import { loadFixtureDir } from "./fixtures/load.ts";
import { runSuite, runWithTimeout } from "./runner.ts";
import type { Tensor } from "./tensor.ts";
import { tinyCase, tinyFixtureFile, writeTinyCorpus, type TinyCaseOptions } from "./testing/tiny-fixture.ts";

const ALL: Feature[] = ["return_sequences", "return_state", "go_backwards", "initial_state", "mask", "stateful", "activation:tanh", "recurrent_activation:sigmoid"];

function load(...options: TinyCaseOptions[]): FixtureCase[] {
  const dir = mkdtempSync(join(tmpdir(), "krc-run-"));
  writeTinyCorpus(dir, { "t.json": tinyFixtureFile("t", options.map(tinyCase)) });
  const { cases, errors } = loadFixtureDir(dir);
  expect(errors).toEqual([]);
  return cases;
}

/** Returns Keras's answers (an engine that is right by construction), passed through `tamper`. */
function oracle(cases: readonly FixtureCase[], tamper: (out: Tensor[][], c: LayerCase) => unknown = (o) => o, features = ALL): Engine {
  const byId = new Map(cases.map((c) => [c.id, c]));
  return {
    name: "oracle",
    version: "1",
    features,
    run(c: LayerCase): EngineOutputs {
      const f = byId.get(c.id)!;
      const sequences = lstmLayers(c).at(-1)!.config.return_sequences && !lstmLayers(f).at(-1)!.config.return_sequences;
      // The runner's re-run asks for the per-step h: Keras's `steps` are exactly that.
      const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: Float32Array.from(t.data) });
      const out = f.expected.map((e) => (sequences ? [copy(e.steps[0]!.h)] : e.outputs.map(copy)));
      return tamper(out, c) as EngineOutputs;
    },
  };
}

const run = (engine: Engine, cases: FixtureCase[], timeoutMs = 2000) => runSuite(engine, cases, { diagnose: false, timeoutMs });

describe("runSuite", () => {
  it("passes an engine that returns Keras's outputs, with the error statistics", async () => {
    const cases = load({ id: "t/001" }, { id: "t/002", returnState: true, returnSequences: true });
    const r = await run(oracle(cases), cases);
    expect(r.cases.map((v) => v.status)).toEqual(["pass", "pass"]);
    expect(r.cases[0]).toMatchObject({ maxAbs: 0, maxRel: 0, message: "", family: "t", core: true });
    expect(r.cases[1]!.core).toBe(false);
    expect(r.conformant).toBe(true);
    expect(r.counts.pass).toBe(2);
    expect(r.cases[0]!.reproduce).toBeUndefined();
  });

  it("never passes a wrong value: fail with location, first divergence and reproduction", async () => {
    const cases = load({ id: "t/001", returnSequences: true, timesteps: 4 });
    const engine = oracle(cases, (out) => {
      out[0]![0]!.data[(1 * 4 + 2) * 2 + 1]! += 0.5; // batch 1, step 2, unit 1
      return out;
    });
    const [v] = (await run(engine, cases)).cases;
    expect(v).toMatchObject({ status: "fail", worst: { call: 0, output: 0, batch: 1, timestep: 2, unit: 1 } });
    expect(v!.maxAbs).toBeCloseTo(0.5, 5);
    expect(v!.firstDivergence).toMatchObject({ timestep: 2, batch: 1, unit: 1, source: "sequence output" });
    expect(v!.message).toMatch(/^output 0 \(output\): max abs 5\.00e-1 at \(1, 2, 1\).*first divergence at step 2 \(batch 1, unit 1\)/);
    expect(v!.reproduce).toBe("npx keras-rnn-conformance --engine oracle --filter t/001");
  });

  it("finds the first divergence of a last-step output by re-running with return_sequences", async () => {
    const cases = load({ id: "t/001", timesteps: 5 });
    const engine = oracle(cases, (out) => {
      const t = out[0]![0]!;
      if (t.shape.length === 3) t.data[(0 * 5 + 3) * 2 + 0]! += 1; // step 3 in the re-run
      else t.data[0]! += 1;
      return out;
    });
    const [v] = (await run(engine, cases)).cases;
    expect(v!.status).toBe("fail");
    expect(v!.firstDivergence).toMatchObject({ timestep: 3, batch: 0, unit: 0, source: "re-run with return_sequences" });
  });

  it("treats NaN as a failure, named non-finite", async () => {
    const cases = load({ id: "t/001" });
    const [v] = (await run(oracle(cases, (o) => (o[0]![0]!.data.fill(NaN), o)), cases)).cases;
    expect(v!.status).toBe("fail");
    expect(v!.message).toMatch(/non-finite: 4 NaN\/Inf value\(s\)/);
    expect(v!.maxAbs).toBe(Infinity);
  });

  it("fails too few outputs, with what Keras returns", async () => {
    const cases = load({ id: "t/001", returnState: true });
    const [v] = (await run(oracle(cases, (o) => [o[0]!.slice(0, 1)]), cases)).cases;
    expect(v).toMatchObject({ status: "fail", message: "returned 1 output(s), Keras returns 3 ([output, h, c]) with return_state" });
  });

  it("fails outputs in the wrong order and says which Keras output they equal", async () => {
    const cases = load({ id: "t/001", returnState: true });
    const [v] = (await run(oracle(cases, (o) => [[o[0]![0], o[0]![2], o[0]![1]]]), cases)).cases;
    expect(v!.status).toBe("fail");
    expect(v!.message).toMatch(/output 1 \(h\): .* it equals Keras's c: outputs in the wrong order\?/);
  });

  it("fails a wrong shape", async () => {
    const cases = load({ id: "t/001", returnSequences: true });
    const [v] = (await run(oracle(cases, () => [[{ shape: [2, 2], data: new Float32Array(4) }]]), cases)).cases;
    expect(v).toMatchObject({ status: "fail", message: "output 0 (output): shape (2, 2) where Keras has (2, 3, 2) (return_sequences=true asks for every step)" });
  });

  it("reports plain-array data, a throw and a non-array as errors", async () => {
    const cases = load({ id: "t/001" });
    const plain = oracle(cases, (o) => [[{ shape: o[0]![0]!.shape, data: Array.from(o[0]![0]!.data) }]]);
    expect((await run(plain, cases)).cases[0]).toMatchObject({ status: "error", message: expect.stringMatching(/dtype: data is an array; engines return Float32Array/) });
    const thrower = oracle(cases, () => {
      throw new RangeError("units too large");
    });
    expect((await run(thrower, cases)).cases[0]).toMatchObject({ status: "error", message: "engine threw: RangeError: units too large" });
    expect((await run(oracle(cases, () => undefined), cases)).cases[0]!.message).toMatch(/run\(\) returned undefined/);
    const r = await run(thrower, cases);
    expect(r.conformant).toBe(false);
    expect(r.cases[0]!.reproduce).toMatch(/--filter t\/001/);
  });

  it("times out an engine that never answers and goes on with the next case", async () => {
    const cases = load({ id: "t/001" }, { id: "t/002" });
    const good = oracle(cases);
    const engine: Engine = { ...good, run: (c) => (c.id === "t/001" ? new Promise<EngineOutputs>(() => {}) : good.run(c)) };
    const r = await run(engine, cases, 100);
    expect(r.cases.map((v) => [v.status, v.message])).toEqual([["error", "timed out after 100 ms"], ["pass", ""]]);
  });

  it("reports a synchronous engine that returned after its deadline as timed out", async () => {
    await expect(
      runWithTimeout(() => {
        const until = performance.now() + 30;
        while (performance.now() < until);
        return 1;
      }, 10),
    ).rejects.toThrow(/more than the 10 ms timeout/);
  });

  it("marks cases needing undeclared features unsupported, without running them", async () => {
    const cases = load({ id: "t/001", goBackwards: true, mask: true });
    let ran = false;
    const engine: Engine = { name: "x", version: "1", features: ["activation:tanh", "recurrent_activation:sigmoid"], run: () => ((ran = true), []) };
    const r = await run(engine, cases);
    expect(r.cases[0]).toMatchObject({ status: "unsupported", message: "engine does not implement: go_backwards, mask" });
    expect(ran).toBe(false);
    expect(r.level).toBe("none");
    // Nothing passed: running nothing is not conformance.
    expect(r.conformant).toBe(false);
    const more = load({ id: "t/001", goBackwards: true }, { id: "t/002" });
    const partial = await run(oracle(more, (o) => o, ["activation:tanh", "recurrent_activation:sigmoid"]), more);
    expect(partial.cases.map((v) => v.status)).toEqual(["unsupported", "pass"]);
    expect(partial.conformant).toBe(true);
    // A core case unsupported (no tanh): not conformant.
    const noTanh = await run(oracle(more, (o) => o, ["go_backwards", "activation:relu"]), more);
    expect(noTanh.conformant).toBe(false);
  });

  it("reports an UnsupportedCaseError as unsupported with its reason", async () => {
    const cases = load({ id: "t/001", mask: true });
    const engine = oracle(cases, () => {
      throw new UnsupportedCaseError("a mask with a hole cannot be passed as sequence_lens");
    }, [...ALL]);
    const [v] = (await run(engine, cases)).cases;
    expect(v).toMatchObject({ status: "unsupported", message: "engine cannot run this case: a mask with a hole cannot be passed as sequence_lens" });
  });

  it("never shows the engine Keras's answers", async () => {
    const cases = load({ id: "t/001" });
    let seen: object = {};
    await run({ ...oracle(cases), run: (c) => ((seen = c), []) }, cases);
    expect(Object.keys(seen).sort()).toEqual(["calls", "dialect", "id", "layers"]);
  });

  it("applies expectations: known failures, unexpected passes, skips and stale entries", async () => {
    const cases = load({ id: "t/a/001" }, { id: "t/a/002" }, { id: "t/b/001" });
    const { expectations, errors } = parseExpectations(
      ["# ours", "t/a/001 fail gate order bug #3", "t/a/002 fail fixed already?", "t/b skip no API for this", "t/zzz fail stale"].join("\n"),
      "exp.txt",
    );
    expect(errors).toEqual([]);
    const engine = oracle(cases, (o, c) => (c.id === "t/a/001" ? (o[0]![0]!.data[0]! += 1, o) : o));
    const r = await runSuite(engine, cases, { diagnose: false, expectations });
    expect(r.cases.map((v) => v.status)).toEqual(["known-failure", "unexpected-pass", "skip"]);
    expect(r.cases[1]!.message).toMatch(/passed, but exp\.txt:3 lists it as failing/);
    expect(r.warnings).toEqual(['exp.txt:5: "t/zzz" matches no case; remove it or fix the id']);
    expect(r.conformant).toBe(false);
    expect(r.counts).toMatchObject({ pass: 0, "known-failure": 1, "unexpected-pass": 1, skip: 1 });
    const lenient = await runSuite(engine, cases, { diagnose: false, expectations, strictExpectations: false });
    // an unexpected pass is tolerated, but it is no evidence: nothing passed that was meant to (spec/adapter.md §4.3)
    expect(lenient).toMatchObject({ verdict: "no-evidence", conformant: false, exitCode: 1 });
  });

  it("applies expectations to properties too (spec/adapter.md §5): known failure, skip, no stale warning", async () => {
    const cases = load({ id: "t/a/001" });
    const mutant = mutantByName("mask-ignored")!.engine;
    const props = { numRuns: 40, seed: 99, fixtures: [] };
    const without = await runSuite(mutant, cases, { diagnose: false, properties: props });
    expect(without.properties.find((p) => p.id === "property/masked-step-holds-state")?.status).toBe("fail");
    const { expectations } = parseExpectations(
      ["property/masked-step-holds-state fail ignores masks", "property/agrees-with-reference fail ignores masks", "property/unit-permutation skip slow", "property/nonexistent fail typo"].join("\n"),
      "exp.txt",
    );
    const r = await runSuite(mutant, cases, { diagnose: false, expectations, properties: props });
    const byId = new Map(r.properties.map((p) => [p.id, p]));
    expect(byId.get("property/masked-step-holds-state")).toMatchObject({ status: "known-failure", expectation: { kind: "fail", reason: "ignores masks" } });
    expect(byId.get("property/masked-step-holds-state")!.message).toMatch(/^known failure \(ignores masks\)/);
    expect(byId.get("property/unit-permutation")).toMatchObject({ status: "skip", runs: 0 });
    expect(r.properties.map((p) => p.id).indexOf("property/unit-permutation")).toBe(0); // order kept
    expect(r.warnings).toEqual(['exp.txt:4: "property/nonexistent" matches no case; remove it or fix the id']);
    expect(r.properties.filter((p) => p.status === "fail").map((p) => p.id)).not.toContain("property/masked-step-holds-state");
  });
});

describe("runSuite with an in-process engine it cannot isolate: whatever the engine hands back becomes a verdict", () => {
  const hostile = async (name: string) => ((await import(`./mutants/hostile/${name}.ts`)) as { default: Engine }).default;
  const cases = () => corpusCases("fixtures").cases.filter((c) => c.id === "lstm/sizes/input_dim_1/001");

  it.each([
    ["throws-null-prototype", /^engine threw: a non-Error object with no prototype$/],
    ["throwing-getter", /^the engine's outputs cannot be read as plain data/],
    ["proxy-outputs", /^the engine's outputs cannot be read as plain data \(DataCloneError/],
    ["background-throw", /^engine's background work threw while it computed this case: Error: background work failed/],
    ["unhandled-rejection", /^engine's background work threw while it computed this case: Error: nobody awaited this/],
  ])("%s: an error verdict, the run goes on", async (name, message) => {
    const r = await runSuite(await hostile(name), cases(), { diagnose: false });
    expect(r.cases[0]).toMatchObject({ status: "error" });
    expect(r.cases[0]!.message).toMatch(message);
    expect(r).toMatchObject({ verdict: "not-conformant", exitCode: 1 });
  });

  it.each(["fake-typed-array", "cyclic-outputs"])("%s: a failure, never a pass", async (name) => {
    const r = await runSuite(await hostile(name), cases(), { diagnose: false });
    expect(["fail", "error"]).toContain(r.cases[0]!.status);
    expect(r.exitCode).toBe(1);
  });
});
