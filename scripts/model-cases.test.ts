// The generator's saved-model entries ({ model, layer, input }, scripts/README.md "Your own cases"): a bad
// entry gets one line naming the entry index and field, exit 2, no traceback and no output (issue 2, issue 6);
// a layer may be an LSTM, a GRU or a SimpleRNN, and a user case list may list all three (issue 12).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recurrentLayers } from "../conformance/case.ts";
import { referenceEngine } from "../conformance/engines/reference.ts";
import { loadFixtureFile } from "../conformance/fixtures/load.ts";
import { runSuite } from "../conformance/runner.ts";

const python = join(import.meta.dirname, "..", ".venv", "bin", "python");
const generator = join(import.meta.dirname, "generate_fixtures.py");
const models = join(import.meta.dirname, "..", "fixtures", "models");

function runList(cases: unknown[], family = "user/bad"): { status: number | null; stderr: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "model-cases-"));
  writeFileSync(join(dir, "x3.json"), JSON.stringify({ dtype: "float32", shape: [1, 2, 3], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }));
  writeFileSync(join(dir, "list.json"), JSON.stringify({ family, cases }));
  const out = join(dir, "out");
  const run = spawnSync(python, [generator, "cases", "--cases", join(dir, "list.json"), "--out", out], { encoding: "utf8", env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" } });
  return { status: run.status, stderr: run.stderr, out };
}

describe.skipIf(!existsSync(python))("generate_fixtures.py cases: saved-model entries", () => {
  it("checks fields and files before loading Keras (fast)", () => {
    const r = runList([
      { model: "missing.keras", layer: "lstm", input: "x3.json" },
      { model: join(models, "keras3-stacked-lstm.keras"), layer: "lstm", input: "nope.npy", seed: 3 },
      { model: join(models, "keras3-stacked-lstm.keras"), input: { shape: [2, 2], data: [1, 2, 3] } },
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cases\[0\]\.model: no such file: .*missing\.keras/);
    expect(r.stderr).toMatch(/cases\[1\]\.input: no such file: .*nope\.npy/);
    expect(r.stderr).toMatch(/cases\[1\]\.seed: unknown field for a model entry/);
    expect(r.stderr).toMatch(/cases\[2\]\.layer: must be the name of a recurrent layer: LSTM, GRU or SimpleRNN/);
    expect(r.stderr).toMatch(/cases\[2\]\.input: shape \(2, 2\) needs 4 values, has 3/);
    expect(r.stderr).not.toContain("Traceback");
    expect(existsSync(r.out)).toBe(false);
  });

  it("names an unknown layer (listing the recurrent layers), a whole Bidirectional, a wrong input width and a package clash", () => {
    const r = runList([
      { model: join(models, "keras3-stacked-lstm.keras"), layer: "encoder", input: "x3.json" },
      { model: join(models, "keras3-bidirectional-lstm.keras"), layer: "bidirectional", input: "x3.json" },
      { model: join(models, "keras3-stacked-lstm.keras"), layer: "lstm_1", input: "x3.json" },
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cases[0].layer: no layer "encoder" in the model; its recurrent layers: lstm (LSTM), lstm_1 (LSTM)');
    expect(r.stderr).toContain('cases[1].layer: "bidirectional" is a Bidirectional layer; name one half: "bidirectional/forward" or "bidirectional/backward"');
    expect(r.stderr).toContain('cases[2].input: shape (1, 2, 3); layer "lstm_1" needs (batch, timesteps, 4)');
    expect(r.stderr).not.toContain("Traceback");
    expect(existsSync(r.out)).toBe(false);
    const clash = runList([
      { model: join(models, "tf-keras-stacked-lstm.h5"), layer: "lstm", input: "x3.json" },
      { model: join(models, "keras3-stacked-lstm.keras"), layer: "lstm", input: "x3.json" },
    ]);
    expect(clash.status).toBe(2);
    expect(clash.stderr).toMatch(/cases\[1\]\.model: needs keras \(\.keras file\) but this list runs tf_keras/);
  }, 120_000);

  it("checks a user list's GRU and SimpleRNN layers by their own keys, before loading Keras (fast)", () => {
    const r = runList([
      { layers: [{ class_name: "GRU", config: { units: 2, unit_forget_bias: true, reset_after: "no" } }], input_shape: [1, 2, 3] },
      { layers: [{ class_name: "SimpleRNN", config: { units: 2, recurrent_activation: "sigmoid" } }], input_shape: [1, 2, 3] },
      { layers: [{ class_name: "Masking", config: { mask_value: 0 } }], input_shape: [1, 2, 3] },
      { layers: [{ class_name: "ConvLSTM1D", config: { units: 2 } }], input_shape: [1, 2, 3] },
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cases\[0\]\.layers\[0\]\.config\.unit_forget_bias: unsupported GRU option \(supported: .*reset_after/);
    expect(r.stderr).toMatch(/cases\[0\]\.layers\[0\]\.config\.reset_after: must be true or false/);
    expect(r.stderr).toMatch(/cases\[1\]\.layers\[0\]\.config\.recurrent_activation: unsupported SimpleRNN option/);
    expect(r.stderr).toMatch(/cases\[2\]\.layers: needs at least one recurrent layer \(LSTM, GRU or SimpleRNN\)/);
    expect(r.stderr).toMatch(/cases\[3\]\.layers\[0\]\.class_name: must be "LSTM", "GRU", "SimpleRNN" or "Masking"/);
    expect(r.stderr).not.toContain("Traceback");
  });

  it("makes cases of GRU and SimpleRNN layers — saved (Keras 3, tf-keras; a Bidirectional half; [h0]) or listed (mixed stacks) — computed by Keras; the reference passes each", async () => {
    const x = (b: number, t: number, d: number) => ({ dtype: "float32", shape: [b, t, d], data: Array.from({ length: b * t * d }, (_, k) => Math.sin(k + 1)) });
    const lists: [string, unknown[], string[]][] = [
      ["user/gru-models", [
        { model: join(models, "keras3-stacked-gru.keras"), layer: "gru_1", input: x(1, 2, 4), initial_state: [{ shape: [1, 3], data: [0.1, -0.2, 0.3] }] },
        { model: join(models, "keras3-bidirectional-gru.keras"), layer: "bidirectional/backward", input: x(1, 3, 2) },
      ], ["GRU", "GRU"]],
      ["user/rnn-model", [{ model: join(models, "tf-keras-stacked-simple-rnn.h5"), layer: "simple_rnn", input: x(2, 4, 3) }], ["SimpleRNN"]],
      ["user/cells", [
        { layers: [{ class_name: "GRU", config: { units: 3, reset_after: false, go_backwards: true, return_sequences: true } }, { class_name: "SimpleRNN", config: { units: 2, return_state: true } }], input_shape: [2, 5, 3], initial_state: true },
        { layers: [{ class_name: "Masking", config: { mask_value: 0 } }, { class_name: "GRU", config: { units: 2, return_sequences: true } }, { class_name: "LSTM", config: { units: 2 } }], input_shape: [3, 4, 2], mask: "mixed" },
      ], ["GRU+SimpleRNN", "GRU+LSTM"]],
    ];
    for (const [family, cases, cells] of lists) {
      const r = runList(cases, family);
      expect(r.status, r.stderr).toBe(0);
      const file = join(r.out, readdirSync(r.out).find((f) => f !== "manifest.json")!);
      const loaded = loadFixtureFile(file);
      expect(loaded.errors).toEqual([]);
      expect(loaded.cases.map((c) => recurrentLayers(c).map((l) => l.className).join("+"))).toEqual(cells);
      const suite = await runSuite(referenceEngine, loaded.cases, { diagnose: false });
      expect(suite.cases.map((c) => `${c.id} ${c.status} ${c.message}`)).toEqual(loaded.cases.map((c) => `${c.id} pass `));
    }
    // a GRU's initial_state is [h0]: [h0, c0] is named once the model shows the layer's class
    const two = runList([{ model: join(models, "keras3-stacked-gru.keras"), layer: "gru", input: x(1, 2, 3), initial_state: [{ shape: [1, 4], data: [0, 0, 0, 0] }, { shape: [1, 4], data: [0, 0, 0, 0] }] }]);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('cases[0].initial_state: 2 tensor(s); layer "gru" is a GRU, whose initial_state is [h0]');
  }, 300_000);
});
