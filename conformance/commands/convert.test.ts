import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it, vi } from "vitest";
import { defaultFixturesDir } from "../package-paths.ts";
import { readWeightFile } from "../models/weight-file.ts";
import { LAYOUTS, WEIGHT_LAYOUTS } from "../porting/layouts.ts";
import { main } from "./convert.ts";

function quiet<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  let stderr = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  return fn().then(
    (value) => (spy.mockRestore(), { value, stderr }),
    (e: unknown) => {
      spy.mockRestore();
      throw e;
    },
  );
}

const keras = {
  layout: "keras",
  tensors: {
    kernel: { shape: [3, 8], data: Array.from({ length: 24 }, (_, k) => k / 10 - 1) },
    recurrent_kernel: { shape: [2, 8], data: Array.from({ length: 16 }, (_, k) => 0.5 - k / 20) },
    bias: { shape: [8], data: [0.1, 0.2, 1, 1.1, -0.3, 0.4, 0.25, -0.5] },
  },
};

describe("keras-rnn-conformance convert (spec/porting.md §10)", () => {
  it("goes Keras → every layout → Keras and gives back the same weights (JSON and .npy)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convert-"));
    const src = join(dir, "keras.json");
    writeFileSync(src, JSON.stringify(keras));
    for (const layout of Object.keys(LAYOUTS)) {
      for (const ext of [".json", "-npy"]) {
        const mid = join(dir, `${layout}${ext}`);
        const back = join(dir, `${layout}-back${ext}`);
        const forward = await quiet(() => main(["--in", src, "--to", layout, "--out", mid, "--forget-bias", "0"]));
        expect(forward.value, forward.stderr).toBe(0);
        const reverse = await quiet(() => main(["--in", mid, "--from", layout, "--to", "keras", "--out", back, "--forget-bias", "0"]));
        expect(reverse.value, reverse.stderr).toBe(0);
        const t = readWeightFile(back).tensors;
        for (const [name, want] of Object.entries(keras.tensors)) expect(Array.from(t[name]!.data), `${layout}${ext} ${name}`).toEqual(want.data.map(Math.fround));
        if (LAYOUTS[layout]!.lossyToKeras && layout !== "keras") expect(reverse.stderr).toMatch(/summed \(lossy/);
      }
    }
  });

  it("exits 2 with the tensor and the expected shape on a bad file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convert-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ layout: "pytorch", tensors: { weight_ih_l0: { shape: [8, 3], data: new Array(24).fill(0) }, weight_hh_l0: { shape: [8, 3], data: new Array(24).fill(0) } } }));
    const r = await quiet(() => main(["--in", bad, "--to", "keras", "--out", join(dir, "o.json")]));
    expect(r.value).toBe(2);
    expect(r.stderr).toMatch(/weight_hh_l0: expected shape \(8, 2\), got \(8, 3\)/);
    const short = join(dir, "short.json");
    writeFileSync(short, JSON.stringify({ layout: "keras", tensors: { kernel: { shape: [3, 8], data: [1] } } }));
    const r2 = await quiet(() => main(["--in", short, "--to", "onnx", "--out", join(dir, "o.json")]));
    expect(r2.value).toBe(2);
    expect(r2.stderr).toMatch(/short.json: tensor "kernel": shape \(3, 8\) needs 24 values/);
    const r3 = await quiet(() => main(["--in", short, "--to", "coreml", "--out", join(dir, "o.json")]));
    expect(r3.value).toBe(2);
    expect(r3.stderr).toMatch(/--to coreml: unknown layout/);
  });

  it("refuses a small .keras whose config.json inflates past the 16 MiB limit, naming the member, its size and the limit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convert-"));
    const members = unzipSync(readFileSync(join(defaultFixturesDir(), "models", "keras3-stacked-lstm.keras")));
    const bomb = strToU8(`{}${" ".repeat((17 << 20) - 2)}`); // deflates ~1000:1, as far as deflate goes
    writeFileSync(join(dir, "bomb.keras"), zipSync({ ...members, "config.json": [bomb, { level: 9 }] }));
    expect(readFileSync(join(dir, "bomb.keras")).length).toBeLessThan(256 << 10);
    const r = await quiet(() => main(["--in", join(dir, "bomb.keras"), "--layer", "lstm", "--to", "pytorch", "--out", join(dir, "o.json")]));
    expect(r.value).toBe(2);
    expect(r.stderr).toMatch(/bomb\.keras: archive member config\.json declares 17 MiB uncompressed, over the 16 MiB limit for it; not inflated/);
    expect(existsSync(join(dir, "o.json"))).toBe(false);
  });

  const tensor = (shape: number[], f: (k: number) => number) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => Math.fround(f(k))) });
  /** A GRU (3 inputs, 2 units) with a reset-after (2, 6) or reset-before (6) bias, and a SimpleRNN (3 inputs, 2 units). */
  const gru = (resetAfter: boolean) => ({
    layout: "keras",
    tensors: {
      kernel: tensor([3, 6], (k) => k / 10 - 0.9),
      recurrent_kernel: tensor([2, 6], (k) => 0.5 - k / 17),
      bias: resetAfter ? tensor([2, 6], (k) => (k % 5) / 7 - 0.3) : tensor([6], (k) => k / 9 - 0.2),
    },
  });
  const simpleRnn = { layout: "keras", tensors: { kernel: tensor([3, 2], (k) => k / 5 - 0.5), recurrent_kernel: tensor([2, 2], (k) => 0.3 - k / 4), bias: tensor([2], (k) => k / 3 - 0.1) } };

  async function roundTrip(dir: string, name: string, weights: { tensors: Record<string, { shape: number[]; data: number[] }> }, layouts: readonly string[], extra: string[], summed: readonly string[]): Promise<void> {
    const src = join(dir, `${name}.json`);
    writeFileSync(src, JSON.stringify(weights));
    for (const layout of layouts) {
      for (const ext of [".json", "-npy"]) {
        const mid = join(dir, `${name}-${layout}${ext}`);
        const back = join(dir, `${name}-${layout}-back${ext}`);
        const forward = await quiet(() => main(["--in", src, "--to", layout, "--out", mid, ...extra]));
        expect(forward.value, forward.stderr).toBe(0);
        const reverse = await quiet(() => main(["--in", mid, "--from", layout, "--to", "keras", "--out", back, ...extra]));
        expect(reverse.value, `${layout}${ext}: ${reverse.stderr}`).toBe(0);
        const t = readWeightFile(back).tensors;
        for (const [n, want] of Object.entries(weights.tensors)) {
          expect(t[n]?.shape, `${name} ${layout}${ext} ${n}`).toEqual(want.shape);
          expect(Array.from(t[n]!.data), `${name} ${layout}${ext} ${n}`).toEqual(want.data);
        }
        if (summed.includes(layout)) expect(reverse.stderr).toMatch(/summed \(lossy/);
        else expect(reverse.stderr).not.toMatch(/summed/);
      }
    }
  }

  it("GRU (spec/porting.md §14): Keras → each layout of its convention → Keras gives back the weights; the other convention is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convert-gru-"));
    expect(Object.keys(WEIGHT_LAYOUTS.gru).sort()).toEqual(["cudnn", "cudnn-layer", "keras", "keras1", "onnx", "pytorch", "tf1"]);
    // reset_after=True: its bias rows are never summed, so even the two-bias layouts give it back exactly
    await roundTrip(dir, "after", gru(true), ["keras", "pytorch", "onnx", "cudnn", "cudnn-layer"], [], []);
    // reset_after=False: ONNX needs linear_before_reset=0 to read it back (an attribute; the JSON file says reset_after, .npy needs the flag)
    await roundTrip(dir, "before", gru(false), ["keras", "onnx", "keras1", "tf1"], ["--reset-after", "false"], ["onnx"]);
    const src = join(dir, "before.json");
    const toTorch = await quiet(() => main(["--in", src, "--to", "pytorch", "--out", join(dir, "x.json")]));
    expect(toTorch.value).toBe(2);
    expect(toTorch.stderr).toMatch(/reset_after=False has no torch\.nn\.GRU equivalent/);
    const toKeras1 = await quiet(() => main(["--in", join(dir, "after.json"), "--to", "keras1", "--out", join(dir, "y.json")]));
    expect(toKeras1.value).toBe(2);
    expect(toKeras1.stderr).toMatch(/reset_after=True has no Keras 1 GRU equivalent/);
    const tflite = await quiet(() => main(["--in", src, "--to", "tflite", "--out", join(dir, "z.json")]));
    expect(tflite.stderr).toMatch(/--to tflite: the GRU has no tflite layout \(it has keras, pytorch, onnx, cudnn, cudnn-layer, keras1, tf1; tflite is the LSTM's\)/);
    // ONNX: what no tensor says is said
    const onnx = await quiet(() => main(["--in", join(dir, "after.json"), "--to", "onnx", "--out", join(dir, "o.json")]));
    expect(onnx.stderr).toMatch(/converted keras → onnx \(GRU, reset_after=true\): W, R, B → .*; note: the ONNX GRU node needs linear_before_reset=1/);
    expect(JSON.parse(readFileSync(join(dir, "o.json"), "utf8"))).toMatchObject({ layout: "onnx", cell: "gru", reset_after: true });
  });

  it("SimpleRNN (spec/porting.md §15): Keras → each layout → Keras gives back the weights; a tf1 kernel/bias pair needs --cell", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convert-rnn-"));
    expect(Object.keys(WEIGHT_LAYOUTS.simple_rnn).sort()).toEqual(["keras", "keras1", "onnx", "pytorch", "tf1"]);
    await roundTrip(dir, "rnn", simpleRnn, ["keras", "pytorch", "onnx", "keras1"], [], ["pytorch", "onnx"]);
    await roundTrip(dir, "rnn-tf1", simpleRnn, ["tf1"], ["--cell", "simple_rnn"], []);
    // without --cell, the .npy pair is an LSTMCell's (as it always was): it does not fit, and says so
    const r = await quiet(() => main(["--in", join(dir, "rnn-tf1-tf1-npy"), "--from", "tf1", "--to", "keras", "--out", join(dir, "no.json")]));
    expect(r.value).toBe(2);
    expect(r.stderr).toMatch(/bias: expected shape \[4·num_units\]/);
  });

  it("tells the cell from a .npy directory's names and shapes (recurrent matrix (n·H, H), per-gate names)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convert-infer-"));
    writeFileSync(join(dir, "after.json"), JSON.stringify(gru(true)));
    expect((await quiet(() => main(["--in", join(dir, "after.json"), "--to", "pytorch", "--out", join(dir, "torch-npy")]))).value).toBe(0);
    // a bare .npy directory: no "cell" key, yet weight_hh_l0 (6, 2) is a GRU's
    const back = await quiet(() => main(["--in", join(dir, "torch-npy"), "--from", "pytorch", "--to", "keras", "--out", join(dir, "back.json")]));
    expect(back.stderr).toMatch(/converted pytorch → keras \(GRU, reset_after=true\)/);
    expect(readWeightFile(join(dir, "back.json")).tensors["bias"]!.shape).toEqual([2, 6]);
    const wrong = await quiet(() => main(["--in", join(dir, "after.json"), "--cell", "simple_rnn", "--to", "pytorch", "--out", join(dir, "w.json")]));
    expect(wrong.value).toBe(2);
    expect(wrong.stderr).toMatch(/keras\.recurrent_kernel: expected shape \(6, 6\), got \(2, 6\)/);
  });

  it("converts a GRU, a Bidirectional GRU and a SimpleRNN read from Keras model files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convert-models-"));
    const models = join(defaultFixturesDir(), "models");
    const gruFile = await quiet(() => main(["--in", join(models, "keras3-stacked-gru.keras"), "--layer", "gru", "--to", "pytorch", "--out", join(dir, "gru.json")]));
    expect(gruFile.value, gruFile.stderr).toBe(0);
    expect(Object.keys(readWeightFile(join(dir, "gru.json")).tensors)).toEqual(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]);
    // gru_1 is reset_after=False: PyTorch refuses it, ONNX takes it with linear_before_reset=0
    const before = await quiet(() => main(["--in", join(models, "keras3-stacked-gru.keras"), "--layer", "gru_1", "--to", "pytorch", "--out", join(dir, "no.json")]));
    expect(before.value).toBe(2);
    const onnx = await quiet(() => main(["--in", join(models, "keras3-stacked-gru.keras"), "--layer", "gru_1", "--to", "onnx", "--out", join(dir, "gru1.json")]));
    expect(onnx.stderr).toMatch(/linear_before_reset=0/);
    const bi = await quiet(() => main(["--in", join(models, "tf-keras-bidirectional-gru.h5"), "--layer", "bidirectional", "--to", "onnx", "--out", join(dir, "bi.json")]));
    expect(bi.value, bi.stderr).toBe(0);
    expect(readWeightFile(join(dir, "bi.json")).tensors["W"]!.shape[0]).toBe(2);
    const rnn = await quiet(() => main(["--in", join(models, "tf-keras-stacked-simple-rnn.h5"), "--layer", "simple_rnn_1", "--to", "tf1", "--out", join(dir, "rnn.json")]));
    expect(rnn.value, rnn.stderr).toBe(0);
    expect(readWeightFile(join(dir, "rnn.json"))).toMatchObject({ layout: "tf1", cell: "simple_rnn" });
    const clash = await quiet(() => main(["--in", join(models, "keras3-stacked-gru.keras"), "--layer", "gru", "--cell", "lstm", "--to", "onnx", "--out", join(dir, "c.json")]));
    expect(clash.stderr).toMatch(/--cell lstm: layer "gru" of .* is a GRU/);
  });
});
