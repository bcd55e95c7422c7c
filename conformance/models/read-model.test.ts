/**
 * The model files Keras saved (fixtures/models/, spec/fixture-format.md §8) read from TypeScript: their
 * weights, run through the reference, reproduce the outputs Keras recorded for them in models.json.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { compareTensors, describeComparison } from "../compare.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { DEFAULT_MODEL_FILE_LIMITS, readKerasModel, selectLstm, selectRecurrent } from "./read-model.ts";
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
    // every cell, in both formats, and a stack mixing cells
    for (const cls of ["LSTM", "GRU", "SimpleRNN"]) {
      for (const format of ["keras", "h5"]) expect(list.some((e) => e.format === format && JSON.stringify(e.recurrent_layers).includes(`"class_name":"${cls}"`)), `${cls} ${format}`).toBe(true);
    }
    expect(list.some((e) => new Set(e.recurrent_layers.map((l) => l.class_name)).size > 1)).toBe(true);
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
      for (const [k, r] of model.recurrent.entries()) {
        const listed = e.recurrent_layers[k]!;
        if (r.className !== "Bidirectional") {
          // the config as Keras wrote it, the cell's own keys included (reset_after; none for a SimpleRNN)
          for (const key of ["units", "activation", "recurrent_activation", "use_bias", "reset_after", "return_sequences", "return_state", "go_backwards", "stateful"]) {
            expect(r.cell.config[key], `${e.path} ${r.name} ${key}`).toEqual(listed.config[key]);
          }
          expect(r.cell.className).toBe(r.className);
          expect(selectRecurrent(model, r.name)).toBe(r.cell);
          continue;
        }
        const inner = (listed.config["layer"] as { class_name: string }).class_name;
        expect([r.forward.className, r.backward.className], `${e.path} ${r.name}`).toEqual([inner, inner]);
        expect(r.forward.config.go_backwards, `${e.path} ${r.name} forward`).toBe(false);
        expect(r.backward.config.go_backwards, `${e.path} ${r.name} backward`).toBe(true);
        expect(selectRecurrent(model, `${r.name}/backward`)).toBe(r.backward);
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
    const mixed = await readKerasModel(join(modelsDir, "keras3-simple-rnn-gru.keras"));
    expect(() => selectRecurrent(mixed, "nope")).toThrow(/no recurrent layer named "nope" \(recurrent layers: simple_rnn \(SimpleRNN\), gru \(GRU\)\)/);
    expect(() => selectLstm(mixed, "gru")).toThrow(/"gru" is a GRU layer, not an LSTM/);
  });
});

describe("GRU and SimpleRNN layers in model files (spec/porting.md §16)", () => {
  /** A copy of a shipped `.keras` file with its config edited. */
  function editedConfig(name: string, edit: (layers: { class_name: string; config: Record<string, unknown> }[]) => void): string {
    const members = unzipSync(readFileSync(join(modelsDir, name)));
    const config = JSON.parse(new TextDecoder().decode(members["config.json"])) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    edit(config.config.layers);
    return writeTemp(name, zipSync({ ...members, "config.json": strToU8(JSON.stringify(config)) }));
  }

  it("reads a GRU's reset_after and (2, 3u) or (3u) bias, a SimpleRNN without recurrent_activation, and the cells' variables from cell/vars", async () => {
    const gru = await readKerasModel(join(modelsDir, "keras3-stacked-gru.keras"));
    const [a, b] = gru.recurrent.map((r) => (r.className === "GRU" ? r.cell : undefined));
    expect([a!.config.reset_after, a!.weights.bias!.shape, a!.source]).toEqual([true, [2, 12], "layers/gru/cell/vars"]);
    expect([b!.config.reset_after, b!.weights.bias!.shape, b!.source]).toEqual([false, [9], "layers/gru_1/cell/vars"]);
    const rnn = await readKerasModel(join(modelsDir, "tf-keras-stacked-simple-rnn.h5"));
    const first = rnn.recurrent[0]!;
    expect(first.className === "SimpleRNN" && "recurrent_activation" in first.cell.config).toBe(false);
    expect(first.className === "SimpleRNN" && first.cell.weights.recurrent_kernel.shape).toEqual([4, 4]);
  });

  it("a GRU config without reset_after (Keras 2.0–2.1.4) is read as reset_after=False (spec/gru.md §6 Q9); a bias that does not fit is named", async () => {
    const noKey = editedConfig("keras3-stacked-gru.keras", (layers) => {
      delete layers.find((l) => l.config["name"] === "gru_1")!.config["reset_after"];
    });
    const read = await readKerasModel(noKey);
    const r = read.recurrent[1]!;
    expect(r.className === "GRU" && r.cell.config.reset_after).toBe(false);
    const wrong = editedConfig("keras3-stacked-gru.keras", (layers) => {
      delete layers.find((l) => l.config["name"] === "gru")!.config["reset_after"];
    });
    await expect(readKerasModel(wrong)).rejects.toThrow(/gru: bias has shape \(2, 12\), GRU\(units=4, reset_after=false\) needs \(12\) \(spec\/gru\.md §1\.1\)/);
    const noUnits = editedConfig("keras3-simple-rnn-gru.keras", (layers) => {
      delete layers.find((l) => l.class_name === "SimpleRNN")!.config["activation"];
    });
    await expect(readKerasModel(noUnits)).rejects.toThrow(/simple_rnn: SimpleRNN config has no "activation"/);
  });
});

// ---- zip bombs and other crafted archives (a small file must not make the reader allocate gigabytes) ----

