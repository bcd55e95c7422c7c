/**
 * The GRU and SimpleRNN cells (reference/cells/gru.ts, simple-rnn.ts) against values derivable by
 * hand and against the worked examples Keras computed (spec/gru.md §5, spec/simple-rnn.md §5;
 * fixtures/keras3/worked-example-gru*.json, worked-example-simple-rnn.json). The corpus runs through
 * them in the suite (conformance/cli.ts on the reference).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { activationByName, CELL_LAYOUTS, gru, gruCellStep, runModel, simpleRnn, simpleRnnCellStep, type GruParams } from "./index.ts";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const tanh = activationByName("tanh", "keras3");
const f = { act: tanh, recAct: activationByName("sigmoid", "keras3") };

describe("GRU, units = 1, input_dim = 1: the equations written out (spec/gru.md §2)", () => {
  // kernel (1, 3) and recurrent (1, 3) in block order z, r, h; bias (2, 3) rows input, recurrent
  const W = [0.5, -0.25, 0.75];
  const U = [0.1, 0.2, -0.3];
  const bi = [0.01, 0.4, -0.02];
  const bh = [0.03, -0.1, 0.6];
  const x = 0.8;
  const h0 = 0.3;

  it("reset_after = true: the reset gate scales h·U_h + b_hh (§2.1)", () => {
    const z = sigmoid(x * W[0]! + bi[0]! + h0 * U[0]! + bh[0]!);
    const r = sigmoid(x * W[1]! + bi[1]! + h0 * U[1]! + bh[1]!);
    const hh = Math.tanh(x * W[2]! + bi[2]! + r * (h0 * U[2]! + bh[2]!));
    const h = z * h0 + (1 - z) * hh;
    const [out, hOut] = gru({ units: 1, return_state: true }, { kernel: W, recurrent_kernel: U, bias: [...bi, ...bh] }, { x: [x], shape: [1, 1, 1], initialState: [[h0]] });
    expect(out!.data[0]).toBeCloseTo(h, 15);
    expect(hOut!.data[0]).toBeCloseTo(h, 15);
  });

  it("reset_after = false: the reset gate scales h before its product with U_h; one (3u) bias (§2.2)", () => {
    const z = sigmoid(x * W[0]! + bi[0]! + h0 * U[0]!);
    const r = sigmoid(x * W[1]! + bi[1]! + h0 * U[1]!);
    const hh = Math.tanh(x * W[2]! + bi[2]! + r * h0 * U[2]!);
    const h = z * h0 + (1 - z) * hh;
    const [out] = gru({ units: 1, reset_after: false }, { kernel: W, recurrent_kernel: U, bias: bi }, { x: [x], shape: [1, 1, 1], initialState: [[h0]] });
    expect(out!.data[0]).toBeCloseTo(h, 15);
  });

  it("zero weights: z = ½ keeps half the old state, h̃ = 0 (§2.3)", () => {
    const [, h] = gru({ units: 1, return_state: true }, { kernel: [0, 0, 0], recurrent_kernel: [0, 0, 0], bias: [0, 0, 0, 0, 0, 0] }, { x: [1, 2, 3], shape: [1, 3, 1], initialState: [[1]] });
    expect(h!.data[0]).toBe(0.125);
  });

  it("refuses a bias of the other convention and an initial state of two tensors, citing the spec", () => {
    expect(() => gru({ units: 1 }, { kernel: W, recurrent_kernel: U, bias: bi }, { x: [x], shape: [1, 1, 1] })).toThrow(/GRU bias must have shape \(2, 3\) \(6 values\), got 3 \(spec\/gru\.md §1\.1\)/);
    expect(() => gru({ units: 1 }, { kernel: W, recurrent_kernel: U, bias: [...bi, ...bh] }, { x: [x], shape: [1, 1, 1], initialState: [[h0], [h0]] })).toThrow(/initial_state must be \[h0\], \(1, 1\) \(spec\/gru\.md §3\.4\)/);
  });
});

describe("SimpleRNN (spec/simple-rnn.md §2.1)", () => {
  it("h_t = act(x_t·W + b + h_{t-1}·U), two steps by hand", () => {
    const h1 = Math.tanh(0.5 * 2 + 0.1 + 0.3 * -0.4);
    const h2 = Math.tanh(0.5 * -1 + 0.1 + h1 * -0.4);
    const [out, h] = simpleRnn({ units: 1, return_sequences: true, return_state: true }, { kernel: [0.5], recurrent_kernel: [-0.4], bias: [0.1] }, { x: [2, -1], shape: [1, 2, 1], initialState: [[0.3]] });
    expect(Array.from(out!.data)).toEqual([expect.closeTo(h1, 15), expect.closeTo(h2, 15)]);
    expect(h!.data[0]).toBeCloseTo(h2, 15);
  });

  it("returns [output, h]; its step is the cell's", () => {
    const p = { inputDim: 1, units: 1, kernel: Float64Array.of(0.5), recurrentKernel: Float64Array.of(-0.4), bias: null };
    const step = simpleRnnCellStep(p, tanh, 1, Float64Array.of(2), 0, 1, Float64Array.of(0.3));
    expect(step[0]).toBe(Math.tanh(1 + 0.3 * -0.4));
    expect(simpleRnn({ units: 1, return_state: true, use_bias: false }, { kernel: [0.5], recurrent_kernel: [-0.4] }, { x: [2], shape: [1, 1, 1], initialState: [[0.3]] }).length).toBe(2);
  });
});

describe("a mixed stack: GRU → LSTM → SimpleRNN, each layer its own cell (spec/gru.md §3.1)", () => {
  it("runs, with c recorded for the LSTM only", () => {
    const fill = (n: number, v: number) => Array.from({ length: n }, (_, k) => v * Math.sin(k + 1));
    const [r] = runModel(
      [
        { className: "GRU", config: { units: 2, return_sequences: true }, weights: { kernel: fill(6, 0.5), recurrent_kernel: fill(12, 0.4), bias: fill(12, 0.1) } },
        { className: "LSTM", config: { units: 3, return_sequences: true }, weights: { kernel: fill(24, 0.5), recurrent_kernel: fill(36, 0.4), bias: fill(12, 0.1) } },
        { className: "SimpleRNN", config: { units: 2, return_state: true }, weights: { kernel: fill(6, 0.5), recurrent_kernel: fill(4, 0.4), bias: fill(2, 0.1) } },
      ],
      [{ x: fill(8, 1), shape: [2, 4, 1] }],
    );
    expect(r!.outputs.map((t) => t.shape)).toEqual([[2, 2], [2, 2]]);
    expect(r!.steps.map((s) => [s.layer, s.c !== undefined])).toEqual([[0, false], [1, true], [2, false]]);
  });
});

// ---- the worked examples Keras computed ---------------------------------------------------------

interface Arr {
  readonly shape: number[];
  readonly data: number[];
}
interface WorkedExample {
  readonly config: Record<string, unknown>;
  readonly weights: (Arr & { name: string })[];
  readonly x: Arr;
  readonly steps: ({ t: number; h: Arr } & Record<string, Arr | number>)[];
  readonly outputs: Arr[];
}
const root = new URL("../", import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/keras3/${name}`, root), "utf8")) as WorkedExample;
const weightOf = (e: WorkedExample, name: string) => Float64Array.from(e.weights.find((w) => w.name === name)!.data);
const close = (ours: ArrayLike<number>, keras: Arr) => expect(Array.from(ours)).toEqual(keras.data.map((v) => expect.closeTo(v, 6)));

describe.each([
  ["spec/gru.md §5.1-5.2, reset_after = true", "worked-example-gru.json"],
  ["spec/gru.md §5.3-5.4, reset_after = false", "worked-example-gru-reset-before.json"],
])("%s", (_title, file) => {
  const e = load(file);
  const resetAfter = e.config["reset_after"] === true;
  const bias = weightOf(e, "bias");
  const p: GruParams = {
    inputDim: 2,
    units: 2,
    kernel: weightOf(e, "kernel"),
    recurrentKernel: weightOf(e, "recurrent_kernel"),
    resetAfter,
    inputBias: resetAfter ? bias.subarray(0, 6) : bias,
    recurrentBias: resetAfter ? bias.subarray(6) : null,
  };

  it("the cell's h after every step is the h Keras computed (§2.1, §2.2)", () => {
    expect(e.weights.find((w) => w.name === "bias")!.shape).toEqual(CELL_LAYOUTS.GRU.weights({ units: 2, reset_after: resetAfter }, 2).at(-1)!.shape);
    let h: Float64Array = new Float64Array(2);
    for (const step of e.steps) {
      h = gruCellStep(p, f, 1, Float64Array.from(e.x.data), step.t * 2, 6, h);
      close(h, step.h);
    }
  });

  it("the layer returns [output, h] as Keras did (§3.1, §3.2)", () => {
    const [out, h] = gru({ ...(e.config as { units: number }), return_sequences: true, return_state: true }, { kernel: p.kernel, recurrent_kernel: p.recurrentKernel, bias }, { x: e.x.data, shape: [1, 3, 2] });
    close(out!.data, e.outputs[0]!);
    close(h!.data, e.outputs[1]!);
  });
});

describe("spec/simple-rnn.md §5 worked example", () => {
  const e = load("worked-example-simple-rnn.json");
  it("the cell's h after every step, and the layer's [output, h], are Keras's", () => {
    const p = { inputDim: 2, units: 2, kernel: weightOf(e, "kernel"), recurrentKernel: weightOf(e, "recurrent_kernel"), bias: weightOf(e, "bias") };
    let h: Float64Array = new Float64Array(2);
    for (const step of e.steps) {
      h = simpleRnnCellStep(p, tanh, 1, Float64Array.from(e.x.data), step.t * 2, 6, h);
      close(h, step.h);
    }
    const [out, hOut] = simpleRnn({ units: 2, return_sequences: true, return_state: true }, { kernel: p.kernel, recurrent_kernel: p.recurrentKernel, bias: p.bias }, { x: e.x.data, shape: [1, 3, 2] });
    close(out!.data, e.outputs[0]!);
    close(hOut!.data, e.outputs[1]!);
  });
});
