// The generator's saved-model entries ({ model, layer, input }, scripts/README.md "Your own cases"): a bad
// entry gets one line naming the entry index and field, exit 2, no traceback and no output (issue 2, issue 6).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const python = join(import.meta.dirname, "..", ".venv", "bin", "python");
const generator = join(import.meta.dirname, "generate_fixtures.py");
const models = join(import.meta.dirname, "..", "fixtures", "models");

function runList(cases: unknown[]): { status: number | null; stderr: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "model-cases-"));
  writeFileSync(join(dir, "x3.json"), JSON.stringify({ dtype: "float32", shape: [1, 2, 3], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }));
  writeFileSync(join(dir, "list.json"), JSON.stringify({ family: "user/bad", cases }));
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
    expect(r.stderr).toMatch(/cases\[2\]\.layer: must be the name of an LSTM layer/);
    expect(r.stderr).toMatch(/cases\[2\]\.input: shape \(2, 2\) needs 4 values, has 3/);
    expect(r.stderr).not.toContain("Traceback");
    expect(existsSync(r.out)).toBe(false);
  });

  it("names an unknown layer (listing the LSTMs), a whole Bidirectional, a wrong input width and a package clash", () => {
    const r = runList([
      { model: join(models, "keras3-stacked-lstm.keras"), layer: "encoder", input: "x3.json" },
      { model: join(models, "keras3-bidirectional-lstm.keras"), layer: "bidirectional", input: "x3.json" },
      { model: join(models, "keras3-stacked-lstm.keras"), layer: "lstm_1", input: "x3.json" },
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cases[0].layer: no layer "encoder" in the model; its LSTM layers: lstm, lstm_1');
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
});
