/**
 * Metamorphic relations every Keras-compatible engine satisfies, checked on random cases with the
 * engine alone (no oracle), plus agreement with the reference (the one reference-checked property).
 * Each cites the spec section it follows from. Every relation holds for every cell (the drawn case's
 * cells: arbitraries.ts) and reads the state list as the cell has it — `[output, h, c]` for an LSTM,
 * `[output, h]` for a GRU or a SimpleRNN (spec/lstm.md §3.2, spec/gru.md §3.2, spec/simple-rnn.md
 * §3.2): the loop, the options and the state passing are the RNN base layer's, the same for all
 * cells (spec/gru.md §3, spec/simple-rnn.md §3).
 */
import { recurrentLayers, type CallInputs, type LayerCase } from "../case.ts";
import { referenceEngine } from "../engines/reference.ts";
import type { Tensor } from "../tensor.ts";
import { concatTime, flipTime, sliceTime } from "../hypotheses/case-transforms.ts";
import { seededRandom } from "./arbitraries.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import { differences, runEngine, type GeneratedProperty } from "./property.ts";
import { mapCaseUnits, mapOutputUnits, randomCaseUnitMaps, selectCaseRows, selectOutputRows, withRecurrentConfig } from "./transforms.ts";

const tol = BASE_TOLERANCE;
const violation = (message: string | null, c: LayerCase) => (message ? { message, case: c } : null);

/** The k-th time step of a (B, T, u) tensor as (B, u). */
function step(t: Tensor, k: number): Tensor {
  const s = sliceTime(t, k, k + 1);
  return { shape: [s.shape[0]!, s.shape[2]!], data: s.data };
}

export const unitPermutation: GeneratedProperty = {
  kind: "generated",
  id: "unit-permutation",
  specSection: "spec/lstm.md §1.2, §2.1; spec/gru.md §1.2, §2.1–§2.3; spec/simple-rnn.md §1.2, §2.1",
  referenceChecked: false,
  // a relation of the engine with itself: a trivial engine satisfies it (properties.test.ts)
  evidence: false,
  requires: [],
  async check(engine, c, spec) {
    // Permuting hidden units in every block of the cell at once (the LSTM's four, the GRU's three —
    // both bias rows too —, the SimpleRNN's one), and flipping a unit's sign when the activation is
    // odd, maps every state and every output the same way (transforms.ts).
    const next = seededRandom(spec.seed ^ 0x5bd1e995);
    const maps = randomCaseUnitMaps(c, next, true);
    const original = await runEngine(engine, c);
    const mapped = await runEngine(engine, mapCaseUnits(c, maps));
    return violation(differences(mapped, mapOutputUnits(original, maps.at(-1)!), tol, "outputs of the unit-permuted weights are not the permuted outputs"), c);
  },
};

export const goBackwardsReversal: GeneratedProperty = {
  kind: "generated",
  id: "go-backwards-is-reversed-input",
  specSection: "spec/lstm.md §3.3; spec/gru.md §3.3; spec/simple-rnn.md §3.3",
  referenceChecked: false,
  // a relation of the engine with itself: a trivial engine satisfies it (properties.test.ts)
  evidence: false,
  requires: ["go_backwards"],
  fixed: { goBackwards: true, depth: 1 },
  async check(engine, c) {
    // go_backwards equals running forward on the time-reversed input (and mask); outputs stay in processing order.
    const forward = withRecurrentConfig(c, { go_backwards: false });
    const reversed: LayerCase = {
      ...forward,
      calls: c.calls.map((call): CallInputs => ({ ...call, x: flipTime(call.x), ...(call.mask ? { mask: flipTime(call.mask) } : {}) })),
    };
    const a = await runEngine(engine, c);
    const b = await runEngine(engine, reversed);
    return violation(differences(a, b, tol, "go_backwards differs from forward on the reversed sequence"), c);
  },
};

