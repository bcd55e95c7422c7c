// `fixture --keras` (issue 6, "Real Keras files"): the case computed by real Keras through the generator's
// saved-model entry (scripts/README.md "Your own cases") must load, be passed by the reference, and agree with
// the reference-computed case made from the same file. Needs the pinned venv; each Keras run costs ~10 s.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { compareTensors } from "../compare.ts";
import { referenceEngine } from "../engines/reference.ts";
import { loadFixtureFile } from "../fixtures/load.ts";
import { defaultFixturesDir, packageRoot } from "../package-paths.ts";
import { runSuite } from "../runner.ts";
import { main } from "./fixture.ts";

const models = join(defaultFixturesDir(), "models");
const venvPython = join(packageRoot(), ".venv", "bin", "python");
const KERAS_TIMEOUT_MS = 180_000;

interface ModelEntry { path: string; input: { shape: number[]; data: number[] } }
const recorded = (JSON.parse(readFileSync(join(models, "models.json"), "utf8")) as { models: ModelEntry[] }).models;

/** Runs the command, capturing what it writes to stderr. */
async function fixture(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    return { code: await main(args), stderr };
  } finally {
    spy.mockRestore();
  }
}

/** Loads a written fixture, checks it validates, the reference passes it, and returns it with its provenance. */
async function loadAndPass(file: string) {
  const loaded = loadFixtureFile(file);
  expect(loaded.errors).toEqual([]);
  expect(loaded.cases).toHaveLength(1);
  const suite = await runSuite(referenceEngine, loaded.cases);
  expect(suite.cases.map((c) => [c.id, c.status, c.message])).toEqual([[loaded.cases[0]!.id, "pass", ""]]);
  const json = JSON.parse(readFileSync(file, "utf8")) as { provenance: Record<string, unknown> };
  return { c: loaded.cases[0]!, provenance: json.provenance };
}

