import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it, vi } from "vitest";
import { compareTensors } from "../compare.ts";
import { referenceEngine } from "../engines/reference.ts";
import { parseFixtureJson } from "../fixtures/load.ts";
import type { KerasModelFile, ModelLstm } from "../models/read-model.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { main, referenceFixture } from "./fixture.ts";

const lstm: ModelLstm = {
  name: "enc",
  className: "LSTM",
  source: "layers/lstm/cell/vars",
  config: { units: 2, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, return_sequences: true, return_state: true, go_backwards: false, stateful: false },
  weights: {
    kernel: { shape: [3, 8], data: Float32Array.from({ length: 24 }, (_, k) => Math.sin(k)) },
    recurrent_kernel: { shape: [2, 8], data: Float32Array.from({ length: 16 }, (_, k) => Math.cos(k) / 2) },
    bias: { shape: [8], data: Float32Array.from({ length: 8 }, (_, k) => k / 10) },
  },
};
const model: KerasModelFile = { file: "my model.keras", format: "keras", dialect: "keras3", kerasVersion: "3.15.1", layers: [], recurrent: [{ className: "LSTM", name: "enc", lstm, cell: lstm }], skipped: [], code: [] };
const x = { shape: [2, 4, 3], data: Float32Array.from({ length: 24 }, (_, k) => Math.sin(3 * k)) };

