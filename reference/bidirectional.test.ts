import { describe, expect, it } from "vitest";
import { flipTime, mergeBidirectional, MERGE_MODES } from "./bidirectional.ts";
import { runModel, type ModelLayer, type RecurrentModelLayer } from "./model.ts";

const t = (shape: number[], values: number[]) => ({ shape, data: Float64Array.from(values) });

describe("mergeBidirectional (spec/bidirectional.md)", () => {
  // (B=1, T=2, U=2): forward y and backward y_rev as the backward layer returned it (processing order)
  const y = t([1, 2, 2], [1, 2, 3, 4]);
  const yRev = t([1, 2, 2], [10, 20, 30, 40]);

  it("flips the backward sequence back to time order before merging", () => {
    expect(Array.from(flipTime(yRev).data)).toEqual([30, 40, 10, 20]);
    expect(Array.from(mergeBidirectional("sum", true, y, yRev)[0]!.data)).toEqual([31, 42, 13, 24]);
  });

  it("concatenates forward features first, step by step", () => {
    const [out] = mergeBidirectional("concat", true, y, yRev);
    expect(out!.shape).toEqual([1, 2, 4]);
    expect(Array.from(out!.data)).toEqual([1, 2, 30, 40, 3, 4, 10, 20]);
  });

  it("does not flip a last output (no time axis)", () => {
    const [out] = mergeBidirectional("concat", false, t([2, 1], [1, 2]), t([2, 1], [3, 4]));
    expect(Array.from(out!.data)).toEqual([1, 3, 2, 4]);
  });

  it("computes mul and ave elementwise, and None returns the pair", () => {
    expect(Array.from(mergeBidirectional("mul", false, t([1, 2], [2, 3]), t([1, 2], [5, 7]))[0]!.data)).toEqual([10, 21]);
    expect(Array.from(mergeBidirectional("ave", false, t([1, 2], [2, 3]), t([1, 2], [5, 7]))[0]!.data)).toEqual([3.5, 5]);
    const pair = mergeBidirectional(null, true, y, yRev);
    expect(pair.map((p) => Array.from(p.data))).toEqual([[1, 2, 3, 4], [30, 40, 10, 20]]);
  });

  it("refuses an elementwise merge of layers of different units", () => {
    expect(() => mergeBidirectional("sum", false, t([1, 2], [1, 2]), t([1, 3], [1, 2, 3]))).toThrow(/same units/);
  });

  it("keeps float32 data float32", () => {
    const f = { shape: [1, 1, 1], data: Float32Array.of(1) };
    for (const mode of MERGE_MODES) expect(mergeBidirectional(mode, true, f, f)[0]!.data).toBeInstanceOf(Float32Array);
  });
});

describe("runModel with a Bidirectional: two layer runs, then the merge", () => {
  const B = 2;
  const T = 4;
  const D = 3;
  const u = 2;
  const values = (n: number, seed: number) => Array.from({ length: n }, (_, k) => Math.sin(seed * 7.1 + k * 1.3) * 0.6);
  const lstm = (seed: number, config: Record<string, unknown>): RecurrentModelLayer => ({
    className: "LSTM",
    config: { units: u, return_sequences: true, return_state: true, ...config },
    weights: { kernel: values(D * 4 * u, seed), recurrent_kernel: values(u * 4 * u, seed + 1), bias: values(4 * u, seed + 2) },
  });
  const forward = lstm(1, {});
  const backward = lstm(5, { go_backwards: true });
  const x = values(B * T * D, 9);
  const mask = [1, 1, 1, 0, 0, 1, 1, 1];
  const call = { x, shape: [B, T, D] as [number, number, number], mask, initialState: [values(B * u, 11), values(B * u, 12), values(B * u, 13), values(B * u, 14)] };

  it("equals the two layers run alone, the backward output flipped, concatenated, and the states forward first", () => {
    const bidi: ModelLayer = { className: "Bidirectional", config: { merge_mode: "concat" }, forward, backward };
    const [got] = runModel([bidi], [call]);
    const [f] = runModel([forward], [{ ...call, initialState: call.initialState.slice(0, 2) }]);
    const [b] = runModel([backward], [{ ...call, initialState: call.initialState.slice(2) }]);
    const [merged] = mergeBidirectional("concat", true, f!.outputs[0]!, b!.outputs[0]!);
    expect(got!.outputs.map((o) => Array.from(o.data))).toEqual([merged!, ...f!.outputs.slice(1), ...b!.outputs.slice(1)].map((o) => Array.from(o.data)));
    expect(got!.steps.map((s) => [s.layer, s.direction])).toEqual([[0, "forward"], [0, "backward"]]);
    expect(Array.from(got!.steps[1]!.h.data)).toEqual(Array.from(b!.steps[0]!.h.data));
  });

  it("passes the merged sequence and the mask to the next layer", () => {
    const next = lstm(20, { return_state: false });
    const wide: RecurrentModelLayer = { ...next, weights: { ...next.weights, kernel: values(2 * u * 4 * u, 20) } };
    const bidi: ModelLayer = { className: "Bidirectional", config: { merge_mode: "concat" }, forward: { ...forward, config: { ...forward.config, return_state: false } }, backward: { ...backward, config: { ...backward.config, return_state: false } } };
    const { initialState: _, ...plain } = call;
    const [got] = runModel([bidi, wide], [plain]);
    const [alone] = runModel([bidi], [plain]);
    const [chained] = runModel([wide], [{ x: alone!.outputs[0]!.data, shape: [B, T, 2 * u], mask }]);
    expect(Array.from(got!.outputs[0]!.data)).toEqual(Array.from(chained!.outputs[0]!.data));
  });

  it("refuses a layer after a merge_mode=None Bidirectional", () => {
    const bidi: ModelLayer = { className: "Bidirectional", config: { merge_mode: null }, forward, backward };
    expect(() => runModel([bidi, lstm(3, {})], [{ x, shape: [B, T, D] }])).toThrow(/merge_mode=None/);
  });

  it("names the direction when a half of the initial state has the wrong arity", () => {
    const bidi: ModelLayer = { className: "Bidirectional", config: { merge_mode: "sum" }, forward, backward };
    expect(() => runModel([bidi], [{ ...call, initialState: call.initialState.slice(0, 3) }])).toThrow(/forward layer: a Bidirectional/);
  });

  it("keeps each direction's state between the calls of a stateful Bidirectional", () => {
    const stateful = (l: RecurrentModelLayer): RecurrentModelLayer => ({ ...l, config: { ...l.config, stateful: true } }) as RecurrentModelLayer;
    const bidi: ModelLayer = { className: "Bidirectional", config: { merge_mode: "ave" }, forward: stateful(forward), backward: stateful(backward) };
    const plain = { x, shape: [B, T, D] as [number, number, number] };
    const [, second] = runModel([bidi], [plain, plain]);
    const [first] = runModel([bidi], [plain]);
    // the second call starts from the first call's final states, forward's and backward's: [out, fh, fc, bh, bc]
    const [again] = runModel([{ ...bidi, forward, backward }], [{ ...plain, initialState: first!.outputs.slice(1).map((o) => o.data) }]);
    expect(Array.from(second!.outputs[0]!.data)).toEqual(Array.from(again!.outputs[0]!.data));
  });
});
