/**
 * Layer engines (spec/adapter.md §1.2): the suite composes the model around one layer call. A layer
 * engine made of the reference's single layers (LSTM, GRU, SimpleRNN) must pass the whole corpus —
 * Masking, stacks (mixed ones too), the mask passed down (spec/lstm.md §3.5.6), Keras 3's dropped
 * mask (§3.5.7), stateful calls (§3.6) — and each layer call must receive exactly what spec/lstm.md
 * §3 says, with its cell's state list.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { activationNames, lstm } from "../../reference/index.ts";
import type { FixtureCase, GruConfig, LayerCase, LstmConfig } from "../case.ts";
import { CELL_FEATURES, CELL_OPTION_FEATURES } from "../cells.ts";
import { UnsupportedCaseError, type Feature, type GruLayerCall, type LayerEngine, type LstmLayerCall, type LstmLayerOutputs, type RecurrentLayerCall } from "../engine.ts";
import { activationFeatures } from "../features.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { runSuite } from "../runner.ts";
import { tensor, type Tensor } from "../tensor.ts";
import { everyCell, referenceLayerCall } from "../testing/reference-layer.ts";
import { layerEngine, layerEngineFeatures } from "./layer-engine.ts";
import { engineFromModule } from "./registry.ts";
import { createWorkerEngine } from "./worker-engine.ts";

const EVERY_LAYER_FEATURE: Feature[] = ["go_backwards", "mask", "initial_state", "zero_output_for_mask", "use_bias_false", "dialect:tf-keras", "gru:reset_after_false", ...activationFeatures(activationNames)];

/** One layer call computed by the reference (a one-layer model called once), h and c always returned. */
function referenceLayer(call: LstmLayerCall, config: Partial<LstmConfig> = {}): LstmLayerOutputs {
  const { weights: w, x, mask, initialState } = call;
  const [output, h, c] = lstm(
    { ...call.config, ...config, return_state: true, stateful: false },
    { kernel: w.kernel.data, recurrent_kernel: w.recurrent_kernel.data, bias: w.bias?.data ?? null },
    { x: x.data, shape: [x.shape[0]!, x.shape[1]!, x.shape[2]!], ...(mask ? { mask: mask.data } : {}), ...(initialState ? { initialState: [initialState[0].data, initialState[1].data] } : {}) },
    call.dialect,
  );
  return { output: output!, h: h!, c: c! };
}

const corpus = loadFixtureDir(defaultFixturesDir());

