/**
 * The fast layer (fast.ts) against the readable one (rnn.ts with cells/lstm.ts, the spec in code): a property over
 * random shapes, weights, activations and options says they are bit-for-bit equal (Object.is per
 * element, so NaN, ±0 and ±∞ count too). Shapes cross the register-block edges of fast.ts (odd row
 * counts, 4·units not a multiple of 4 columns is impossible, so units 1…9 and batch 1…5 with more
 * than one row tile when batch·timesteps > 32).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { activationByName, activationNames, type Dialect } from "./activations.ts";
import type { LstmParams } from "./cells/lstm.ts";
import { lstmLayerFast } from "./fast.ts";
import { lstmLayer, type LayerOptions, type SequenceInput } from "./rnn.ts";

/** The first index where two arrays differ (Object.is), or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const values = (n: number, scale: number) =>
  fc.array(fc.double({ min: -scale, max: scale, noNaN: true }), { minLength: n, maxLength: n }).map((v) => Float64Array.from(v));

const scenario = fc
  .record({
    batch: fc.integer({ min: 1, max: 5 }),
    timesteps: fc.integer({ min: 1, max: 9 }),
    inputDim: fc.integer({ min: 1, max: 6 }),
    units: fc.integer({ min: 1, max: 9 }),
  })
  .chain(({ batch, timesteps, inputDim, units }) =>
    fc.record({
      batch: fc.constant(batch),
      timesteps: fc.constant(timesteps),
      inputDim: fc.constant(inputDim),
      units: fc.constant(units),
      kernel: values(inputDim * 4 * units, 2),
      recurrentKernel: values(units * 4 * units, 2),
      bias: fc.option(values(4 * units, 2), { nil: null }),
      x: values(batch * timesteps * inputDim, 3),
      mask: fc.option(fc.uint8Array({ min: 0, max: 1, minLength: batch * timesteps, maxLength: batch * timesteps }), { nil: undefined }),
      initialState: fc.option(fc.record({ h: values(batch * units, 1), c: values(batch * units, 3) }), { nil: undefined }),
      act: fc.constantFrom(...activationNames),
      recAct: fc.constantFrom(...activationNames),
      dialect: fc.constantFrom<Dialect>("keras3", "tf-keras"),
      options: fc.record<LayerOptions>({ returnSequences: fc.boolean(), goBackwards: fc.boolean(), zeroOutputForMask: fc.boolean() }),
    }),
  );

describe("lstmLayerFast equals lstmLayer (fast.ts)", () => {
  it("bit for bit on every output, final state and per-step state", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const params: LstmParams = { inputDim: s.inputDim, units: s.units, kernel: s.kernel, recurrentKernel: s.recurrentKernel, bias: s.bias };
        const f = { act: activationByName(s.act, s.dialect), recAct: activationByName(s.recAct, s.dialect) };
        const input: SequenceInput = {
          batch: s.batch,
          timesteps: s.timesteps,
          x: s.x,
          ...(s.mask ? { mask: s.mask } : {}),
          ...(s.initialState ? { initialState: s.initialState } : {}),
        };
        const before = s.initialState ? [Float64Array.from(s.initialState.h), Float64Array.from(s.initialState.c)] : [];
        const spec = lstmLayer(params, f, s.options, input);
        const fast = lstmLayerFast(params, f, s.options, input);
        expect(fast.outputShape).toEqual(spec.outputShape);
        for (const [name, a, b] of [
          ["output", fast.output, spec.output],
          ["state.h", fast.state.h, spec.state.h],
          ["state.c", fast.state.c, spec.state.c],
          ["steps.h", fast.steps.h, spec.steps.h],
          ["steps.c", fast.steps.c, spec.steps.c],
        ] as const) {
          const at = firstDifference(a, b);
          expect(at, `${name}[${at}]: fast ${a[at]} vs spec ${b[at]}`).toBe(-1);
        }
        // The caller's initial state is not modified.
        if (s.initialState) {
          expect(firstDifference(s.initialState.h, before[0]!)).toBe(-1);
          expect(firstDifference(s.initialState.c, before[1]!)).toBe(-1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("also beyond one row tile (batch · timesteps > 32) and on a non-finite input", () => {
    const B = 3, T = 17, D = 5, U = 7; // 51 rows: two tiles, an odd remainder
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const fill = (n: number) => Float64Array.from({ length: n }, rand);
    const params: LstmParams = { inputDim: D, units: U, kernel: fill(D * 4 * U), recurrentKernel: fill(U * 4 * U), bias: fill(4 * U) };
    const f = { act: Math.tanh, recAct: activationByName("sigmoid", "keras3") };
    const x = fill(B * T * D);
    x[7] = Number.NaN;
    x[40] = Number.POSITIVE_INFINITY;
    const o = { returnSequences: true, goBackwards: true, zeroOutputForMask: false };
    const spec = lstmLayer(params, f, o, { batch: B, timesteps: T, x });
    const fast = lstmLayerFast(params, f, o, { batch: B, timesteps: T, x });
    expect(firstDifference(fast.output, spec.output)).toBe(-1);
    expect(firstDifference(fast.steps.c, spec.steps.c)).toBe(-1);
    expect(spec.output.some(Number.isNaN)).toBe(true); // the NaN really propagated, so Object.is was exercised
  });
});
