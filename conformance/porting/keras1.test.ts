import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keras1ConfigToKeras, keras1ToKeras, kerasToKeras1 } from "./keras1.ts";
import { maxAbsDiff, referenceSequence } from "../testing/porting-reference-check.ts";
import { kerasLayerArb, kerasWeightsArb, runForeignLstm, sameKerasWeights, sequenceArb } from "../testing/porting-arbitraries.ts";

describe("Keras 1 → Keras LSTM weights (spec/porting.md §6)", () => {
  it("Keras → Keras 1 → Keras is the identity (no bias → zero b_*)", () => {
    fc.assert(
      fc.property(kerasLayerArb, ({ w, units }) => {
        const back = keras1ToKeras(kerasToKeras1(w));
        return sameKerasWeights(back, w.bias ? w : { ...w, bias: { shape: [4 * units], data: new Float32Array(4 * units) } });
      }),
    );
  });

  it("Keras 1's per-gate math (W_g, U_g, b_g stored i, c, f, o) equals the reference on the converted weights", async () => {
    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 4 }) })
      .chain(({ d, u, t }) => fc.tuple(kerasWeightsArb(d, u, true), sequenceArb(t, d)));
    await fc.assert(
      fc.asyncProperty(arb, async ([w, x]) => {
        // Built the Keras 1 way, by name; the converter must find the Keras order itself.
        const list = kerasToKeras1(w);
        const [Wi, Ui, bi, Wc, Uc, bc, Wf, Uf, bf, Wo, Uo, bo] = list;
        const byMeaning = [[Wi, Ui, bi], [Wf, Uf, bf], [Wc, Uc, bc], [Wo, Uo, bo]] as const;
        const converted = keras1ToKeras(list);
        const units = Ui!.shape[0]!;
        const inputDim = Wi!.shape[0]!;
        const expected = runForeignLstm(x, units, (g, j, xt, h) => {
          const [W, U, b] = byMeaning[g];
          let z = b!.data[j]!;
          for (let k = 0; k < inputDim; k++) z += xt[k]! * W!.data[k * units + j]!;
          for (let k = 0; k < units; k++) z += h[k]! * U!.data[k * units + j]!;
          return z;
        });
        return maxAbsDiff(await referenceSequence(converted, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("the converter reads the list as i, c, f, o: swapping the c and f arrays changes the result", () => {
    const w = { kernel: { shape: [1, 4], data: Float32Array.from([1, 2, 3, 4]) }, recurrent_kernel: { shape: [1, 4], data: Float32Array.from([5, 6, 7, 8]) }, bias: { shape: [4], data: Float32Array.from([9, 10, 11, 12]) } };
    const list = kerasToKeras1(w);
    expect(Array.from(list[3]!.data)).toEqual([3]); // W_c is the third Keras block
    expect(Array.from(list[6]!.data)).toEqual([2]); // W_f is the second
  });

  it("maps a Keras 1 config, with Keras 1's defaults", () => {
    expect(keras1ConfigToKeras({ output_dim: 8, return_sequences: true })).toMatchObject({ units: 8, recurrent_activation: "hard_sigmoid", activation: "tanh", return_sequences: true });
    expect(() => keras1ToKeras([])).toThrow(/12 weight arrays/);
  });
});