describe("keras-rnn-conformance fixture (spec/porting.md §11)", () => {
  it("writes a valid fixture file, marked reference-computed everywhere a reader looks", () => {
    const json = JSON.parse(JSON.stringify(referenceFixture(model, "enc", lstm, { x }))) as Record<string, unknown>;
    const parsed = parseFixtureJson(json, "user.json");
    expect(parsed.errors).toEqual([]);
    const c = parsed.cases[0]!;
    expect(c.id).toBe("user/my_model/enc/001");
    expect(c.description).toMatch(/^REFERENCE-COMPUTED/);
    expect(c.tolerance.source).toMatch(/reference-computed/);
    expect((json["provenance"] as Record<string, unknown>)["backend"]).toBe("reference");
    expect(c.expected[0]!.outputs.map((o) => o.shape)).toEqual([[2, 4, 2], [2, 2], [2, 2]]);
    expect(c.expected[0]!.steps).toHaveLength(1);
  });

  it("its expected values are the reference's, so the reference passes it (and a wrong weight would not)", async () => {
    const parsed = parseFixtureJson(JSON.parse(JSON.stringify(referenceFixture(model, "enc", lstm, { x }))), "user.json");
    const c = parsed.cases[0]!;
    const [outputs] = await referenceEngine.run(c);
    outputs!.forEach((o, j) => expect(compareTensors(o, c.expected[0]!.outputs[j]!, c.tolerance).mismatches).toBe(0));
    const bent = { ...c, layers: [{ ...c.layers[0]!, weights: { ...lstm.weights, bias: { shape: [8], data: lstm.weights.bias!.data.map((v) => v + 0.1) } } }] } as typeof c;
    const [wrong] = await referenceEngine.run(bent);
    expect(compareTensors(wrong![0]!, c.expected[0]!.outputs[0]!, c.tolerance).mismatches).toBeGreaterThan(0);
  });

  it("makes a case from a real Keras file's Bidirectional backward half (CLI), and names a wrong input shape", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fixture-"));
    const models = join(defaultFixturesDir(), "models");
    const { models: list } = JSON.parse(readFileSync(join(models, "models.json"), "utf8")) as { models: { path: string; recurrent_layers: { name: string; class_name: string }[]; input: { shape: number[]; data: number[] } }[] };
    const entry = list.find((m) => m.path.endsWith(".keras") && m.recurrent_layers.some((l) => l.class_name === "Bidirectional"))!;
    const bi = entry.recurrent_layers.find((l) => l.class_name === "Bidirectional")!.name;
    writeFileSync(join(dir, "x.json"), JSON.stringify(entry.input));
    let stderr = "";
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
    try {
      expect(await main(["--model", join(models, entry.path), "--layer", `${bi}/backward`, "--input", join(dir, "x.json"), "--out", join(dir, "case.json")])).toBe(0);
      expect(stderr).toMatch(/REFERENCE-COMPUTED/);
      const parsed = parseFixtureJson(JSON.parse(readFileSync(join(dir, "case.json"), "utf8")), "case.json");
      expect(parsed.errors).toEqual([]);
      expect(parsed.cases[0]!.layers[0]!.className === "LSTM" && parsed.cases[0]!.layers[0]!.config.go_backwards).toBe(true);
      writeFileSync(join(dir, "bad.json"), JSON.stringify({ shape: [1, 2, 7], data: new Array(14).fill(0) }));
      expect(await main(["--model", join(models, entry.path), "--layer", `${bi}/forward`, "--input", join(dir, "bad.json")])).toBe(2);
      expect(stderr).toMatch(/bad.json: x has shape \(1, 2, 7\), layer "forward_\w+" needs \(batch, timesteps, \d+\)/);
    } finally {
      spy.mockRestore();
    }
  });

  it("--keras refuses a model with a Lambda layer before any Python starts; without --keras nothing of it runs anyway", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fixture-"));
    const members = unzipSync(readFileSync(join(defaultFixturesDir(), "models", "keras3-stacked-lstm.keras")));
    const config = JSON.parse(new TextDecoder().decode(members["config.json"])) as { config: { layers: unknown[] } };
    // Never evaluated by the suite: the bytecode is a stand-in, the point is the layer's class.
    config.config.layers.splice(1, 0, { module: "keras.layers", class_name: "Lambda", config: { name: "evil", function: { class_name: "__lambda__", config: { code: "4wEAAA==" } } }, registered_name: null });
    const model = join(dir, "lambda.keras");
    writeFileSync(model, zipSync({ ...members, "config.json": strToU8(JSON.stringify(config)) }));
    writeFileSync(join(dir, "x.json"), JSON.stringify({ shape: [1, 2, 3], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }));
    let stderr = "";
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
    try {
      const args = ["--model", model, "--layer", "lstm", "--input", join(dir, "x.json")];
      expect(await main([...args, "--keras", "--out", join(dir, "k.json")])).toBe(2);
      expect(stderr).toMatch(/--keras: refusing to load .*lambda\.keras with Keras, which would run code from the file .*layer "evil" \(Lambda\): its function is Python code stored in the file.*Nothing was run\..*--unsafe loads it anyway/);
      expect(stderr).not.toMatch(/running Keras/);
      expect(existsSync(join(dir, "k.json"))).toBe(false);
      stderr = "";
      expect(await main([...args, "--unsafe", "--out", join(dir, "r.json")])).toBe(2);
      expect(stderr).toMatch(/--unsafe only applies with --keras/);
      expect(await main([...args, "--out", join(dir, "r.json")])).toBe(0);
      expect(stderr).toMatch(/REFERENCE-COMPUTED/);
    } finally {
      spy.mockRestore();
    }
  });

  it("makes a case from a GRU (reset_after=False, with [h0]), a Bidirectional GRU's half and a SimpleRNN of real Keras files; the reference passes each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fixture-cells-"));
    const models = join(defaultFixturesDir(), "models");
    const x = (b: number, t: number, d: number) => ({ shape: [b, t, d], data: Array.from({ length: b * t * d }, (_, k) => Math.sin(k + 1)) });
    const wants: [string, string, unknown, string, number[][]][] = [
      ["keras3-stacked-gru.keras", "gru_1", { x: x(2, 3, 4), initial_state: [{ shape: [2, 3], data: [0.1, -0.2, 0.3, 0.4, 0, -0.5] }] }, "GRU", [[2, 3]]],
      ["tf-keras-bidirectional-gru.h5", "bidirectional/backward", x(1, 4, 2), "GRU", [[1, 4, 3]]],
      ["tf-keras-stacked-simple-rnn.h5", "simple_rnn", x(1, 4, 3), "SimpleRNN", [[1, 4, 4]]],
    ];
    let stderr = "";
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
    try {
      for (const [file, layer, input, className, shapes] of wants) {
        writeFileSync(join(dir, "x.json"), JSON.stringify(input));
        const out = join(dir, `${layer.replace("/", "-")}.json`);
        expect(await main(["--model", join(models, file), "--layer", layer, "--input", join(dir, "x.json"), "--out", out]), stderr).toBe(0);
        const parsed = parseFixtureJson(JSON.parse(readFileSync(out, "utf8")), out);
        expect(parsed.errors, `${file} ${layer}`).toEqual([]);
        const c = parsed.cases[0]!;
        expect(c.layers.map((l) => l.className)).toEqual([className]);
        expect(c.description).toMatch(new RegExp(`^REFERENCE-COMPUTED .*: ${className} layer "${layer}"`));
        expect(c.expected[0]!.outputs.map((o) => o.shape)).toEqual(shapes);
        expect(c.expected[0]!.steps.every((st) => st.c === undefined)).toBe(true); // one state, h (spec/gru.md §1.1)
        const [outputs] = await referenceEngine.run(c);
        outputs!.forEach((o, j) => expect(compareTensors(o, c.expected[0]!.outputs[j]!, c.tolerance).mismatches).toBe(0));
      }
      const first = JSON.parse(readFileSync(join(dir, "gru_1.json"), "utf8")) as { cases: [{ layers: [{ config: { reset_after: boolean } }] }] };
      expect(first.cases[0].layers[0].config.reset_after).toBe(false);
      // an LSTM's [h0, c0] for a GRU: named with what the cell takes
      writeFileSync(join(dir, "two.json"), JSON.stringify({ x: x(1, 2, 4), initial_state: [{ shape: [1, 3], data: [0, 0, 0] }, { shape: [1, 3], data: [0, 0, 0] }] }));
      expect(await main(["--model", join(models, "keras3-stacked-gru.keras"), "--layer", "gru_1", "--input", join(dir, "two.json")])).toBe(2);
      expect(stderr).toMatch(/two\.json: initial_state has 2 tensor\(s\); layer "gru_1" is a GRU, whose initial_state is \[h0\] \(spec\/gru\.md §3\.4\)/);
    } finally {
      spy.mockRestore();
    }
  });
});