export const lastStepIsState: GeneratedProperty = {
  kind: "generated",
  id: "last-output-is-h",
  specSection: "spec/lstm.md §3.2; spec/gru.md §3.2; spec/simple-rnn.md §3.2",
  referenceChecked: false,
  // a relation of the engine with itself: a trivial engine satisfies it (properties.test.ts)
  evidence: false,
  requires: ["return_sequences", "return_state"],
  fixed: { returnSequences: true, returnState: true, masking: "none" },
  async check(engine, c) {
    const out = await runEngine(engine, c);
    for (const [n, o] of out.entries()) {
      const seq = o[0]!;
      const last = step(seq, seq.shape[1]! - 1);
      const d = differences([[last]], [[o[1]!]], tol, `call ${n + 1}: the last step of the sequence output is not the returned h`);
      if (d) return { message: d, case: c };
    }
    return null;
  },
};

export const batchRowIndependence: GeneratedProperty = {
  kind: "generated",
  id: "batch-rows-independent",
  specSection: "spec/lstm.md §2.3; spec/gru.md §2.5; spec/simple-rnn.md §2.2",
  referenceChecked: false,
  // a relation of the engine with itself: a trivial engine satisfies it (properties.test.ts)
  evidence: false,
  requires: [],
  async check(engine, c, spec) {
    const B = spec.batch;
    if (B < 2) return null;
    const row = spec.seed % B;
    const whole = await runEngine(engine, c);
    const alone = await runEngine(engine, selectCaseRows(c, [row]));
    return violation(differences(alone, selectOutputRows(whole, [row]), tol, `batch row ${row} run alone differs from the same row in the batch`), c);
  },
};

/** The call restricted to original time steps [from, to). */
function callSlice(call: CallInputs, from: number, to: number, initialState: readonly Tensor[] | undefined): CallInputs {
  return {
    x: sliceTime(call.x, from, to),
    ...(call.mask ? { mask: sliceTime(call.mask, from, to) } : {}),
    ...(initialState ? { initialState } : {}),
  };
}

export const splitWithState: GeneratedProperty = {
  kind: "generated",
  id: "halves-with-state-equal-whole",
  specSection: "spec/lstm.md §3.4; spec/gru.md §3.4; spec/simple-rnn.md §3.4",
  referenceChecked: false,
  // a relation of the engine with itself: a trivial engine satisfies it (properties.test.ts)
  evidence: false,
  requires: ["initial_state", "return_state"],
  fixed: { masking: "none", returnState: true, depth: 1, stateful: false },
  async check(engine, c, spec) {
    // Running the first part, then the rest with the first part's states ([h, c], or [h]) as
    // initial_state, equals running the whole sequence (in processing order: under go_backwards the
    // later steps come first).
    const T = spec.timesteps;
    if (T < 2) return null;
    const k = 1 + (spec.seed % (T - 1));
    const call = c.calls[0]!;
    const [first, second] = spec.goBackwards ? [[k, T], [0, k]] as const : [[0, k], [k, T]] as const;
    const whole = (await runEngine(engine, c))[0]!;
    const a = (await runEngine(engine, { ...c, calls: [callSlice(call, first[0], first[1], call.initialState)] }))[0]!;
    const b = (await runEngine(engine, { ...c, calls: [callSlice(call, second[0], second[1], a.slice(1))] }))[0]!;
    const output = spec.returnSequences ? concatTime(a[0]!, b[0]!) : b[0]!;
    return violation(differences([[output, ...b.slice(1)]], [whole], tol, `split at step ${k} with the state passed on differs from the whole sequence`), c);
  },
};