describe("keras-rnn-conformance fixture --keras", () => {
  it("names an unknown layer and the recurrent layers present, exit 2, before starting Python", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fixture-keras-"));
    writeFileSync(join(dir, "x.json"), JSON.stringify(recorded[0]!.input));
    const { code, stderr } = await fixture(["--model", join(models, "keras3-stacked-lstm.keras"), "--layer", "encoder", "--input", join(dir, "x.json"), "--keras"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/"encoder".*lstm \(LSTM\), lstm_1 \(LSTM\)/);
    expect(stderr).not.toMatch(/running Keras|Traceback/);
  });

  it.skipIf(!existsSync(venvPython))("computes a .keras model's layer with Keras 3; the reference agrees with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fixture-keras-"));
    const model = join(models, "keras3-stacked-lstm.keras");
    const entry = recorded.find((m) => m.path === "keras3-stacked-lstm.keras")!;
    writeFileSync(join(dir, "x.json"), JSON.stringify(entry.input));
    const args = ["--model", model, "--layer", "lstm", "--input", join(dir, "x.json")];
    const started = performance.now();
    const keras = await fixture([...args, "--keras", "--out", join(dir, "keras.json")]);
    const seconds = (performance.now() - started) / 1000;
    expect(keras.stderr).toMatch(/computed by Keras/);
    expect(keras.code).toBe(0);
    expect(await fixture([...args, "--out", join(dir, "reference.json")])).toMatchObject({ code: 0 });

    const byKeras = await loadAndPass(join(dir, "keras.json"));
    const byReference = await loadAndPass(join(dir, "reference.json"));
    expect(byKeras.provenance).toMatchObject({ generator: "scripts/generate_fixtures.py", backend: "tensorflow", keras_package: "keras", keras: "3.15.1" });
    expect(byKeras.c.description).toMatch(/^Keras-computed/);
    expect(byKeras.c.tolerance.source).not.toMatch(/reference/);
    expect(byKeras.c.id).toBe(byReference.c.id);
    // same inputs, same weights, and outputs (2, 5, 4) within the policy tolerance of each other
    expect(byKeras.c.calls[0]!.x).toEqual(byReference.c.calls[0]!.x);
    expect(byKeras.c.layers[0]!.className === "LSTM" && byKeras.c.layers[0]!.weights).toEqual(byReference.c.layers[0]!.className === "LSTM" && byReference.c.layers[0]!.weights);
    const [kOut, rOut] = [byKeras.c.expected[0]!.outputs, byReference.c.expected[0]!.outputs];
    expect(kOut.map((o) => o.shape)).toEqual([[2, 5, 4]]);
    expect(rOut.map((o) => o.shape)).toEqual([[2, 5, 4]]);
    kOut.forEach((o, j) => expect(compareTensors(o, rOut[j]!, byKeras.c.tolerance).mismatches).toBe(0));
    const steps = [byKeras.c.expected[0]!.steps[0]!, byReference.c.expected[0]!.steps[0]!];
    expect(compareTensors(steps[0]!.c!, steps[1]!.c!, byKeras.c.tolerance).mismatches).toBe(0);
    // computed independently (float32 Keras vs the float64 reference): not a copy of the reference file
    expect(kOut[0]!.data.some((v, k) => v !== rOut[0]!.data[k])).toBe(true);
    expect(seconds).toBeLessThan(120);
  }, KERAS_TIMEOUT_MS);

  it.skipIf(!existsSync(venvPython))("computes a tf-keras .h5 layer (with an initial state) on tf_keras", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fixture-keras-"));
    const x = { shape: [2, 3, 4], data: Array.from({ length: 24 }, (_, k) => Math.sin(1.7 * k)) };
    const h0 = { shape: [2, 3], data: [0.5, -0.2, 0.1, 0.3, 0.9, -0.7] };
    const c0 = { shape: [2, 3], data: [1, -1, 0.5, 2, 0.25, -0.5] };
    writeFileSync(join(dir, "in.json"), JSON.stringify({ x, initial_state: [h0, c0] }));
    const args = ["--model", join(models, "tf-keras-stacked-lstm.h5"), "--layer", "lstm_1", "--input", join(dir, "in.json")];
    expect(await fixture([...args, "--keras", "--out", join(dir, "keras.json")])).toMatchObject({ code: 0 });
    expect(await fixture([...args, "--out", join(dir, "reference.json")])).toMatchObject({ code: 0 });
    const byKeras = await loadAndPass(join(dir, "keras.json"));
    const byReference = await loadAndPass(join(dir, "reference.json"));
    expect(byKeras.provenance).toMatchObject({ keras_package: "tf_keras", keras: "2.21.0", jax: null });
    expect(byKeras.c.dialect).toBe("tf-keras");
    expect(byKeras.c.calls[0]!.initialState).toHaveLength(2);
    const [kOut, rOut] = [byKeras.c.expected[0]!.outputs, byReference.c.expected[0]!.outputs];
    expect(kOut.map((o) => o.shape)).toEqual([[2, 3]]);
    kOut.forEach((o, j) => expect(compareTensors(o, rOut[j]!, byKeras.c.tolerance).mismatches).toBe(0));
  }, KERAS_TIMEOUT_MS);

  it.skipIf(!existsSync(venvPython))("computes a GRU (reset_after=False, given [h0]) of a .keras file with Keras 3; the reference-computed case agrees", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fixture-keras-"));
    const x = { shape: [2, 3, 4], data: Array.from({ length: 24 }, (_, k) => Math.cos(1.3 * k)) };
    writeFileSync(join(dir, "in.json"), JSON.stringify({ x, initial_state: [{ shape: [2, 3], data: [0.5, -0.2, 0.1, 0.3, 0.9, -0.7] }] }));
    const args = ["--model", join(models, "keras3-stacked-gru.keras"), "--layer", "gru_1", "--input", join(dir, "in.json")];
    expect(await fixture([...args, "--keras", "--out", join(dir, "keras.json")])).toMatchObject({ code: 0 });
    expect(await fixture([...args, "--out", join(dir, "reference.json")])).toMatchObject({ code: 0 });
    const byKeras = await loadAndPass(join(dir, "keras.json"));
    const byReference = await loadAndPass(join(dir, "reference.json"));
    expect(byKeras.provenance).toMatchObject({ generator: "scripts/generate_fixtures.py", keras_package: "keras" });
    const layer = byKeras.c.layers[0]!;
    expect(layer.className === "GRU" && [layer.config.reset_after, layer.weights.bias!.shape]).toEqual([false, [9]]);
    expect(byKeras.c.calls[0]!.initialState).toHaveLength(1);
    const [kOut, rOut] = [byKeras.c.expected[0]!.outputs, byReference.c.expected[0]!.outputs];
    expect(kOut.map((o) => o.shape)).toEqual([[2, 3]]);
    kOut.forEach((o, j) => expect(compareTensors(o, rOut[j]!, byKeras.c.tolerance).mismatches).toBe(0));
    expect(byKeras.c.expected[0]!.steps[0]!.c).toBeUndefined(); // one state (spec/gru.md §1.1)
  }, KERAS_TIMEOUT_MS);
});
