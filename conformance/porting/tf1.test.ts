import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxAbsDiff, referenceSequence } from "../testing/porting-reference-check.ts";
import { kerasToTf1LstmCell, tf1LstmCellToKeras } from "./tf1.ts";
import { kerasLayerArb, runForeignLstm, sameKerasWeights, sequenceArb, tensorArb } from "../testing/porting-arbitraries.ts";

describe("TF 1.x LSTMCell / LSTMBlockCell → Keras (spec/porting.md §7)", () => {
  it("Keras → TF1 → Keras is the identity with forget_bias 0", () => {
    fc.assert(
      fc.property(kerasLayerArb, ({ w, inputDim, units }) => {
        const back = tf1LstmCellToKeras(kerasToTf1LstmCell(w, { forgetBias: 0 }), inputDim, { forgetBias: 0 });
        return sameKerasWeights(back, w.bias ? w : { ...w, bias: { shape: [4 * units], data: new Float32Array(4 * units) } });
      }),
    );
  });

  it("with forget_bias 1 the round trip is exact up to float32 rounding of b_f - 1 + 1", () => {
    fc.assert(
      fc.property(kerasLayerArb, ({ w, inputDim }) => {
        const back = tf1LstmCellToKeras(kerasToTf1LstmCell(w, { forgetBias: 1 }), inputDim);
        return maxAbsDiff(back.kernel.data, w.kernel.data) === 0 && maxAbsDiff(back.bias!.data, w.bias?.data ?? new Float32Array(back.bias!.data.length)) <= 2 ** -22;
      }),
    );
  });

  it("TF1's own math (concat [x, h] · kernel + bias, split i, j, f, o, σ(f + forget_bias)) equals the reference on the converted weights", async () => {
    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 4 }), fb: fc.constantFrom(0, 1, 0.5) })
      .chain(({ d, u, t, fb }) => fc.tuple(tensorArb([d + u, 4 * u]), tensorArb([4 * u]), sequenceArb(t, d), fc.constant({ d, u, fb })));
    await fc.assert(
      fc.asyncProperty(arb, async ([kernel, bias, x, { d, u, fb }]) => {
        const converted = tf1LstmCellToKeras({ kernel, bias }, d, { forgetBias: fb });
        const tfBlock = [0, 2, 1, 3] as const; // meaning i, f, c, o → TF1 block (i, j, f, o)
        const expected = runForeignLstm(x, u, (g, j, xt, h) => {
          const col = tfBlock[g] * u + j;
          let z = bias.data[col]! + (g === 1 ? fb : 0);
          const xh = [...xt, ...h];
          for (let k = 0; k < d + u; k++) z += xh[k]! * kernel.data[k * 4 * u + col]!;
          return z;
        });
        return maxAbsDiff(await referenceSequence(converted, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a kernel that does not fit input_dim + units", () => {
    const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expect(() => tf1LstmCellToKeras({ kernel: t([4, 8]), bias: t([8]) }, 3)).toThrow(/kernel: expected shape \(5, 8\), got \(4, 8\)/);
  });
});