async function nonPassing(def: LayerEngine, cases: readonly FixtureCase[] = corpus.cases): Promise<string[]> {
  const result = await runSuite(layerEngine(def), cases, { diagnose: false });
  expect(result.cases.length).toBe(cases.length);
  return result.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.status} ${v.message}`);
}

describe("a layer engine made of the reference's single layers passes the whole corpus", () => {
  it("returning { output, h, c } (LSTM) and { output, h } (GRU, SimpleRNN) as Keras returns them", async () => {
    expect(corpus.cases.length).toBeGreaterThan(100);
    expect(corpus.cases.some((c) => c.layers.some((l) => l.className === "GRU") && c.layers.some((l) => l.className === "LSTM"))).toBe(true); // mixed stacks
    expect(await nonPassing({ name: "ref-layer", version: "0", features: EVERY_LAYER_FEATURE, ...everyCell((call) => referenceLayerCall(call)) })).toEqual([]);
  }, 60_000);

  it("returning { sequence, ... }: the suite takes the last step where Keras returns the last output", async () => {
    expect(await nonPassing({ name: "ref-layer", version: "0", features: EVERY_LAYER_FEATURE, ...everyCell((call) => referenceLayerCall(call, { sequence: true })) })).toEqual([]);
  }, 60_000);

  it("async, and keeping stateful layers' state itself when it declares `stateful`", async () => {
    const kept = new Map<string, readonly Tensor[]>();
    const own = async (call: RecurrentLayerCall) => {
      await new Promise((resolve) => setImmediate(resolve));
      const key = `${call.caseId}/${call.layerIndex}/${call.direction ?? ""}`; // a Bidirectional's two layers share layerIndex
      // An explicit initial_state overrides the kept state (spec/lstm.md §3.6); call 0 starts afresh.
      const state = call.initialState ?? (call.config.stateful && call.callIndex > 0 ? kept.get(key) : undefined);
      const r = referenceLayerCall(state ? ({ ...call, initialState: state } as RecurrentLayerCall) : call);
      if (call.config.stateful) kept.set(key, [r.h, ...(r.c ? [r.c] : [])].map((t) => tensor(t.shape, t.data)));
      return r;
    };
    const ownState: LayerEngine = { name: "ref-layer-own-state", version: "0", features: [...EVERY_LAYER_FEATURE, "stateful"], ...everyCell(own) };
    const stateful = corpus.cases.filter((c) => c.calls.length > 1);
    expect([...new Set(stateful.map((c) => c.id.split("/")[0]))]).toEqual(expect.arrayContaining(["lstm", "gru", "simple_rnn"]));
    expect(await nonPassing(ownState, stateful)).toEqual([]);
    // The suite does not carry the state for such an engine: ignoring it fails every multi-call case.
    const forgetful = await nonPassing({ ...ownState, ...everyCell((call) => referenceLayerCall(call)) }, stateful);
    expect(forgetful.length).toBe(stateful.length);
  }, 60_000);

  it("an LSTM-only layer engine gets every GRU and SimpleRNN case unsupported, and keeps its level (spec/adapter.md §2, §4.3)", async () => {
    const result = await runSuite(layerEngine({ name: "lstm-only", version: "0", features: EVERY_LAYER_FEATURE, lstm: (call) => referenceLayer(call) }), corpus.cases, { diagnose: false });
    // a case is another cell's when it needs a cell feature but cell:lstm (Bidirectional cases wrap any cell)
    const otherCell = (v: (typeof result.cases)[number]): boolean => v.features.some((f) => f.startsWith("cell:") && f !== "cell:lstm");
    const otherCells = result.cases.filter(otherCell);
    expect(otherCells.length).toBeGreaterThan(100);
    expect(otherCells.every((v) => v.status === "unsupported" && v.missingFeatures.some((f) => f.startsWith("cell:")) && !v.core)).toBe(true);
    expect(result.cases.filter((v) => !otherCell(v)).every((v) => v.status === "pass")).toBe(true);
    expect(result.conformant).toBe(true);
    expect(result.level).toBe("core"); // no properties were run; the GRU cases do not block full either (features.test.ts)
  }, 60_000);
});

describe("what each layer call receives (spec/lstm.md §3)", () => {
  const weights = (d: number, u: number) => ({
    kernel: tensor([d, 4 * u], Array.from({ length: d * 4 * u }, (_, k) => Math.sin(k) * 0.5)),
    recurrent_kernel: tensor([u, 4 * u], Array.from({ length: u * 4 * u }, (_, k) => Math.cos(k) * 0.4)),
    bias: tensor([4 * u], new Array(4 * u).fill(0.1)),
  });
  const config = (over: Partial<LstmConfig>): LstmConfig => ({
    units: 2, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, return_sequences: false, return_state: false, go_backwards: false, stateful: false, ...over,
  });
  // batch 1, 4 steps, 2 features; steps 2 and 3 are all zeros (masked by Masking(0)).
  const x = tensor([1, 4, 2], [1, 2, 3, 4, 0, 0, 0, 0]);

  async function record(c: LayerCase): Promise<LstmLayerCall[]> {
    const calls: LstmLayerCall[] = [];
    await layerEngine({ name: "recorder", version: "0", features: EVERY_LAYER_FEATURE, lstm: (call) => (calls.push(call), referenceLayer(call)) }).run(c);
    return calls;
  }

  it("Masking → LSTM(go_backwards, return_sequences) → LSTM: both get the mask in original time order (§3.5.5, §3.5.6)", async () => {
    const calls = await record({
      id: "t/stack",
      dialect: "keras3",
      layers: [
        { className: "Masking", config: { mask_value: 0 } },
        { className: "LSTM", config: config({ go_backwards: true, return_sequences: true }), weights: weights(2, 2) },
        { className: "LSTM", config: config({}), weights: weights(2, 2) },
      ],
      calls: [{ x }],
    });
    expect(calls.map((c) => [c.layerIndex, c.callIndex, Array.from(c.mask?.data ?? [])])).toEqual([
      [1, 0, [1, 1, 0, 0]],
      [2, 0, [1, 1, 0, 0]],
    ]);
    expect(calls[0]!.x.data).toBeInstanceOf(Float32Array);
    expect(calls[1]!.x.shape).toEqual([1, 4, 2]);
    expect(calls[1]!.x.data).toBeInstanceOf(Float32Array); // the reference's float64 sequence, rounded as Keras's float32 is
  });

  it("Masking + initial_state in Keras 3: the first LSTM gets no mask, the next one does (§3.5.7); tf-keras applies it", async () => {
    const init = [tensor([1, 2], [0.5, -0.5]), tensor([1, 2], [0.1, 0.2])];
    const c = (dialect: LayerCase["dialect"]): LayerCase => ({
      id: "t/dropped",
      dialect,
      layers: [
        { className: "Masking", config: { mask_value: 0 } },
        { className: "LSTM", config: config({ return_sequences: true }), weights: weights(2, 2) },
        { className: "LSTM", config: config({}), weights: weights(2, 2) },
      ],
      calls: [{ x, initialState: init }],
    });
    const keras3 = await record(c("keras3"));
    expect(keras3.map((l) => [l.mask === undefined, l.initialState === undefined])).toEqual([[true, false], [false, true]]);
    expect(Array.from(keras3[0]!.x.data)).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
    const tfKeras = await record(c("tf-keras"));
    expect(tfKeras.map((l) => l.mask === undefined)).toEqual([false, false]);
  });

  it("stateful: call 1 starts from call 0's final state, an explicit initial_state wins (§3.6)", async () => {
    const layers = [{ className: "LSTM" as const, config: config({ stateful: true }), weights: weights(2, 2) }];
    const init = [tensor([1, 2], [0.5, -0.5]), tensor([1, 2], [0.1, 0.2])];
    const calls = await record({ id: "t/stateful", dialect: "keras3", layers, calls: [{ x }, { x }, { x, initialState: init }] });
    const first = referenceLayer(calls[0]!);
    expect(calls[0]!.initialState).toBeUndefined();
    expect(Array.from(calls[1]!.initialState![0].data)).toEqual(Array.from(Float32Array.from(first.h.data)));
    expect(Array.from(calls[2]!.initialState![0].data)).toEqual([0.5, -0.5]);
  });

  it("return_state: [output, h, c] from the last layer (§3.2)", async () => {
    const engine = layerEngine({ name: "fixed", version: "0", lstm: () => ({ output: tensor([1, 2], [1, 1]), h: tensor([1, 2], [2, 2]), c: tensor([1, 2], [3, 3]) }) });
    const out = await engine.run({ id: "t/state", dialect: "keras3", layers: [{ className: "LSTM", config: config({ return_state: true }), weights: weights(2, 2) }], calls: [{ x }] });
    expect(out[0]!.map((t) => t.data[0])).toEqual([1, 2, 3]);
  });
});

describe("what a composed engine declares (spec/adapter.md §1.2)", () => {
  it("Keras's default LSTM when it declares nothing: core, with the model-level features the suite provides", () => {
    const engine = layerEngine({ name: "bare", version: "0", lstm: () => ({ output: tensor([1], [0]), h: tensor([1], [0]), c: tensor([1], [0]) }) });
    expect([...engine.features].sort()).toEqual(["activation:tanh", "recurrent_activation:sigmoid", "return_sequences", "return_state", "stacked"]);
  });

  it("masking_layer with mask, stateful with initial_state; model-level features in the layer's list are the suite's to add", () => {
    expect(layerEngineFeatures(["mask", "masking_layer"]).sort()).toEqual(["mask", "masking_layer", "return_sequences", "return_state", "stacked"]);
    expect(layerEngineFeatures(["masking_layer", "stacked"]).sort()).toEqual(["return_sequences", "return_state", "stacked"]);
    expect(layerEngineFeatures(["initial_state"])).toContain("stateful");
    expect(layerEngineFeatures(["go_backwards", "activation:relu"])).toEqual(expect.arrayContaining(["go_backwards", "activation:relu"]));
  });
});

describe("cells: a layer engine implements the cells it has a function for (spec/adapter.md §1.2)", () => {
  const reply = () => ({ output: tensor([1], [0]), h: tensor([1], [0]) });
  it("lstm() only: no cell feature, the LSTM is implied; gru() and simpleRnn() add theirs", () => {
    expect(layerEngine({ name: "l", version: "0", lstm: () => ({ ...reply(), c: tensor([1], [0]) }) }).features.filter((f) => f.startsWith("cell:"))).toEqual([]);
    expect(layerEngine({ name: "g", version: "0", gru: reply }).features.filter((f) => f.startsWith("cell:"))).toEqual(["cell:gru"]);
    const all = layerEngine({ name: "a", version: "0", features: ["gru:reset_after_false"], ...everyCell((call) => referenceLayerCall(call)) });
    expect(all.features).toEqual(expect.arrayContaining([...CELL_FEATURES, ...CELL_OPTION_FEATURES]));
  });

  it("a cell feature without its function, or no function at all, is refused when the engine is made", () => {
    expect(() => layerEngine({ name: "x", version: "0", features: ["cell:gru"], lstm: () => ({ ...reply(), c: tensor([1], [0]) }) })).toThrow(/declares cell:gru but has no gru\(\)/);
    expect(() => layerEngine({ name: "x", version: "0" })).toThrow(/has none of lstm\(\), gru\(\), simpleRnn\(\)/);
  });

  const gruWeights = (d: number, u: number) => ({
    kernel: tensor([d, 3 * u], Array.from({ length: d * 3 * u }, (_, k) => Math.sin(k) * 0.5)),
    recurrent_kernel: tensor([u, 3 * u], Array.from({ length: u * 3 * u }, (_, k) => Math.cos(k) * 0.4)),
    bias: tensor([2, 3 * u], new Array(6 * u).fill(0.1)),
  });
  const gruConfig = (over: Partial<GruConfig> = {}): GruConfig => ({
    units: 2, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, reset_after: true, return_sequences: false, return_state: false, go_backwards: false, stateful: false, ...over,
  });
  const x = tensor([1, 3, 2], [1, 2, 3, 4, 5, 6]);

  it("a GRU call gets [h0], a stateful GRU its own [h] back; the model returns [output, h] (spec/gru.md §3.2, §3.4)", async () => {
    const calls: GruLayerCall[] = [];
    const engine = layerEngine({ name: "gru", version: "0", features: EVERY_LAYER_FEATURE, gru: (call) => (calls.push(call), referenceLayerCall(call) as ReturnType<NonNullable<LayerEngine["gru"]>>) });
    const h0 = tensor([1, 2], [0.5, -0.5]);
    const c: LayerCase = { id: "t/gru", dialect: "keras3", layers: [{ className: "GRU", config: gruConfig({ stateful: true, return_state: true }), weights: gruWeights(2, 2) }], calls: [{ x, initialState: [h0] }, { x }] };
    const out = await engine.run(c);
    expect(calls.map((k) => [k.className, k.initialState?.length])).toEqual([["GRU", 1], ["GRU", 1]]);
    expect(Array.from(calls[1]!.initialState![0].data)).toEqual(Array.from(Float32Array.from(out[0]![1]!.data))); // call 0's h, as float32
    expect(out.map((o) => o.length)).toEqual([2, 2]);
  });

  it("a GRU reply with a c is an error: a GRU has one state (spec/gru.md §3.2)", async () => {
    const engine = layerEngine({ name: "gru-c", version: "0", gru: () => ({ ...reply(), c: tensor([1], [0]) }) as unknown as ReturnType<NonNullable<LayerEngine["gru"]>> });
    const c: LayerCase = { id: "t/gru-c", dialect: "keras3", layers: [{ className: "GRU", config: gruConfig(), weights: gruWeights(2, 2) }], calls: [{ x }] };
    await expect(engine.run(c)).rejects.toThrow(/gru\(\) for layer 0, call 0 returned a c, but a GRU has only the state h \(spec\/gru\.md §3\.2\); expected \{ sequence, h \} or \{ output, h \}/);
  });
});

describe("a layer call that goes wrong", () => {
  const c = corpus.cases.find((k) => k.id.startsWith("lstm/sizes/"))!;
  const run = async (lstmFn: LayerEngine["lstm"]): Promise<string> => {
    const result = await runSuite(layerEngine({ name: "bad", version: "0", lstm: lstmFn }), [c], { diagnose: false });
    return `${result.cases[0]!.status}: ${result.cases[0]!.message}`;
  };
  const ok = (call: LstmLayerCall) => referenceLayer(call);

  it.each([
    ["returns nothing", () => undefined as unknown as LstmLayerOutputs, /^error: .*lstm\(\) for layer 0, call 0 returned undefined; expected \{ sequence, h, c \} or \{ output, h, c \}/],
    ["returns both", (call: LstmLayerCall) => ({ ...ok(call), sequence: ok(call).output }) as unknown as LstmLayerOutputs, /returned both sequence and output/],
    ["forgets the state", (call: LstmLayerCall) => ({ output: ok(call).output }) as unknown as LstmLayerOutputs, /must return the final state h and c/],
    ["returns a sequence of the wrong shape", (call: LstmLayerCall) => ({ ...ok(call), output: undefined, sequence: tensor([1, 1, 1], [0]) }) as unknown as LstmLayerOutputs, /sequence must be \(batch, timesteps, units\) = \(\d+, \d+, \d+\), got shape \(1, 1, 1\)/],
  ])("%s: an error verdict naming what is wrong", async (_name, lstmFn, message) => {
    expect(await run(lstmFn)).toMatch(message);
  });

  it("an output of the wrong shape is judged like any engine's: a failure", async () => {
    expect(await run((call) => ({ h: ok(call).h, c: ok(call).c, output: tensor([1], [0]) }))).toMatch(/^fail: /);
  });

  it("UnsupportedCaseError: the case is unsupported with the reason", async () => {
    expect(await run(() => {
      throw new UnsupportedCaseError("my kernel needs units ≤ 1");
    })).toBe("unsupported: engine cannot run this case: my kernel needs units ≤ 1");
  });
});

describe("--engine accepts a module exporting a layer engine (registry.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "krc-layer-engine-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a plain { name, version, lstm } export is composed", async () => {
    const engine = await engineFromModule({ default: { name: "plain", version: "1", features: ["mask"], lstm: () => undefined } }, "plain.ts");
    expect(engine.features).toContain("masking_layer");
    expect(typeof engine.run).toBe("function");
  });

  it("a layer engine whose features are not a list is refused by name", async () => {
    await expect(engineFromModule({ default: { name: "x", version: "1", features: "mask", lstm: () => undefined } }, "x.ts")).rejects.toThrow(/export `default` is not an engine: it has a `features` that is not an array/);
  });

  it("in a worker thread, as the CLI runs it", async () => {
    const module = join(dir, "engine.ts");
    const ref = pathToFileURL(join(import.meta.dirname, "..", "..", "reference", "index.ts")).href;
    writeFileSync(module, [
      `import { lstm } from ${JSON.stringify(ref)};`,
      "export default {",
      '  name: "worker-layer", version: "1",',
      "  lstm: ({ config, weights: w, x, dialect }) => {",
      "    const [output, h, c] = lstm({ ...config, return_state: true }, { kernel: w.kernel.data, recurrent_kernel: w.recurrent_kernel.data, bias: w.bias?.data }, { x: x.data, shape: x.shape }, dialect);",
      "    return { output, h, c };",
      "  },",
      "};",
      "",
    ].join("\n"));
    const engine = await createWorkerEngine(module, { cwd: dir });
    try {
      expect(engine.name).toBe("worker-layer");
      const result = await runSuite(engine, corpus.cases.filter((k) => k.id.startsWith("lstm/sizes/")), { diagnose: false });
      expect(result.cases.length).toBeGreaterThan(0);
      expect(result.cases.map((v) => v.status)).toEqual(result.cases.map(() => "pass"));
    } finally {
      await engine.close();
    }
  }, 60_000);
});
