import { describe, expect, it } from "vitest";
import type { BidirectionalLayer, LayerCase, MergeMode, RecurrentLayer } from "../case.ts";
import { referenceEngine } from "../engines/reference.ts";
import type { EngineOutputs } from "../engine.ts";
import { compareOutputs } from "../compare-outputs.ts";
import { soleBidirectional, swapBidirectional, swapBidirectionalOutputs } from "./bidirectional-transforms.ts";
import { seededRandom } from "./arbitraries.ts";

const B = 3;
const T = 5;
const D = 2;

function tensor(shape: number[], next: () => number, scale = 0.7) {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale) };
}

const blocks = { LSTM: 4, GRU: 3, SimpleRNN: 1 } as const;

function layer(className: RecurrentLayer["className"], units: number, next: () => number, config: Record<string, unknown>): RecurrentLayer {
  const n = blocks[className];
  const bias = className === "GRU" ? [2, n * units] : [n * units];
  const base = { units, activation: "tanh", use_bias: true, return_sequences: false, return_state: false, go_backwards: false, stateful: false, ...config };
  return {
    className,
    config: className === "SimpleRNN" ? base : { recurrent_activation: "sigmoid", reset_after: true, ...base },
    weights: { kernel: tensor([D, n * units], next), recurrent_kernel: tensor([units, n * units], next), bias: tensor(bias, next, 0.3) },
  } as RecurrentLayer;
}

function bidiCase(seed: number, mode: MergeMode, opts: { rs: boolean; rst: boolean; mask: boolean; initial: boolean; toggled: boolean; mixed: boolean; calls: number }): LayerCase {
  const next = seededRandom(seed);
  const cells = ["LSTM", "GRU", "SimpleRNN"] as const;
  const fCell = cells[seed % 3]!;
  const bCell = opts.mixed ? cells[(seed + 1) % 3]! : fCell;
  const common = { return_sequences: opts.rs, return_state: opts.rst, zero_output_for_mask: opts.rs, stateful: opts.calls > 1 };
  const forward = layer(fCell, 3, next, { ...common, go_backwards: opts.toggled });
  const backward = layer(bCell, mode === "concat" || mode === null ? 2 : 3, next, { ...common, go_backwards: !opts.toggled });
  const bi: BidirectionalLayer = { className: "Bidirectional", config: { merge_mode: mode }, forward, backward };
  const states = (l: RecurrentLayer) => (l.className === "LSTM" ? 2 : 1);
  const calls = Array.from({ length: opts.calls }, () => ({
    x: tensor([B, T, D], next, 1),
    ...(opts.mask ? { mask: { shape: [B, T], data: Uint8Array.from({ length: B * T }, (_, k) => (k % T === 1 || k === T * 2 - 1 ? 0 : 1)) } } : {}),
    ...(opts.initial ? { initialState: [...Array.from({ length: states(forward) }, () => tensor([B, 3], next)), ...Array.from({ length: states(backward) }, () => tensor([B, backward.config.units], next))] } : {}),
  }));
  return { id: `bidirectional/test/${seed}`, dialect: "keras3", layers: [bi], calls };
}

describe("the Bidirectional swap (spec/bidirectional.md): weights swapped, input reversed", () => {
  it("is exact on the reference for every merge mode, output kind, mask, initial state, stateful calls, mixed cells and the tf-keras toggle", async () => {
    let seed = 1;
    for (const mode of ["concat", "sum", "mul", "ave", null] as const) {
      for (const rs of [true, false]) {
        for (const rst of [true, false]) {
          for (const variant of [{}, { mask: true }, { initial: true }, { toggled: true }, { mixed: true }, { calls: 2, mask: true }]) {
            const opts = { rs, rst, mask: false, initial: false, toggled: false, mixed: false, calls: 1, ...variant };
            if (opts.mixed && mode !== "concat" && mode !== null) continue; // elementwise merges need equal units; a mixed pair here has 3 and 2
            const c = bidiCase(seed++, mode, opts);
            const keras = (await referenceEngine.run(c)) as EngineOutputs;
            const swapped = (await referenceEngine.run(swapBidirectional(c)!)) as EngineOutputs;
            const r = compareOutputs(swapped, swapBidirectionalOutputs(c, keras), { atol: 1e-6, rtol: 1e-6 });
            expect(r.ok, `${JSON.stringify({ mode, ...opts })}`).toBe(true);
          }
        }
      }
    }
  });

  it("applies only to a case whose one sequence layer is a Bidirectional", () => {
    const c = bidiCase(1, "concat", { rs: true, rst: false, mask: false, initial: false, toggled: false, mixed: false, calls: 1 });
    expect(soleBidirectional(c)).not.toBeNull();
    const bi = c.layers[0] as BidirectionalLayer;
    expect(swapBidirectional({ ...c, layers: [bi, bi.forward] })).toBeNull();
    expect(swapBidirectional({ ...c, layers: [bi.forward] })).toBeNull();
  });

  it("is not satisfied by an engine that ignores the swap (the relation is not an identity)", async () => {
    const c = bidiCase(4, "concat", { rs: true, rst: true, mask: false, initial: false, toggled: false, mixed: false, calls: 1 });
    const keras = (await referenceEngine.run(c)) as EngineOutputs;
    expect(compareOutputs(keras, swapBidirectionalOutputs(c, keras), { atol: 1e-3, rtol: 1e-3 }).ok).toBe(false);
  });
});
