/**
 * Unit tests of the reference that do not depend on the fixture corpus: values derivable by hand
 * and Keras's own golden numbers from its test suite. (The corpus test lives in
 * conformance/reference-corpus.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { activationByName, lstm, runModel } from "./index.ts";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const fill = (n: number, v: number) => new Array<number>(n).fill(v);

describe("activations (spec/lstm.md §3, activations)", () => {
  it("hard_sigmoid differs between Keras 3 and tf-keras", () => {
    const k3 = activationByName("hard_sigmoid", "keras3");
    const k2 = activationByName("hard_sigmoid", "tf-keras");
    const close = (values: number[]) => values.map((v) => expect.closeTo(v, 15));
    expect([-3, -1, 0, 1, 2.5, 3].map(k3)).toEqual(close([0, 1 / 3, 0.5, 2 / 3, 2.5 / 6 + 0.5, 1]));
    expect([-3, -1, 0, 1, 2.5].map(k2)).toEqual(close([0, 0.3, 0.5, 0.7, 1]));
  });
  it("refuses an activation it does not implement", () => {
    expect(() => activationByName("gelu_approximate_v9", "keras3")).toThrow(/not implemented/);
  });
});

describe("one step, units = 1, input_dim = 1 (spec/lstm.md §2)", () => {
  it("matches the equations written out", () => {
    // kernel (1, 4) and recurrent (1, 4) in gate order i, f, c, o; bias (4,)
    const W = [0.5, -0.25, 0.75, 1.5];
    const U = [0.1, 0.2, -0.3, 0.4];
    const b = [0.01, 1.0, -0.02, 0.03];
    const x = 0.8;
    const h0 = 0.3;
    const c0 = -0.6;
    const z = [0, 1, 2, 3].map((k) => x * W[k]! + h0 * U[k]! + b[k]!);
    const i = sigmoid(z[0]!);
    const f = sigmoid(z[1]!);
    const g = Math.tanh(z[2]!);
    const o = sigmoid(z[3]!);
    const c = f * c0 + i * g;
    const h = o * Math.tanh(c);
    const [out, hOut, cOut] = lstm(
      { units: 1, return_state: true },
      { kernel: W, recurrent_kernel: U, bias: b },
      { x: [x], shape: [1, 1, 1], initialState: [[h0], [c0]] },
    );
    expect(out!.data[0]).toBeCloseTo(h, 15);
    expect(hOut!.data[0]).toBeCloseTo(h, 15);
    expect(cOut!.data[0]).toBeCloseTo(c, 15);
  });

  it("with zero weights the state stays at zero: i = f = o = ½, g = 0", () => {
    const [out, h, c] = lstm(
      { units: 3, return_sequences: true, return_state: true },
      { kernel: fill(2 * 12, 0), recurrent_kernel: fill(3 * 12, 0), bias: fill(12, 0) },
      { x: [1, 2, 3, 4, 5, 6], shape: [1, 3, 2] },
    );
    expect([...out!.data, ...h!.data, ...c!.data].every((v) => v === 0)).toBe(true);
  });

  it("only the forget bias: c decays by σ(b_f) per step", () => {
    const bias = [-100, 2, 0, 100]; // i ≈ 0, f = σ(2), g irrelevant, o ≈ 1
    const [, , c] = lstm(
      { units: 1, return_state: true },
      { kernel: fill(4, 0), recurrent_kernel: fill(4, 0), bias },
      { x: [0, 0, 0], shape: [1, 3, 1], initialState: [[0], [1]] },
    );
    expect(c!.data[0]).toBeCloseTo(sigmoid(2) ** 3, 12);
  });
});

// keras/src/layers/rnn/lstm_test.py test_correctness and friends (Keras 3): constant initialisers
// 0.01 / 0.02 / 0.03 with unit_forget_bias, inputs arange(…). Expected values are Keras's own.
describe("Keras's own golden values (keras/src/layers/rnn/lstm_test.py)", () => {
  const constWeights = (inputDim: number, units: number, unitForgetBias = true) => ({
    kernel: fill(inputDim * 4 * units, 0.01),
    recurrent_kernel: fill(units * 4 * units, 0.02),
    bias: [...fill(units, 0.03), ...fill(units, unitForgetBias ? 1 : 0.03), ...fill(2 * units, 0.03)],
  });
  const arange = (n: number) => Array.from({ length: n }, (_, k) => k);

  it.each([
    ["default", {}, constWeights(4, 3), [0.6288687, 0.86899155, 0.9460773]],
    ["go_backwards", { go_backwards: true }, constWeights(4, 3), [0.35622165, 0.74789524, 0.8872726]],
    ["unit_forget_bias=False", {}, constWeights(4, 3, false), [0.57019705, 0.8661914, 0.9459622]],
  ] as const)("%s", (_name, options, weights, expected) => {
    const [out] = lstm({ units: 3, ...options }, weights, { x: arange(72), shape: [3, 6, 4] });
    expected.forEach((v, b) => expect(out!.data[b * 3]).toBeCloseTo(v, 6));
  });

  it("use_bias=False", () => {
    const w = constWeights(4, 3);
    const [out] = lstm({ units: 3, use_bias: false }, { kernel: w.kernel, recurrent_kernel: w.recurrent_kernel }, { x: arange(72), shape: [3, 6, 4] });
    [0.54986924, 0.86226785, 0.9443936].forEach((v, b) => expect(out!.data[b * 3]).toBeCloseTo(v, 6));
  });

  it("stateful: the second call continues from the first", () => {
    const layers = [{ className: "LSTM" as const, config: { units: 4, stateful: true }, weights: constWeights(4, 4) }];
    const call = { x: arange(24), shape: [2, 3, 4] as const };
    const [, second] = runModel(layers, [call, call]);
    [0.3124785, 0.6863672].forEach((v, b) => expect(second!.outputs[0]!.data[b * 4]).toBeCloseTo(v, 6));
  });

  it("initial_state, with and without go_backwards", () => {
    const call = { x: arange(24), shape: [2, 4, 3] as const, initialState: [arange(4), arange(4)] as const };
    const [fwd] = lstm({ units: 2 }, constWeights(3, 2), call);
    const [bwd] = lstm({ units: 2, go_backwards: true }, constWeights(3, 2), call);
    expect(Array.from(fwd!.data)).toEqual([0.20574439, 0.3558822, 0.64930826, 0.66276].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(bwd!.data)).toEqual([0.13281618, 0.2790356, 0.5839337, 0.5992567].map((v) => expect.closeTo(v, 6)));
  });

  it("masking: held state, repeated output, zero_output_for_mask", () => {
    const mask = [1, 1, 1, 0, 1, 1, 0, 0];
    const call = { x: arange(24), shape: [2, 4, 3] as const, mask };
    const [last] = lstm({ units: 2 }, constWeights(3, 2), call);
    expect(last!.data[0]).toBeCloseTo(0.11755939, 6);
    expect(last!.data[2]).toBeCloseTo(0.28556206, 6);
    const [seq] = lstm({ units: 2, return_sequences: true }, constWeights(3, 2), call);
    [0.0158891, 0.05552048, 0.11755939, 0.11755939].forEach((v, t) => expect(seq!.data[t * 2]).toBeCloseTo(v, 6));
    const [zeroed] = lstm({ units: 2, return_sequences: true, zero_output_for_mask: true }, constWeights(3, 2), call);
    expect(zeroed!.data[3 * 2]).toBe(0);
    const leftPadded = [0, 1, 1, 1, 0, 0, 1, 1];
    const [back] = lstm({ units: 2, go_backwards: true }, constWeights(3, 2), { ...call, mask: leftPadded });
    expect(back!.data[0]).toBeCloseTo(0.15341201, 6);
    expect(back!.data[2]).toBeCloseTo(0.3844719, 6);
  });
});

describe("model plumbing (spec/lstm.md §3)", () => {
  const w = (d: number, u: number, s: number) => ({
    kernel: Array.from({ length: d * 4 * u }, (_, k) => Math.sin(k + s) * 0.5),
    recurrent_kernel: Array.from({ length: u * 4 * u }, (_, k) => Math.cos(k * 1.3 + s) * 0.4),
    bias: Array.from({ length: 4 * u }, (_, k) => (k % 5) * 0.1 - 0.2),
  });
  const x = Array.from({ length: 2 * 5 * 3 }, (_, k) => Math.sin(k * 0.7));

  it("a Masking layer equals the same mask given as an argument", () => {
    const padded = x.map((v, k) => (Math.floor(k / 3) % 5 >= 3 ? 0 : v)); // steps 3, 4 of each row are all zeros
    const mask = Array.from({ length: 10 }, (_, s) => (s % 5 >= 3 ? 0 : 1));
    const lstmLayer = { className: "LSTM" as const, config: { units: 2, return_sequences: true }, weights: w(3, 2, 1) };
    const viaLayer = runModel([{ className: "Masking", config: { mask_value: 0 } }, lstmLayer], [{ x: padded, shape: [2, 5, 3] }]);
    const viaArg = runModel([lstmLayer], [{ x: padded, shape: [2, 5, 3], mask }]);
    expect(viaLayer[0]!.outputs[0]!.data).toEqual(viaArg[0]!.outputs[0]!.data);
  });

  it("Masking compares in float32: mask_value 0.1 masks steps holding float32(0.1)", () => {
    const f32 = Math.fround(0.1); // what a float32 input holds where 0.1 was written
    const xs = [1, 2, 3, f32, f32, f32]; // batch 1, 2 steps, 3 features; step 1 is all mask_value
    const layer = { className: "LSTM" as const, config: { units: 2, return_sequences: true }, weights: w(3, 2, 1) };
    const [viaLayer] = runModel([{ className: "Masking", config: { mask_value: 0.1 } }, layer], [{ x: xs, shape: [1, 2, 3] }]);
    const [viaArg] = runModel([layer], [{ x: xs, shape: [1, 2, 3], mask: [1, 0] }]);
    expect(viaLayer!.outputs[0]!.data).toEqual(viaArg!.outputs[0]!.data);
  });

  it("refuses weights of the wrong shape, naming the tensor", () => {
    expect(() => lstm({ units: 2 }, { ...w(3, 2, 0), kernel: [1, 2, 3] }, { x, shape: [2, 5, 3] })).toThrow(/kernel must have shape \(3, 8\)/);
  });
});
