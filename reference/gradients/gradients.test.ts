/**
 * The reference's BPTT (reference/gradients/) against central finite differences in float64 of the
 * reference's own forward (`runModel`, reference/model.ts) — independent of Keras and of the code under
 * test: the scalar L = Σ⟨cotangent, output⟩ is evaluated by the forward alone, perturbing one weight,
 * input or initial-state element at a time (spec/gradients.md §4.5). Random models of every cell and
 * option, drawn by fast-check. The Keras fixtures are checked in conformance/gradients/.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runModel, type ModelCall, type ModelLayer } from "../model.ts";
import { derivativeByName } from "./activations.ts";
import { modelGradients, type CallGradients, type GradientCall } from "./model.ts";

type Cell = "LSTM" | "GRU" | "GRU_before" | "SimpleRNN";
const BLOCKS: Record<Cell, number> = { LSTM: 4, GRU: 3, GRU_before: 3, SimpleRNN: 1 };
const STATES: Record<Cell, number> = { LSTM: 2, GRU: 1, GRU_before: 1, SimpleRNN: 1 };

/** A deterministic stream of values in [-1, 1) from a seed (the weights, inputs and cotangents of a draw). */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  };
}

interface Draw {
  readonly cells: readonly Cell[];
  readonly units: readonly number[];
  readonly B: number;
  readonly T: number;
  readonly D: number;
  readonly rs: boolean;
  readonly rst: boolean;
  readonly goBackwards: readonly boolean[];
  readonly useBias: boolean;
  readonly zofm: boolean;
  readonly mask: "none" | "arg" | "layer";
  readonly initialState: boolean;
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly seed: number;
}

const activations = ["tanh", "sigmoid", "linear", "relu", "hard_sigmoid"];

const draws = (cells: readonly Cell[]): fc.Arbitrary<Draw> =>
  fc.record({
    cells: fc.array(fc.constantFrom(...cells), { minLength: 1, maxLength: 2 }),
    units: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    B: fc.integer({ min: 1, max: 3 }),
    T: fc.integer({ min: 1, max: 5 }),
    D: fc.integer({ min: 1, max: 3 }),
    rs: fc.boolean(),
    rst: fc.boolean(),
    goBackwards: fc.tuple(fc.boolean(), fc.boolean()),
    useBias: fc.boolean(),
    zofm: fc.boolean(),
    mask: fc.constantFrom("none", "arg", "layer"),
    initialState: fc.boolean(),
    activation: fc.constantFrom(...activations),
    recurrentActivation: fc.constantFrom(...activations),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });

interface Built {
  readonly layers: ModelLayer[];
  readonly calls: GradientCall[];
}

function build(d: Draw): Built {
  const r = stream(d.seed);
  const layers: ModelLayer[] = [];
  if (d.mask === "layer") layers.push({ className: "Masking", config: { mask_value: 0 } });
  let dim = d.D;
  d.cells.forEach((cell, k) => {
    const u = d.units[k]!;
    const last = k === d.cells.length - 1;
    const n = BLOCKS[cell] * u;
    const weights = {
      kernel: Array.from({ length: dim * n }, r),
      recurrent_kernel: Array.from({ length: u * n }, () => r() * 0.8),
      ...(d.useBias ? { bias: Array.from({ length: (cell === "GRU" ? 2 : 1) * n }, () => r() * 0.5) } : {}),
    };
    const config = {
      units: u,
      return_sequences: last ? d.rs : true,
      return_state: last ? d.rst : false,
      go_backwards: d.goBackwards[k]!,
      use_bias: d.useBias,
      zero_output_for_mask: d.zofm,
      activation: d.activation,
      ...(cell === "SimpleRNN" ? {} : { recurrent_activation: d.recurrentActivation }),
      ...(cell === "GRU_before" ? { reset_after: false } : {}),
    };
    const className = cell === "GRU_before" ? "GRU" : cell;
    layers.push({ className, config, weights } as ModelLayer);
    dim = u;
  });
  const x = Array.from({ length: d.B * d.T * d.D }, () => r() * 1.5);
  let mask: number[] | undefined;
  if (d.mask !== "none") {
    mask = Array.from({ length: d.B * d.T }, () => (r() > -0.4 ? 1 : 0));
    if (d.B > 1) mask.fill(0, 0, d.T); // a fully masked row
    if (d.mask === "layer") mask.forEach((m, s) => m || x.fill(0, s * d.D, (s + 1) * d.D));
  }
  const first = d.cells[0]!;
  const u0 = d.units[0]!;
  const initialState = d.initialState ? Array.from({ length: STATES[first] }, () => Array.from({ length: d.B * u0 }, () => r() * 0.7)) : undefined;
  const lastCell = d.cells.at(-1)!;
  const uL = d.units[d.cells.length - 1]!;
  const outSizes = [d.rs ? d.B * d.T * uL : d.B * uL, ...(d.rst ? Array.from({ length: STATES[lastCell] }, () => d.B * uL) : [])];
  const cotangents = outSizes.map((n) => Array.from({ length: n }, r));
  const call: GradientCall = {
    x,
    shape: [d.B, d.T, d.D],
    ...(mask && d.mask === "arg" ? { mask } : {}),
    ...(initialState ? { initialState } : {}),
    cotangents,
  };
  return { layers, calls: [call] };
}