export const maskedStepHoldsState: GeneratedProperty = {
  kind: "generated",
  id: "masked-step-holds-state",
  specSection: "spec/lstm.md §3.5.2; spec/gru.md §3.5; spec/simple-rnn.md §3.5",
  referenceChecked: false,
  // a relation of the engine with itself: a trivial engine satisfies it (properties.test.ts)
  evidence: false,
  requires: ["mask", "return_state", "return_sequences"],
  fixed: { masking: "mask", depth: 1, returnState: true, returnSequences: true, stateful: false },
  async check(engine, c, spec) {
    // Inserting a step masked in every row leaves every state (h and c, or h) unchanged, leaves the
    // other outputs unchanged, and emits there the previous output (zeros first, or with zero_output_for_mask).
    const call = c.calls[0]!;
    const [B, T, D] = call.x.shape as [number, number, number];
    const p = spec.seed % (T + 1);
    const next = seededRandom(spec.seed ^ 0x27d4eb2d);
    const junk: Tensor = { shape: [B, 1, D], data: Float32Array.from({ length: B * D }, () => 4 * next() - 2) };
    const x = concatTime(concatTime(sliceTime(call.x, 0, p), junk), sliceTime(call.x, p, T));
    const maskData = new Uint8Array(B * (T + 1));
    for (let b = 0; b < B; b++) for (let t = 0; t <= T; t++) maskData[b * (T + 1) + t] = t === p ? 0 : call.mask!.data[b * T + (t < p ? t : t - 1)]!;
    const inserted: LayerCase = { ...c, calls: [{ ...call, x, mask: { shape: [B, T + 1], data: maskData } }] };
    const base = (await runEngine(engine, c))[0]!;
    const withStep = (await runEngine(engine, inserted))[0]!;
    const q = spec.goBackwards ? T - p : p; // processing position of the inserted step
    const seq = withStep[0]!;
    const removed = concatTime(sliceTime(seq, 0, q), sliceTime(seq, q + 1, T + 1));
    const held = differences([[removed, ...withStep.slice(1)]], [base], tol, `a masked step inserted at ${p} changed the state or the other outputs`);
    if (held) return { message: held, case: c };
    const u = seq.shape[2]!;
    const previous = q === 0 || spec.zeroOutputForMask ? { shape: [B, 1, u], data: new Float32Array(B * u) } : sliceTime(seq, q - 1, q);
    return violation(differences([[sliceTime(seq, q, q + 1)]], [[previous]], tol, `the output at the masked step ${p} is not the previous output (or zeros)`), c);
  },
};

export const statefulContinuation: GeneratedProperty = {
  kind: "generated",
  id: "stateful-calls-continue",
  specSection: "spec/lstm.md §3.6; spec/gru.md §3.6; spec/simple-rnn.md §3.6",
  referenceChecked: false,
  // a relation of the engine with itself: a trivial engine satisfies it (properties.test.ts)
  evidence: false,
  requires: ["stateful"],
  // one layer: in a backwards stack the second layer would read the joined sequence's halves in the other order
  fixed: { stateful: true, masking: "none", depth: 1 },
  async check(engine, c, spec) {
    // Two calls of a stateful model equal one call on the joined sequence (processing order).
    const [c1, c2] = c.calls as [CallInputs, CallInputs];
    const joined = spec.goBackwards ? concatTime(c2.x, c1.x) : concatTime(c1.x, c2.x);
    const single = withRecurrentConfig(c, { stateful: false });
    const once = await runEngine(engine, { ...single, calls: [{ x: joined, ...(c1.initialState ? { initialState: c1.initialState } : {}) }] });
    const twice = await runEngine(engine, c);
    const last = recurrentLayers(c).at(-1)!.config;
    const output = last.return_sequences ? concatTime(twice[0]![0]!, twice[1]![0]!) : twice[1]![0]!;
    return violation(differences([[output, ...twice[1]!.slice(1)]], once, tol, "two stateful calls differ from one call on the joined sequence"), c);
  },
};

export const referenceAgreement: GeneratedProperty = {
  kind: "generated",
  id: "agrees-with-reference",
  specSection: "spec/lstm.md §2, §3; spec/gru.md §2, §3; spec/simple-rnn.md §2, §3",
  referenceChecked: true,
  // an oracle outside the engine: no trivial engine agrees with it (properties.test.ts)
  evidence: true,
  requires: [],
  async check(engine, c) {
    const actual = await runEngine(engine, c);
    const expected = await referenceEngine.run(c);
    return violation(differences(actual, expected, tol, "differs from the reference"), c);
  },
};

export const metamorphicProperties: readonly GeneratedProperty[] = [
  unitPermutation,
  goBackwardsReversal,
  lastStepIsState,
  batchRowIndependence,
  splitWithState,
  maskedStepHoldsState,
  statefulContinuation,
  referenceAgreement,
];
