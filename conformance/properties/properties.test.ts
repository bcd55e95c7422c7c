import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LayerCase } from "../case.ts";
import { UnsupportedCaseError, type Engine, type EngineOutputs } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import { corpusCases } from "../mutants/gallery-cases.ts";
import { mutantByName } from "../mutants/index.ts";
import { naiveLstmEngine } from "../mutants/naive-lstm.ts";
import { parseFixtureJson } from "../fixtures/load.ts";
import { checkOutputs } from "../outputs.ts";
import { trivialEngines } from "../testing/trivial-engines.ts";
import { caseSpecArbitrary, LONG_SEQUENCES } from "./arbitraries.ts";
import { metamorphicProperties } from "./metamorphic.ts";
import { LONG_FRACTION, properties, runProperties, type PropertyResult } from "./index.ts";

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

describe("evidence: a property counts only if every trivial engine fails it (spec/adapter.md §4.3)", () => {
  it("the trivial engines return outputs of Keras's form for every corpus case", async () => {
    for (const engine of trivialEngines) {
      for (const c of fixtures) {
        const checked = checkOutputs(await engine.run(structuredClone(c)), c);
        expect(checked.ok, `${engine.name} on ${c.id}: ${checked.ok ? "" : checked.message}`).toBe(true);
      }
    }
  });

  it("every property with evidence true fails on every trivial engine; each with evidence false is passed by one", async () => {
    if (fixtures.length === 0) return; // the fixture-anchored properties cannot run: nothing to prove
    const failsOn = new Map<string, string[]>(properties.map((p) => [p.id, []]));
    const passesOn = new Map<string, string[]>(properties.map((p) => [p.id, []]));
    for (const engine of trivialEngines) {
      const results = await runProperties(engine, { numRuns: 100, seed: 1, fixtures });
      expect(results.map((r) => r.id)).toEqual(properties.map((p) => p.id));
      for (const r of results) {
        // well-formed outputs for every case: a trivial engine fails by its values, never by an error
        expect(["pass", "fail"], `${r.id} on ${engine.name}: ${r.status} ${r.message ?? ""}`).toContain(r.status);
        (r.status === "fail" ? failsOn : passesOn).get(r.id)!.push(engine.name);
      }
    }
    const table = properties.map((p) => `${p.id} (evidence ${p.evidence}): fails on [${failsOn.get(p.id)!.join(", ")}], passes on [${passesOn.get(p.id)!.join(", ")}]`);
    console.log(`properties on the trivial engines:\n${table.join("\n")}`);
    const provedEvidence = properties.filter((p) => passesOn.get(p.id)!.length === 0).map((p) => p.id);
    expect(properties.filter((p) => p.evidence).map((p) => p.id)).toEqual(provedEvidence);
    expect(provedEvidence).toContain("agrees-with-reference");
  });

  it("every result carries its property's evidence flag, also unsupported and error ones", async () => {
    const limited: Engine = { ...referenceEngine, features: [] };
    const results = await runProperties(limited, { numRuns: 5, seed: 1 });
    for (const r of results) expect(r.evidence, r.id).toBe(properties.find((p) => p.id === r.id)!.evidence);
    const throwing: Engine = { ...referenceEngine, run: () => { throw new Error("no"); } };
    const [r] = await runProperties(throwing, { numRuns: 5, seed: 1, only: ["agrees-with-reference"] });
    expect(r).toMatchObject({ status: "error", evidence: true });
  });
});

/** The reference, except that every output computed at processing step 256 or later is off by 1e-3 (a 256-step buffer bug). */
const wrongPastStep256: Engine = {
  ...referenceEngine,
  name: "wrong-past-step-256",
  async run(c) {
    const out = await referenceEngine.run(c);
    return out.map((call, k) => {
      const T = c.calls[k]!.x.shape[1]!;
      return call.map((t) => {
        const data = Float32Array.from(t.data);
        const u = t.shape.at(-1)!;
        // (B, T, u): the steps from 256 on; (B, u): the last step's output or state, wrong once T > 256
        if (t.shape.length === 3) data.forEach((v, i) => { if (Math.floor(i / u) % T >= 256) data[i] = v + 1e-3; });
        else if (T > 256) data.forEach((v, i) => { data[i] = v + 1e-3; });
        return { shape: t.shape, data };
      });
    });
  },
};

