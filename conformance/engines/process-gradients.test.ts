/**
 * Protocol 3 (spec/gradients.md §7.3): the gradient messages round trip for model and layer engines,
 * every message valid under spec/protocol.schema.json; protocol 1 and 2 engines never receive them
 * (their gradient cases are out of scope, "gradients" dropped from their capabilities); a wrong
 * answer over the wire fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadGradientDir } from "../gradients/load.ts";
import { defaultFixturesDir, packageRoot } from "../package-paths.ts";
import { protocolViolation } from "../protocol/validate.ts";
import { gradientsMessage, layerGradientsMessage } from "../protocol/gradient-message.ts";
import { runSuite } from "../runner.ts";
import { createProcessEngine, type ProcessEngine } from "./process.ts";

const testdata = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));
const tsx = (file: string, arg = ""): string => `"${process.execPath}" --import tsx "${testdata(file)}" ${arg}`;
const { cases } = loadGradientDir(defaultFixturesDir());
/** One case per family, stateful, stacked, masked and Masking-layer ones among them. */
const sample = [...new Map(cases.map((c) => [c.id.split("/").slice(0, 3).join("/"), c])).values()];
const opened: ProcessEngine[] = [];
const open = async (command: string): Promise<ProcessEngine> => {
  const e = await createProcessEngine(command, { validateProtocol: true, timeoutMs: 60_000 });
  opened.push(e);
  return e;
};
afterAll(async () => {
  for (const e of opened) await e.close();
});

describe("protocol 3: gradient messages", () => {
  it("a model engine over the protocol passes every sampled gradient case, every message valid", async () => {
    const engine = await open(tsx("reference-over-protocol.ts"));
    expect(engine.hello.protocol).toBe(3);
    expect(engine.features).toContain("gradients");
    expect(typeof engine.gradients).toBe("function");
    const result = await runSuite(engine, [], { gradientCases: sample, diagnose: false });
    expect(result.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.message}`)).toEqual([]);
  }, 120_000);

  it("a wrong answer over the wire fails (x's gradient doubled)", async () => {
    const engine = await open(tsx("reference-over-protocol.ts"));
    const wrong = sample.slice(0, 3).map((c) => ({ ...c, id: `wrong/${c.id}` }));
    const result = await runSuite(engine, [], { gradientCases: wrong, diagnose: false });
    expect(result.cases.every((v) => v.status === "fail" && /call 0: x/.test(v.message))).toBe(true);
  }, 60_000);

  it("a layer engine over the protocol: the forward by layer_call, the backward by layer_gradients, composed by the runner", async () => {
    const engine = await open(tsx("layer-engine-over-protocol.ts", "gradients"));
    expect(engine.kind).toBe("layer");
    expect(engine.features).toContain("gradients");
    const result = await runSuite(engine, [], { gradientCases: sample, diagnose: false });
    expect(result.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.message}`)).toEqual([]);
  }, 120_000);

  it("protocol 2 engines never receive them: gradients dropped from a protocol-2 hello, gradient cases out of scope, said in the notes", async () => {
    const engine = await open(tsx("reference-over-protocol.ts", "protocol2"));
    expect(engine.hello.capabilities).toContain("gradients");
    expect(engine.features).not.toContain("gradients");
    expect(engine.gradients).toBeUndefined();
    const result = await runSuite(engine, [], { gradientCases: sample.slice(0, 2), diagnose: false });
    expect(result.cases.every((v) => v.status === "unsupported" && v.missingFeatures.includes("gradients"))).toBe(true);
    const layer = await open(tsx("layer-engine-over-protocol.ts"));
    expect(layer.features).not.toContain("gradients");
    expect(layer.gradients).toBeUndefined();
  }, 60_000);

  it("what the runner sends is valid protocol 3, and the schema is not vacuous", () => {
    const c = cases.find((k) => k.calls.some((call) => call.initialState !== undefined))!;
    const m = gradientsMessage(c);
    expect(protocolViolation(m, "gradients")).toBeUndefined();
    expect(protocolViolation({ ...m, cotangents: undefined }, "gradients")).toMatch(/cotangents/);
    const x = c.calls[0]!.x;
    const B = x.shape[0] ?? 0;
    const u = 2;
    const call = {
      className: "SimpleRNN" as const,
      config: { units: u, return_sequences: false, return_state: false, go_backwards: false, stateful: false, use_bias: true, activation: "tanh" } as never,
      weights: { kernel: { shape: [x.shape[2]!, u], data: new Float32Array(x.shape[2]! * u) }, recurrent_kernel: { shape: [u, u], data: new Float32Array(u * u) }, bias: { shape: [u], data: new Float32Array(u) } },
      dialect: "keras3" as const,
      x,
      caseId: c.id,
      layerIndex: 0,
      callIndex: 0,
      cotangents: { output: { shape: [B, u], data: new Float32Array(B * u) }, h: { shape: [B, u], data: new Float32Array(B * u) } },
    };
    const lm = layerGradientsMessage("m#1", call);
    expect(protocolViolation(lm, "layer_gradients")).toBeUndefined();
    expect(protocolViolation({ ...lm, cotangents: { output: lm.cotangents.output } }, "layer_gradients")).toMatch(/h/);
    expect(protocolViolation({ type: "gradients_result", id: c.id, gradients: [{ layers: [{ layer: 0, weights: [] }], x: lm.x }] }, "gradients_result")).toMatch(/weights/);
    expect(protocolViolation({ type: "layer_gradients_result", id: "m#1", weights: lm.layer.weights, x: lm.x }, "layer_gradients_result")).toBeUndefined();
  });
});

