/**
 * The worked example of spec/lstm.md §5: every intermediate value Keras computed
 * (fixtures/keras3/worked-example.json) is reproduced by the reference's own step, and the tables in
 * the spec quote exactly that file.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { activationByName, preActivations, type LstmParams } from "./index.ts";

interface Arr {
  readonly shape: number[];
  readonly data: number[];
}
interface WorkedExample {
  readonly weights: (Arr & { name: string })[];
  readonly x: Arr;
  readonly steps: { t: number; z: Arr; i: Arr; f: Arr; g: Arr; o: Arr; c: Arr; h: Arr }[];
}

const root = new URL("../", import.meta.url);
const example = JSON.parse(readFileSync(new URL("fixtures/keras3/worked-example.json", root), "utf8")) as WorkedExample;
const spec = readFileSync(new URL("spec/lstm.md", root), "utf8");
const weight = (name: string) => Float64Array.from(example.weights.find((w) => w.name === name)!.data);

describe("spec/lstm.md §5 worked example", () => {
  const p: LstmParams = { inputDim: 2, units: 2, kernel: weight("kernel"), recurrentKernel: weight("recurrent_kernel"), bias: weight("bias") };
  const sigmoid = activationByName("sigmoid", "keras3");
  const tanh = activationByName("tanh", "keras3");

  it("the reference reproduces every z, i, f, g, o, c, h that Keras computed (§2.1)", () => {
    let h = new Float64Array(2);
    let c = new Float64Array(2);
    const z = new Float64Array(8);
    for (const step of example.steps) {
      preActivations(p, Float64Array.from(example.x.data), step.t * 2, h, 0, z);
      const gates = {
        i: [0, 1].map((k) => sigmoid(z[k]!)),
        f: [0, 1].map((k) => sigmoid(z[2 + k]!)),
        g: [0, 1].map((k) => tanh(z[4 + k]!)),
        o: [0, 1].map((k) => sigmoid(z[6 + k]!)),
      };
      const cNext = Float64Array.from([0, 1], (k) => gates.f[k]! * c[k]! + gates.i[k]! * gates.g[k]!);
      const hNext = Float64Array.from([0, 1], (k) => gates.o[k]! * tanh(cNext[k]!));
      const close = (ours: ArrayLike<number>, keras: Arr) => expect(Array.from(ours)).toEqual(keras.data.map((v) => expect.closeTo(v, 6)));
      close(z, step.z);
      close(gates.i, step.i);
      close(gates.f, step.f);
      close(gates.g, step.g);
      close(gates.o, step.o);
      close(cNext, step.c);
      close(hNext, step.h);
      [h, c] = [hNext, cNext];
    }
  });

  it("the spec's tables quote the file, to 7 significant digits", () => {
    const fmt = (v: number) => String(Number(v.toPrecision(7)));
    const row = (label: string, values: string[]) => `| ${label} | ${values.join(" | ")} |`;
    const pair = (a: Arr, from = 0) => `[${fmt(a.data[from]!)}, ${fmt(a.data[from + 1]!)}]`;
    const blocks = ["i", "f", "c", "o"] as const;
    blocks.forEach((gate, k) => {
      expect(spec).toContain(row(`\`z_${gate}\``, example.steps.map((s) => pair(s.z, 2 * k))));
    });
    for (const [q, label] of [["i", "`i = σ(z_i)`"], ["f", "`f = σ(z_f)`"], ["g", "`g = tanh(z_c)`"], ["o", "`o = σ(z_o)`"], ["c", "`c_t = f⊙c_{t-1} + i⊙g`"], ["h", "`h_t = o⊙tanh(c_t)`"]] as const) {
      expect(spec).toContain(row(label, example.steps.map((s) => pair(s[q]))));
    }
    expect(spec).toContain(row("x feature 0", Array.from(weight("kernel").subarray(0, 8), fmt)));
  });
});