describe("long sequences (T in the hundreds)", () => {
  it("are about one drawn case in twenty, small and with bounded activations; none unless asked", () => {
    const specs = fc.sample(caseSpecArbitrary({ features: referenceEngine.features, longFraction: LONG_FRACTION }), { numRuns: 2000, seed: 1 });
    const long = specs.filter((s) => s.timesteps >= LONG_SEQUENCES.minTimesteps);
    expect(long.length / specs.length).toBeGreaterThan(0.03);
    expect(long.length / specs.length).toBeLessThan(0.07);
    expect(long.every((s) => s.timesteps <= LONG_SEQUENCES.maxTimesteps && s.units <= LONG_SEQUENCES.maxUnits && s.batch <= LONG_SEQUENCES.maxBatch && s.activation !== "relu")).toBe(true);
    expect(long.some((s) => s.timesteps > 256)).toBe(true);
    const plain = fc.sample(caseSpecArbitrary({ features: referenceEngine.features }), { numRuns: 2000, seed: 1 });
    expect(Math.max(...plain.map((s) => s.timesteps))).toBeLessThanOrEqual(12);
  });

  it("catch an engine that goes wrong after step 256, with the default run count and seed", async () => {
    const results = await runProperties(wrongPastStep256, { numRuns: 100, seed: 1, fixtures });
    const caught = results.filter((r) => r.evidence && r.status === "fail").map((r) => r.id);
    expect(caught).toContain("agrees-with-reference");
    const shrunk = results.find((r) => r.id === "agrees-with-reference")!.counterexample as { cases: [{ calls: [{ inputs: { x: { shape: number[] } } }] }] };
    const shape = shrunk.cases[0].calls[0].inputs.x.shape;
    console.log(`wrong past step 256: caught by ${caught.join(", ")}; shrunk counterexample x ${JSON.stringify(shape)}`);
    expect(shape[1]).toBeGreaterThan(256);
  });

  it("are what catches it: without them every generated property passes", async () => {
    // no fixtures: a long corpus case (lstm/long) would catch it too, and this is about the drawn cases
    const results = await runProperties(wrongPastStep256, { numRuns: 100, seed: 1, longFraction: 0, only: metamorphicProperties.map((p) => p.id) });
    expect(results.filter((r) => r.status !== "pass").map((r) => r.id)).toEqual([]);
  });
});

describe("engines that answer badly get an error result, never a crash (spec/adapter.md §3, §4.1)", () => {
  const asReference = (transform: (out: EngineOutputs) => unknown): Engine => ({
    ...referenceEngine,
    run: async (c) => transform(await referenceEngine.run(c)) as EngineOutputs,
  });

  it("plain arrays instead of Float32Array: a dtype message", async () => {
    const engine = asReference((out) => out.map((call) => call.map((t) => ({ shape: t.shape, data: Array.from(t.data) }))));
    const [r] = await runProperties(engine, { numRuns: 5, seed: 1, only: ["last-output-is-h"] });
    expect(r!.status).toBe("error");
    expect(r!.message).toMatch(/dtype: data is an array; engines return Float32Array/);
    expect(r!.message).not.toMatch(/is not a function/);
  });

  it("a wrong shape: a failure naming the shapes", async () => {
    const engine = asReference((out) => out.map((call) => call.map((t) => ({ shape: [...t.shape].reverse(), data: t.data }))));
    const [r] = await runProperties(engine, { numRuns: 20, seed: 1, only: ["agrees-with-reference"] });
    expect(r!.status).toBe("fail");
    expect(r!.message).toMatch(/shape \(.*\) where Keras has/);
  });

  it("Float64Array data is accepted (spec/adapter.md §3)", async () => {
    const engine = asReference((out) => out.map((call) => call.map((t) => ({ shape: t.shape, data: Float64Array.from(t.data) }))));
    const [r] = await runProperties(engine, { numRuns: 20, seed: 1, only: ["agrees-with-reference", "unit-permutation"] });
    expect(r!.status, r!.message).toBe("pass");
  });

  it("a thrown value without toString: a readable error", async () => {
    const engine: Engine = { ...referenceEngine, run: () => { throw Object.create(null); } };
    const results = await runProperties(engine, { numRuns: 5, seed: 1, fixtures, only: ["unit-permutation", "fixture-batch-rows"] });
    expect(results.map((r) => r.status)).toEqual(["error", "error"]);
    expect(results[0]!.message).toMatch(/^engine threw: a non-Error \w/);
    expect(results[1]!.message).toMatch(/^engine threw on lstm\/.*: a non-Error \w/);
  });

  it("a rejected promise with a string, or an object whose getters throw: readable errors", async () => {
    const hostile = Object.defineProperty({}, "message", { get: () => { throw new Error("gotcha"); } });
    for (const thrown of ["plain string", hostile, Symbol("s"), undefined]) {
      const engine: Engine = { ...referenceEngine, run: () => Promise.reject(thrown) };
      const [r] = await runProperties(engine, { numRuns: 3, seed: 1, only: ["agrees-with-reference"] });
      expect(r!.status).toBe("error");
      expect(r!.message).toMatch(/^engine threw: \S/);
    }
  });

  it("outputs that cannot be copied as data (a function): an error", async () => {
    const [r] = await runProperties(asReference(() => [[() => 0]]), { numRuns: 3, seed: 1, only: ["agrees-with-reference"] });
    expect(r!.status).toBe("error");
    expect(r!.message).toMatch(/cannot be read as plain data/);
  });
});

// the result type is what the runner reads: keep `evidence` in it
const _typed: (r: PropertyResult) => boolean = (r) => r.evidence;
void _typed;
