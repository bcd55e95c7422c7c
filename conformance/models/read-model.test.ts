/**
 * The model files Keras saved (fixtures/models/, spec/fixture-format.md §8) read from TypeScript: their
 * weights, run through the reference, reproduce the outputs Keras recorded for them in models.json.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { compareTensors, describeComparison } from "../compare.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { readKerasModel, selectLstm } from "./read-model.ts";
import { runRecurrentStack } from "./run-model.ts";

interface RawTensor {
  readonly shape: number[];
  readonly data: number[];
}
interface ModelEntry {
  readonly path: string;
  readonly sha256: string;
  readonly keras_package: "keras" | "tf_keras";
  readonly format: "keras" | "h5";
  readonly recurrent_layers: { readonly name: string; readonly class_name: string; readonly config: Record<string, unknown> }[];
  readonly input: RawTensor;
  readonly outputs: RawTensor[];
}

const modelsDir = join(defaultFixturesDir(), "models");
const tensorOf = (t: RawTensor) => ({ shape: t.shape, data: Float32Array.from(t.data) });

function entries(): ModelEntry[] {
  return (JSON.parse(readFileSync(join(modelsDir, "models.json"), "utf8")) as { models: ModelEntry[] }).models;
}

describe("Keras model files read from TypeScript (spec/porting.md §9)", () => {
  it("models.json lists a Keras 3 .keras and a tf-keras .h5 file, stacked and Bidirectional, with matching sha256", () => {
    const list = entries();
    expect(list.some((e) => e.format === "keras")).toBe(true);
    expect(list.some((e) => e.format === "h5")).toBe(true);
    expect(list.some((e) => e.recurrent_layers.some((l) => l.class_name === "Bidirectional"))).toBe(true);
    expect(list.some((e) => e.recurrent_layers.filter((l) => l.class_name === "LSTM").length >= 2)).toBe(true);
    for (const e of list) expect(createHash("sha256").update(readFileSync(join(modelsDir, e.path))).digest("hex"), e.path).toBe(e.sha256);
  });

  it("reads every recurrent layer Keras lists, with its config, and the forward/backward halves apart", async () => {
    for (const e of entries()) {
      const model = await readKerasModel(join(modelsDir, e.path));
      expect(model.dialect, e.path).toBe(e.keras_package === "keras" ? "keras3" : "tf-keras");
      expect(model.recurrent.map((r) => [r.name, r.className]), e.path).toEqual(e.recurrent_layers.map((l) => [l.name, l.class_name]));
      for (const r of model.recurrent) {
        if (r.className === "LSTM") continue;
        expect(r.forward.config.go_backwards, `${e.path} ${r.name} forward`).toBe(false);
        expect(r.backward.config.go_backwards, `${e.path} ${r.name} backward`).toBe(true);
        expect(selectLstm(model, `${r.name}/backward`)).toBe(r.backward);
        expect(Array.from(r.forward.weights.kernel.data)).not.toEqual(Array.from(r.backward.weights.kernel.data));
      }
    }
  });

  it("the weights read from each file reproduce the outputs Keras recorded (through the reference)", async () => {
    for (const e of entries()) {
      const model = await readKerasModel(join(modelsDir, e.path));
      const got = runRecurrentStack(model, tensorOf(e.input));
      const tol = { atol: 1e-5, rtol: 1e-5 }; // spec/tolerance.md policy
      const cmp = compareTensors(got, tensorOf(e.outputs[0]!), tol);
      expect(cmp.mismatches, `${e.path}: ${describeComparison(cmp, tol)}`).toBe(0);
      // A test that cannot fail is a defect: the same weights with forward and backward swapped must not match.
      const bi = model.recurrent.find((r) => r.className === "Bidirectional");
      if (bi && bi.className === "Bidirectional") {
        const swapped = { ...model, recurrent: model.recurrent.map((r) => (r === bi ? { ...bi, forward: { ...bi.forward, weights: bi.backward.weights }, backward: { ...bi.backward, weights: bi.forward.weights } } : r)) };
        expect(compareTensors(runRecurrentStack(swapped, tensorOf(e.input)), tensorOf(e.outputs[0]!), tol).mismatches, e.path).toBeGreaterThan(0);
      }
    }
  });

  it("names the file and what is wrong for files it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "models-"));
    await expect(readKerasModel(join(dir, "absent.keras"))).rejects.toThrow(/absent.keras: cannot read/);
    writeFileSync(join(dir, "text.h5"), "not hdf5");
    await expect(readKerasModel(join(dir, "text.h5"))).rejects.toThrow(/text.h5: not an HDF5 file/);
    writeFileSync(join(dir, "empty.keras"), zipSync({ "config.json": strToU8("{}") }));
    await expect(readKerasModel(join(dir, "empty.keras"))).rejects.toThrow(/empty.keras: archive has no model.weights.h5/);
    const model = await readKerasModel(join(modelsDir, entries()[0]!.path));
    expect(() => selectLstm(model, "nope")).toThrow(/no LSTM named "nope" \(LSTM layers: /);
  });
});
