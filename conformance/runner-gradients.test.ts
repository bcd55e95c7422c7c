/**
 * Gradient cases in the runner (spec/gradients.md §7): out of scope without the capability, judged
 * toward full with it, never a pass by default; whatever gradients() does becomes the case's verdict
 * and the run goes on; reports carry them. Runs on the committed Keras gradient corpus.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { UnsupportedCaseError, type Engine, type EngineGradients } from "./engine.ts";
import { referenceEngine } from "./engines/reference.ts";
import { loadFixtureDir } from "./fixtures/load.ts";
import type { GradientCase, GradientRequest } from "./gradients/case.ts";
import { requiredFeatures } from "./features.ts";
import { isCoreCase, levelReached } from "./levels.ts";
import { defaultFixturesDir, specFile } from "./package-paths.ts";
import { renderReport } from "./reports/index.ts";
import { runSuite } from "./runner.ts";
import type { Tensor } from "./tensor.ts";

const loaded = loadFixtureDir(defaultFixturesDir());
const gradientCases = loaded.gradientCases ?? [];
/** One case per family: enough to show a rule, fast. */
const sample = [...new Map(gradientCases.map((c) => [c.id.split("/").slice(0, 3).join("/"), c])).values()];
/** A few core forward cases, so that a run has a level. */
const forward = loaded.cases.filter((c) => isCoreCase(requiredFeatures(c))).slice(0, 3);

const withoutGradients: Engine = { name: "no-gradients", version: "0", features: referenceEngine.features.filter((f) => f !== "gradients"), run: referenceEngine.run };
const gradientEngine = (name: string, gradients: (req: GradientRequest) => EngineGradients | Promise<EngineGradients>): Engine => ({ ...referenceEngine, name, gradients });

