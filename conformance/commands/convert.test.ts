import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it, vi } from "vitest";
import { defaultFixturesDir } from "../package-paths.ts";
import { readWeightFile } from "../models/weight-file.ts";
import { LAYOUTS } from "../porting/layouts.ts";
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
});