const python = process.env.KERAS_RNN_CONFORMANCE_PYTHON ?? join(packageRoot(), ".venv", "bin", "python");
const noPython = existsSync(python) && spawnSync(python, ["-c", "import numpy"]).status === 0 ? null : `no Python with numpy at ${python} (set KERAS_RNN_CONFORMANCE_PYTHON)`;
if (noPython !== null) console.warn(`skipping the Python protocol-3 tests: ${noPython}`);

describe.skipIf(noPython !== null)("protocol 3 from Python (python/keras_rnn_conformance.py)", () => {
  const script = testdata("simple_rnn_gradients.py");
  it("a numpy SimpleRNN with its own BPTT, as a layer engine, passes every SimpleRNN gradient case it supports; the rest is unsupported by feature", async () => {
    const engine = await open(`"${python}" "${script}"`);
    expect(engine.hello.protocol).toBe(3);
    expect(engine.features).toEqual(expect.arrayContaining(["gradients", "cell:simple_rnn", "stacked", "masking_layer", "stateful"]));
    const simple = cases.filter((c) => c.id.startsWith("simple_rnn/"));
    const result = await runSuite(engine, [], { gradientCases: simple, diagnose: false });
    const ran = result.cases.filter((v) => v.status !== "unsupported");
    expect(ran.length).toBeGreaterThan(30);
    expect(ran.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.message}`)).toEqual([]);
    expect(result.cases.filter((v) => v.status === "unsupported").every((v) => v.missingFeatures.length > 0)).toBe(true);
  }, 180_000);

  it("a Python model engine answering zeros fails every gradient case", async () => {
    const engine = await open(`"${python}" "${script}" model-zeros`);
    expect(engine.hello.protocol).toBe(3);
    const result = await runSuite(engine, [], { gradientCases: sample, diagnose: false });
    expect(result.cases.filter((v) => v.status === "pass").map((v) => v.id)).toEqual([]);
    expect(result.cases.filter((v) => v.status === "fail").length).toBeGreaterThan(sample.length / 2);
  }, 120_000);

  it("without gradient functions the helper's hello is unchanged: protocol 2, no gradients", () => {
    const code = "import keras_rnn_conformance as k\nk.serve_layer('plain', '0', [], simple_rnn=lambda call: None)";
    const r = spawnSync(python, ["-c", code], { input: "", encoding: "utf8", env: { ...process.env, PYTHONPATH: join(packageRoot(), "python") } });
    const hello = JSON.parse(r.stdout.split("\n")[0]!) as { protocol: number; capabilities: string[] };
    expect(hello.protocol).toBe(2);
    expect(hello.capabilities).not.toContain("gradients");
    const bad = spawnSync(python, ["-c", "import keras_rnn_conformance as k\nk.serve_layer('x', '0', [], lstm_gradients=lambda call: {})"], { input: "", encoding: "utf8", env: { ...process.env, PYTHONPATH: join(packageRoot(), "python") } });
    expect(bad.stderr).toMatch(/lstm_gradients needs the lstm function/);
  });
});