/** L = Σ⟨cotangent, output⟩ by the forward alone. */
function loss(layers: readonly ModelLayer[], call: ModelCall, cotangents: readonly ArrayLike<number>[]): number {
  const outs = runModel(layers, [call])[0]!.outputs;
  let s = 0;
  outs.forEach((o, k) => o.data.forEach((v, j) => (s += v * cotangents[k]![j]!)));
  return s;
}

const H = 1e-6;

/** Central differences of L w.r.t. every element of `values`, which `set` writes into a copy of the model. */
function centralDifferences(values: ArrayLike<number>, evaluate: (perturbed: number[]) => number): Float64Array {
  const out = new Float64Array(values.length);
  const v = Array.from(values);
  for (let j = 0; j < v.length; j++) {
    const keep = v[j]!;
    v[j] = keep + H;
    const up = evaluate(v);
    v[j] = keep - H;
    const down = evaluate(v);
    v[j] = keep;
    out[j] = (up - down) / (2 * H);
  }
  return out;
}

function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length, what).toBe(want.length);
  let scale = 1;
  for (let j = 0; j < want.length; j++) scale = Math.max(scale, Math.abs(want[j]!));
  for (let j = 0; j < want.length; j++) {
    const diff = Math.abs(got[j]! - want[j]!);
    if (!(diff <= 1e-6 * scale)) expect.fail(`${what}[${j}]: BPTT ${got[j]}, finite differences ${want[j]} (|diff| ${diff.toExponential(2)})`);
  }
}

/** Every gradient of the one call of `b` against central differences of the forward. */
function checkAgainstFiniteDifferences(b: Built): CallGradients {
  const call = b.calls[0]!;
  const g = modelGradients(b.layers, b.calls)[0]!;
  const base: ModelCall = { x: call.x, shape: call.shape, ...(call.mask ? { mask: call.mask } : {}), ...(call.initialState ? { initialState: call.initialState } : {}) };
  for (const lg of g.layers) {
    const layer = b.layers[lg.layer] as Extract<ModelLayer, { weights: unknown }>;
    for (const name of ["kernel", "recurrent_kernel", "bias"] as const) {
      const grad = lg[name];
      const values = layer.weights[name];
      if (!grad || !values) {
        expect(grad === undefined && !values, `${name} of layer ${lg.layer} present on one side only`).toBe(true);
        continue;
      }
      const fd = centralDifferences(values, (v) => {
        const layers = b.layers.map((l, i) => (i === lg.layer ? ({ ...layer, weights: { ...layer.weights, [name]: v } } as ModelLayer) : l));
        return loss(layers, base, call.cotangents);
      });
      expectClose(`layer ${lg.layer} ${name}`, grad.data, fd);
    }
  }
  const fdx = centralDifferences(call.x, (v) => {
    // With a Masking layer, perturbing a masked (all-zero) step would unmask it: L is not differentiable
    // there, and Keras's gradient (x ⊙ mask) is 0 — taken as such (spec/gradients.md §3.2).
    return loss(b.layers, { ...base, x: v }, call.cotangents);
  });
  if (b.layers[0]!.className === "Masking") {
    const D = call.shape[2];
    for (let s = 0; s < call.shape[0] * call.shape[1]; s++) {
      let masked = true;
      for (let d = 0; d < D; d++) if (call.x[s * D + d] !== 0) masked = false;
      if (masked) fdx.fill(0, s * D, (s + 1) * D);
    }
  }
  expectClose("x", g.x.data, fdx);
  if (call.initialState) {
    expect(g.initialState?.length).toBe(call.initialState.length);
    call.initialState.forEach((s, k) => {
      const fd = centralDifferences(s, (v) => loss(b.layers, { ...base, initialState: call.initialState!.map((t, j) => (j === k ? v : t)) }, call.cotangents));
      expectClose(`initial_state[${k}]`, g.initialState![k]!.data, fd);
    });
  } else {
    expect(g.initialState).toBeUndefined();
  }
  return g;
}

