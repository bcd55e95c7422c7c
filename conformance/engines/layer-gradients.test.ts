/**
 * Layer engines' gradients (spec/gradients.md §7.2): one layer call's backward per cell, the model
 * composed around it by the suite (backwardModel, the reference's own routing). A layer engine whose
 * backward is the reference's single-layer BPTT passes every Keras gradient case — stacks, Masking,
 * stateful calls and initial states composed by the suite alone — and one mistake in it fails.
 */
import { describe, expect, it } from "vitest";
import type { GruLayerOutputs, LayerEngine, LayerGradients, LstmLayerOutputs, RecurrentGradientCall, RecurrentLayerCall, RecurrentLayerOutputs } from "../engine.ts";
import { loadGradientDir } from "../gradients/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { runSuite } from "../runner.ts";
import { layerEngine } from "./layer-engine.ts";
import { referenceEngine } from "./reference.ts";
import { referenceLayerGradients } from "./testdata/reference-layer-gradients.ts";

const { cases, errors } = loadGradientDir(defaultFixturesDir());

function forward(call: RecurrentLayerCall): RecurrentLayerOutputs {
  const [out] = referenceEngine.run({
    id: call.caseId,
    dialect: call.dialect,
    layers: [{ className: call.className, config: { ...call.config, return_state: true, stateful: false }, weights: call.weights } as never],
    calls: [{ x: call.x, ...(call.mask ? { mask: call.mask } : {}), ...(call.initialState ? { initialState: call.initialState } : {}) }],
  }) as readonly (readonly { shape: readonly number[]; data: Float32Array }[])[];
  const [output, h, c] = out!;
  return (c ? { output: output!, h: h!, c } : { output: output!, h: h! }) as RecurrentLayerOutputs;
}

const backward = referenceLayerGradients;

const def = (name: string, back: (call: RecurrentGradientCall) => LayerGradients): LayerEngine => ({
  name,
  version: "0",
  features: referenceEngine.features,
  lstm: (call) => forward(call) as LstmLayerOutputs,
  gru: (call) => forward(call) as GruLayerOutputs,
  simpleRnn: (call) => forward(call) as GruLayerOutputs,
  lstmGradients: back,
  gruGradients: back,
  simpleRnnGradients: back,
});

describe("a layer engine's gradients, composed by the suite", () => {
  it("the reference's single-layer BPTT as a layer engine passes every Keras gradient case", async () => {
    expect(errors).toEqual([]);
    expect(cases.length).toBeGreaterThan(100);
    const engine = layerEngine(def("ref-layer-gradients", backward));
    expect(engine.features).toContain("gradients");
    const result = await runSuite(engine, [], { gradientCases: cases, diagnose: false });
    expect(result.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.message}`)).toEqual([]);
    expect(result.cases.length).toBe(cases.length);
  }, 120_000);

  it("the layer engine keeps no state: the carried state arrives as initialState, zeros on call 0 (spec/gradients.md §3.4)", async () => {
    const stateful = cases.filter((c) => c.calls.length > 1);
    expect(stateful.length).toBeGreaterThan(0);
    const seen: string[] = [];
    const spy = (call: RecurrentGradientCall): LayerGradients => {
      if (call.config.stateful) seen.push(`${call.callIndex}:${call.initialState ? (call.callIndex === 0 && !call.initialState[0]!.data.some((v) => v !== 0) ? "zeros" : "state") : "none"}`);
      return backward(call);
    };
    const result = await runSuite(layerEngine(def("spy", spy)), [], { gradientCases: stateful, diagnose: false });
    expect(result.cases.every((v) => v.status === "pass")).toBe(true);
    expect(seen).not.toContain("0:none");
    expect(seen.some((s) => s.startsWith("1:state"))).toBe(true);
  });

  it("one mistake in the layer's backward fails the cases it shows in: the bias gradient doubled, x's gradient in reversed time", async () => {
    const sample = cases.filter((_, k) => k % 8 === 0);
    const doubled = layerEngine(def("doubled", (call) => {
      const g = backward(call);
      return g.bias ? { ...g, bias: { shape: g.bias.shape, data: Float64Array.from(g.bias.data, (v) => 2 * v) } } : g;
    }));
    const withBias = sample.filter((c) => c.layers.some((l) => l.className !== "Masking" && l.className !== "Bidirectional" && l.config.use_bias));
    const r1 = await runSuite(doubled, [], { gradientCases: withBias, diagnose: false });
    expect(r1.cases.filter((v) => v.status === "pass").map((v) => v.id)).toEqual([]);
    const reversed = layerEngine(def("reversed-x", (call) => {
      const g = backward(call);
      const [B = 0, T = 0, D = 0] = g.x.shape;
      const data = new Float64Array(g.x.data.length);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) data[(b * T + t) * D + d] = g.x.data[(b * T + (T - 1 - t)) * D + d]!;
      return { ...g, x: { shape: g.x.shape, data } };
    }));
    const long = sample.filter((c) => c.calls.every((k) => (k.x.shape[1] ?? 0) > 1));
    const r2 = await runSuite(reversed, [], { gradientCases: long, diagnose: false });
    expect(r2.cases.filter((v) => v.status === "pass").map((v) => v.id)).toEqual([]);
  });

  it("a reply of the wrong shape is an engine error naming the function, the layer and the call", async () => {
    const c = cases.find((k) => k.id.startsWith("gru/gradients/stacked/"))!;
    const transposed = layerEngine(def("transposed", (call) => {
      const g = backward(call);
      return { ...g, kernel: { shape: [...g.kernel.shape].reverse(), data: Float64Array.from(g.kernel.data) } };
    }));
    const [v] = (await runSuite(transposed, [], { gradientCases: [c] })).cases;
    expect(v!.status).toBe("error");
    expect(v!.message).toMatch(/gruGradients\(\) for layer \d, call 0: kernel must have Keras's shape/);
  });

  it("features: gradients only with a gradient function; refused when declared without one, or a gradient function without the forward", () => {
    expect(layerEngine({ name: "plain", version: "0", lstm: def("p", backward).lstm! }).features).not.toContain("gradients");
    expect(() => layerEngine({ name: "claims", version: "0", features: ["gradients"], lstm: def("p", backward).lstm! })).toThrow(/declares gradients but has none of lstmGradients/);
    expect(() => layerEngine({ name: "half", version: "0", lstm: def("p", backward).lstm!, gruGradients: backward })).toThrow(/has gruGradients\(\) but no gru\(\)/);
  });

  it("a cell without a gradient function is unsupported (the engine declared the scope)", async () => {
    const lstmOnly = layerEngine({ ...def("lstm-grads", backward), gruGradients: undefined, simpleRnnGradients: undefined } as LayerEngine);
    const gru = cases.filter((c) => c.id.startsWith("gru/")).slice(0, 2);
    const result = await runSuite(lstmOnly, [], { gradientCases: gru, diagnose: false });
    expect(result.cases.every((v) => v.status === "unsupported" && /no gruGradients\(\)/.test(v.message))).toBe(true);
  });
});

describe("an engine module's gradients (registry.ts)", () => {
  it("a gradients that is not a function is refused by name", async () => {
    const { engineFromModule } = await import("./registry.ts");
    await expect(engineFromModule({ default: { ...referenceEngine, gradients: "yes" } }, "g.ts")).rejects.toThrow(/has a `gradients` that is not a function/);
    expect(typeof (await engineFromModule({ default: referenceEngine }, "r.ts")).gradients).toBe("function");
  });
});