/** The members of a shipped `.keras` file, to rebuild crafted archives from. */
function shippedMembers(name = "keras3-stacked-lstm.keras"): Record<string, Uint8Array> {
  return unzipSync(readFileSync(join(modelsDir, name)));
}

/** Offset of the central directory entry of `name` (APPNOTE §4.3.12), found without the reader under test. */
function centralEntry(zip: Uint8Array, name: string): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const n = strToU8(name);
  for (let at = zip.length - 46; at >= 0; at--) {
    if (view.getUint32(at, true) === 0x02014b50 && view.getUint16(at + 28, true) === n.length && n.every((b, k) => zip[at + 46 + k] === b)) return at;
  }
  throw new Error(`test zip has no ${name}`);
}

/** Makes the central directory declare another uncompressed size for `name` (a lying archive). */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  new DataView(zip.buffer, zip.byteOffset, zip.byteLength).setUint32(centralEntry(zip, name) + 24, size, true);
  return zip;
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const file = join(mkdtempSync(join(tmpdir(), "models-zip-")), name);
  writeFileSync(file, bytes);
  return file;
}

describe("Keras 3 archives are read member by member, under size limits", () => {
  it("inflates only config.json, metadata.json and model.weights.h5: another member is never touched", async () => {
    const zip = zipSync({ "assets/junk.bin": new Uint8Array(4096).fill(7), ...shippedMembers() });
    // Corrupt the junk member's deflate data: reading it at all would fail.
    const view = new DataView(zip.buffer);
    const entry = centralEntry(zip, "assets/junk.bin");
    const local = view.getUint32(entry + 42, true);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    zip.fill(0xff, start, start + view.getUint32(entry + 20, true));
    const model = await readKerasModel(writeTemp("junk.keras", zip));
    expect(model.recurrent.map((r) => r.name)).toEqual(["lstm", "lstm_1"]);
  });

  it("refuses a member whose declared size is over its limit, before inflating it", async () => {
    const big = strToU8(`{}${" ".repeat((2 << 20) - 2)}`); // 2 MiB of JSON that deflates to a few KiB
    const file = writeTemp("big-config.keras", zipSync({ ...shippedMembers(), "config.json": [big, { level: 9 }] }));
    expect(readFileSync(file).length).toBeLessThan(64 << 10);
    await expect(readKerasModel(file, { limits: { configJson: 1 << 20 } })).rejects.toThrow(/big-config.keras: archive member config.json declares 2 MiB uncompressed, over the 1 MiB limit for it; not inflated/);
  });

  it("stops inflating a member at the size its entry declares, when the archive lies about it", async () => {
    const zeros = new Uint8Array(8 << 20); // 8 MiB inflated from ~8 KiB, declared as 1000 bytes
    const zip = declareSize(zipSync({ ...shippedMembers(), "model.weights.h5": [zeros, { level: 9 }] }), "model.weights.h5", 1000);
    await expect(readKerasModel(writeTemp("liar.keras", zip))).rejects.toThrow(/liar.keras: archive member model.weights.h5 inflates to more than the 1000 bytes its zip entry declares \(limit 1 GiB\); stopped there/);
  });

  it("refuses an archive with two members of the same name (zip readers disagree on which one counts)", async () => {
    const members = shippedMembers();
    const zip = zipSync({ ...members, "config.jsoX": strToU8("{}") });
    // Rename the extra member to config.json in both its local and its central header (same length).
    const from = strToU8("config.jsoX");
    for (let at = 0; at + from.length <= zip.length; at++) if (from.every((b, k) => zip[at + k] === b)) zip[at + from.length - 1] = "n".charCodeAt(0);
    await expect(readKerasModel(writeTemp("twice.keras", zip))).rejects.toThrow(/twice.keras: archive has 2 members named config.json/);
  });

  it("refuses an HDF5 weight array larger than the weights limit before reading it (a chunked gzip dataset can declare gigabytes in a small file)", async () => {
    const h5 = entries().find((e) => e.format === "h5")!.path;
    await expect(readKerasModel(join(modelsDir, h5), { limits: { weights: 64 } })).rejects.toThrow(/dataset "model_weights\/.*kernel:0" of shape \(\d+, \d+\) holds \d+ bytes, over the 64 bytes limit for one weight array; not read/);
  });

  it("defaults: 16 MiB config.json, 1 MiB metadata.json, 1 GiB model.weights.h5 and per weight array", () => {
    expect(DEFAULT_MODEL_FILE_LIMITS).toEqual({ configJson: 16 << 20, metadataJson: 1 << 20, weights: 1 << 30 });
  });

  it("does not read a layer of a custom class named LSTM as Keras's LSTM", async () => {
    const members = shippedMembers();
    const config = JSON.parse(new TextDecoder().decode(members["config.json"])) as { config: { layers: { class_name: string; module?: string; config: { name: string } }[] } };
    const custom = config.config.layers.find((l) => l.config.name === "lstm_1")!;
    custom.module = "my_layers";
    const model = await readKerasModel(writeTemp("custom.keras", zipSync({ ...members, "config.json": strToU8(JSON.stringify(config)) })));
    expect(model.recurrent.map((r) => r.name)).toEqual(["lstm"]);
    expect(model.skipped).toEqual([{ name: "lstm_1", className: "LSTM", reason: `not Keras's own LSTM: its class comes from module "my_layers", not from Keras` }]);
    expect(model.code.map((c) => [c.layer, c.className])).toEqual([["lstm_1", "LSTM"]]);
  });
});