describe("BPTT equals central finite differences of the forward (float64)", () => {
  for (const cells of [["LSTM"], ["GRU"], ["GRU_before"], ["SimpleRNN"], ["LSTM", "GRU", "GRU_before", "SimpleRNN"]] as Cell[][]) {
    it(`${cells.join(" + ")}: every option, stacks, masks, initial state`, () => {
      fc.assert(
        fc.property(draws(cells), (d) => {
          // relu and hard_sigmoid have kinks (0; ±3): a pre-activation within H of one would make the
          // difference quotient meaningless, which at these scales has probability ~1e-6 per element.
          checkAgainstFiniteDifferences(build(d));
        }),
        { numRuns: cells.length > 1 ? 60 : 40, seed: 14 },
      );
    });
  }

  it("the forward a gradient run computes is runModel's, bit for bit", () => {
    fc.assert(
      fc.property(draws(["LSTM", "GRU", "GRU_before", "SimpleRNN"]), (d) => {
        const b = build(d);
        const g = modelGradients(b.layers, b.calls)[0]!;
        const f = runModel(b.layers, b.calls)[0]!.outputs;
        expect(g.outputs.map((o) => Array.from(o.data))).toEqual(f.map((o) => Array.from(o.data)));
      }),
      { numRuns: 50, seed: 15 },
    );
  });
});

describe("stateful calls (spec/gradients.md §3.4)", () => {
  it("call 2's gradients are those of a call from the carried state, given as initial_state, and include it", () => {
    for (const cell of ["LSTM", "GRU", "SimpleRNN"] as const) {
      const d: Draw = { cells: [cell], units: [3, 1], B: 2, T: 4, D: 2, rs: true, rst: true, goBackwards: [false, false], useBias: true, zofm: false, mask: "none", initialState: false, activation: "tanh", recurrentActivation: "sigmoid", seed: 99 };
      const b = build(d);
      const stateful = b.layers.map((l) => ({ ...l, config: { ...l.config, stateful: true } }) as ModelLayer);
      const call2: GradientCall = { ...b.calls[0]!, x: Array.from(b.calls[0]!.x, (v) => -v) };
      const [g1, g2] = modelGradients(stateful, [b.calls[0]!, call2]);
      // The state carried into call 2 is what call 1 returned (return_state: outputs 1..).
      const carried = runModel(b.layers, [b.calls[0]!])[0]!.outputs.slice(1).map((o) => Array.from(o.data));
      const alone = modelGradients(b.layers, [{ ...call2, initialState: carried }])[0]!;
      expect(g2!.layers).toEqual(alone.layers);
      expect(g2!.x).toEqual(alone.x);
      expect(g2!.initialState).toEqual(alone.initialState);
      // call 1 started from the stateful layer's zero state: its gradient is recorded too
      expect(g1!.initialState?.length).toBe(cell === "LSTM" ? 2 : 1);
      checkAgainstFiniteDifferences({ layers: b.layers, calls: [{ ...call2, initialState: carried }] });
    }
  });
});

describe("what the reference's gradients refuse (spec/gradients.md §4.1)", () => {
  it("an activation without an implemented derivative, naming it", () => {
    expect(() => derivativeByName("softsign", "keras3")).toThrow(/gradient of activation "softsign" is not implemented/);
    const b = build({ cells: ["LSTM"], units: [2, 1], B: 1, T: 2, D: 1, rs: false, rst: false, goBackwards: [false, false], useBias: true, zofm: false, mask: "none", initialState: false, activation: "elu", recurrentActivation: "sigmoid", seed: 3 });
    expect(() => modelGradients(b.layers, b.calls)).toThrow(/"elu" is not implemented/);
  });

  it("cotangents that do not match what the model returns", () => {
    const b = build({ cells: ["GRU"], units: [2, 1], B: 1, T: 2, D: 1, rs: false, rst: true, goBackwards: [false, false], useBias: true, zofm: false, mask: "none", initialState: false, activation: "tanh", recurrentActivation: "sigmoid", seed: 3 });
    expect(() => modelGradients(b.layers, [{ ...b.calls[0]!, cotangents: b.calls[0]!.cotangents.slice(0, 1) }])).toThrow(/1 cotangent\(s\) for 2 returned tensor\(s\)/);
    expect(() => modelGradients(b.layers, [{ ...b.calls[0]!, cotangents: [[1], [1, 2]] }])).toThrow(/cotangent 0 must have 2 values/);
  });
});