const filled = <T extends { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>(t: T, f: (v: number) => number): Tensor => ({ shape: [...t.shape], data: Float32Array.from(t.data, f) });
/** The expected gradients of a case, transformed: a test's way to build answers that are near Keras's but wrong. */
const fromExpected = (c: GradientCase, f: (v: number) => number): EngineGradients =>
  c.expected.map((e) => ({
    layers: e.layers.map((l) => ({ layer: l.layer, kernel: filled(l.kernel, f), recurrent_kernel: filled(l.recurrent_kernel, f), ...(l.bias ? { bias: filled(l.bias, f) } : {}) })),
    x: filled(e.x, f),
    ...(e.initialState ? { initialState: e.initialState.map((s) => filled(s, f)) } : {}),
  }));
const byId = new Map(gradientCases.map((c) => [c.id, c]));

describe("the gradient corpus in the suite", () => {
  it("loads with the forward corpus, without errors, every cell and family there", () => {
    expect(loaded.errors).toEqual([]);
    expect(gradientCases.length).toBeGreaterThan(100);
    expect(new Set(gradientCases.map((c) => c.id.split("/")[0]))).toEqual(new Set(["lstm", "gru", "simple_rnn"]));
    expect(sample.length).toBeGreaterThanOrEqual(24);
  });

  it("the reference passes every gradient case; none is core; families are <cell>/gradients/<family>", async () => {
    const result = await runSuite(referenceEngine, forward, { gradientCases, diagnose: false });
    const grads = result.cases.filter((v) => v.id.includes("/gradients/"));
    expect(grads.length).toBe(gradientCases.length);
    expect(grads.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.message}`)).toEqual([]);
    expect(grads.every((v) => !v.core && v.features.includes("gradients") && /^(lstm|gru|simple_rnn)\/gradients\/[a-z_]+$/.test(v.family))).toBe(true);
    expect(grads.every((v) => v.maxAbs !== null && v.maxAbs < 1e-4)).toBe(true);
    expect(result.conformant).toBe(true);
  }, 120_000);
});

describe("never a pass by default (spec/gradients.md §7.1)", () => {
  it("an engine without the feature gets every gradient case unsupported, out of its scope: its level is unchanged", async () => {
    const result = await runSuite(withoutGradients, forward, { gradientCases: sample, diagnose: false });
    const grads = result.cases.filter((v) => v.id.includes("/gradients/"));
    expect(grads.length).toBe(sample.length);
    expect(grads.every((v) => v.status === "unsupported" && v.missingFeatures.includes("gradients") && !v.core)).toBe(true);
    expect(grads[0]!.message).toMatch(/gradients.*spec\/gradients\.md §7/);
    const evidence = [{ status: "pass", evidence: true }];
    expect(levelReached({ cases: result.cases, properties: evidence })).toBe("full");
    const alone = await runSuite(withoutGradients, forward, { diagnose: false });
    expect(result.level).toBe(alone.level);
  });

  it("an engine that declares the feature without gradients() errors on every gradient case, saying so", async () => {
    const { gradients: _, ...noMethod } = referenceEngine;
    const result = await runSuite(noMethod, [], { gradientCases: sample, diagnose: false });
    expect(result.cases.every((v) => v.status === "error" && /declares the feature gradients but has no gradients\(\)/.test(v.message))).toBe(true);
  });

  it("no trivial engine passes a gradient case: zeros, the forward outputs, Keras's gradients ×2, the cotangents echoed", async () => {
    const trivial: [string, (req: GradientRequest) => EngineGradients][] = [
      ["zeros", (req) => fromExpected(byId.get(req.id)!, () => 0)],
      ["expected×2", (req) => fromExpected(byId.get(req.id)!, (v) => 2 * v)],
      ["forward outputs", (req) => referenceEngine.run(req) as unknown as EngineGradients],
      [
        "cotangent echoed",
        (req) => fromExpected(byId.get(req.id)!, () => 0).map((a, n) => ({ ...a, x: { shape: [...a.x.shape], data: Float32Array.from({ length: a.x.data.length }, (_, k) => req.cotangents[n]![0]!.data[k % req.cotangents[n]![0]!.data.length]!) } })),
      ],
    ];
    for (const [name, gradients] of trivial) {
      const result = await runSuite(gradientEngine(name, gradients), [], { gradientCases: sample, diagnose: false });
      const passed = result.cases.filter((v) => v.status === "pass" || v.status === "unsupported").map((v) => v.id);
      expect(passed, name).toEqual([]);
      expect(result.conformant, name).toBe(false);
    }
  });

  it("a wrong gradient fails, the message naming the worst tensor; a NaN fails", async () => {
    const c = sample.find((k) => k.id.startsWith("lstm/gradients/stacked/"))!;
    const onlyRecurrent = (req: GradientRequest): EngineGradients => {
      const right = fromExpected(byId.get(req.id)!, (v) => v);
      return right.map((a, n) => (n > 0 ? a : { ...a, layers: a.layers.map((l, k) => (k === 1 ? { ...l, recurrent_kernel: filled(l.recurrent_kernel, (v) => v * 1.01 + 0.01) } : l)) }));
    };
    const [v] = (await runSuite(gradientEngine("off", onlyRecurrent), [], { gradientCases: [c], diagnose: false })).cases;
    expect(v!.status).toBe("fail");
    expect(v!.message).toMatch(/^1 of \d+ gradient tensor\(s\) outside the tolerance; worst: call 0: layers\[\d\]\.recurrent_kernel/);
    const nan = (req: GradientRequest): EngineGradients => fromExpected(byId.get(req.id)!, (v) => (v === byId.get(req.id)!.expected[0]!.x.data[0] ? NaN : v));
    const [w] = (await runSuite(gradientEngine("nan", nan), [], { gradientCases: [c], diagnose: false })).cases;
    expect(w!.status).toBe("fail");
  });

  it("a layer whose gradients are missing, or one too many, fails by name", async () => {
    const c = sample.find((k) => k.id.startsWith("gru/gradients/stacked/"))!;
    const drop = (req: GradientRequest): EngineGradients => fromExpected(byId.get(req.id)!, (v) => v).map((a) => ({ ...a, layers: a.layers.slice(1) }));
    const [v] = (await runSuite(gradientEngine("drop", drop), [], { gradientCases: [c], diagnose: false })).cases;
    expect(v!.status).toBe("fail");
    expect(v!.message).toMatch(/layers\[\d\]: missing/);
  });
});

describe("whatever gradients() does is the case's verdict, and the run goes on", () => {
  it("throwing errors, hanging times out, UnsupportedCaseError is unsupported and blocks full (the engine declared the scope)", async () => {
    const three = sample.slice(0, 3);
    const [a, b, d] = three.map((c) => c.id);
    const engine = gradientEngine("moody", (req) => {
      if (req.id === a) throw new Error("backward exploded");
      if (req.id === b) return new Promise<EngineGradients>(() => undefined);
      if (req.id === d) throw new UnsupportedCaseError("no masked backward");
      return [];
    });
    const result = await runSuite(engine, forward, { gradientCases: [...three, sample[3]!], timeoutMs: 300, diagnose: false });
    const status = Object.fromEntries(result.cases.map((v) => [v.id, v]));
    expect(status[a!]!.status).toBe("error");
    expect(status[a!]!.message).toMatch(/gradients\(\) threw: .*backward exploded/);
    expect(status[b!]!.status).toBe("error");
    expect(status[b!]!.message).toMatch(/timed out/);
    expect(status[d!]!.status).toBe("unsupported");
    expect(status[d!]!.missingFeatures).toEqual([]);
    expect(status[sample[3]!.id]!.status).toBe("fail"); // [] answers: no call answered
    expect(result.cases.filter((v) => !v.id.includes("/gradients/")).every((v) => v.status === "pass")).toBe(true);
    const evidence = [{ status: "pass", evidence: true }];
    const onlyUnsupported = result.cases.filter((v) => v.id === d || !v.id.includes("/gradients/"));
    expect(levelReached({ cases: onlyUnsupported, properties: evidence })).toBe("core");
  });

  it("answers that are not data (a getter that throws, a non-array) are errors, not crashes", async () => {
    const c = sample[0]!;
    const hostile = gradientEngine("getter", () => [Object.defineProperty({}, "layers", { get: () => { throw new Error("gotcha"); }, enumerable: true })] as unknown as EngineGradients);
    const notArray = gradientEngine("object", () => ({}) as unknown as EngineGradients);
    for (const engine of [hostile, notArray]) {
      const [v] = (await runSuite(engine, [], { gradientCases: [c], diagnose: false })).cases;
      expect(v!.status, engine.name).toBe("error");
    }
  });

  it("the engine never sees Keras's gradients or outputs, and cannot corrupt them", async () => {
    const c = sample[0]!;
    let seen: unknown;
    const spy = gradientEngine("spy", (req) => {
      seen = req;
      (req.cotangents[0]![0]!.data as Float32Array).fill(0);
      return referenceEngine.gradients!(req) as EngineGradients;
    });
    const [v] = (await runSuite(spy, [], { gradientCases: [c], diagnose: false })).cases;
    expect(Object.keys(seen as object).sort()).toEqual(["calls", "cotangents", "dialect", "id", "layers"]);
    expect(v!.status).toBe("fail"); // it zeroed its own copy of the cotangents
    expect(c.cotangents[0]![0]!.data.some((x) => x !== 0)).toBe(true);
  });

  it("a failing gradient case is diagnosed (spec/gradients.md §7.5)", async () => {
    const c = sample.find((k) => k.id.startsWith("lstm/gradients/sizes/") && k.layers.some((l) => l.className === "LSTM" && l.config.use_bias))!;
    const doubled = (req: GradientRequest): EngineGradients => fromExpected(byId.get(req.id)!, (v) => v).map((a, n) => ({ ...a, layers: a.layers.map((l) => ({ ...l, bias: filled(byId.get(req.id)!.expected[n]!.layers.find((e) => e.layer === l.layer)!.bias!, (x) => 2 * x) })) }));
    const [v] = (await runSuite(gradientEngine("doubled", doubled), [], { gradientCases: [c] })).cases;
    expect(v!.status).toBe("fail");
    expect(v!.diagnosis, JSON.stringify(v)).not.toBeNull();
    expect(v!.diagnosis?.hypothesis).toBe("gradient:bias-doubled");
  });
});

describe("reports carry gradient cases", () => {
  it("JSON validates against spec/report.schema.json; console, JUnit and Markdown list them", async () => {
    const failing = gradientEngine("half", (req) => (req.id === sample[0]!.id ? [] : (referenceEngine.gradients!(req) as EngineGradients)));
    const result = await runSuite(failing, forward, { gradientCases: sample.slice(0, 4), diagnose: false });
    const schema = JSON.parse(readFileSync(specFile("report.schema.json"), "utf8")) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const json: unknown = JSON.parse(renderReport("json", result));
    expect(validate(json), JSON.stringify(validate.errors, null, 1)).toBe(true);
    for (const format of ["console", "junit", "markdown"] as const) {
      const text = renderReport(format, result);
      expect(text, format).toContain(sample[0]!.id.split("/").slice(0, 3).join("/"));
    }
  });
});
