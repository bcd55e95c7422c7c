import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cudnnCanonicalToKeras, cudnnLstmLayerToKeras, kerasToCudnnCanonical, kerasToCudnnLstmLayer } from "./cudnn.ts";
import type { BiasSplit } from "./gates.ts";
import { maxAbsDiff, referenceSequence } from "../testing/porting-reference-check.ts";
import { kerasLayerArb, kerasWeightsArb, runForeignLstm, sameKerasWeights, sequenceArb } from "../testing/porting-arbitraries.ts";

const policies: BiasSplit[] = ["input", "recurrent", "half"];
const withZeroBias = <T extends { bias?: unknown }>(w: T, units: number) => ("bias" in w && w.bias ? w : { ...w, bias: { shape: [4 * units], data: new Float32Array(4 * units) } });

describe("Keras ⇄ cuDNN LSTM weights (spec/porting.md §5)", () => {
  for (const biasSplit of policies) {
    it(`Keras → cuDNN canonical → Keras is the identity (bias split "${biasSplit}"; no bias → zeros)`, () => {
      fc.assert(fc.property(kerasLayerArb, ({ w, units }) => sameKerasWeights(cudnnCanonicalToKeras(kerasToCudnnCanonical(w, { biasSplit })), withZeroBias(w, units))));
    });
  }

  it("Keras → CuDNNLSTM layer → Keras is the identity", () => {
    fc.assert(fc.property(kerasLayerArb, ({ w, units }) => sameKerasWeights(cudnnLstmLayerToKeras(kerasToCudnnLstmLayer(w)), withZeroBias(w, units))));
  });

  it("the CuDNNLSTM layer layout is what tf-keras's HDF5 loader undoes (per-gate kernel.T.reshape(shape, order='F'), recurrent k.T)", () => {
    // hdf5_format.py `_convert_rnn_weights`: from cuDNN, input block K (in, u) → K.T.reshape((in, u), order="F").
    const inputDim = 3;
    const units = 2;
    const w = kerasToCudnnLstmLayer({ kernel: { shape: [inputDim, 4 * units], data: Float32Array.from({ length: 24 }, (_, k) => k) }, recurrent_kernel: { shape: [units, 4 * units], data: Float32Array.from({ length: 16 }, (_, k) => 100 + k) } });
    const back = cudnnLstmLayerToKeras(w);
    for (let g = 0; g < 4; g++) {
      const block = (r: number, c: number) => w.kernel.data[r * 4 * units + g * units + c]!; // K (in, u)
      const kt = (r: number, c: number) => block(c, r); // K.T (u, in)
      // F-order flatten of K.T, refilled F-order into (in, u): element (a, b) ← flat[a + b·in].
      const fFlat: number[] = [];
      for (let c = 0; c < inputDim; c++) for (let r = 0; r < units; r++) fFlat.push(kt(r, c));
      for (let a = 0; a < inputDim; a++) for (let b = 0; b < units; b++) expect(back.kernel.data[a * 4 * units + g * units + b]).toBe(fFlat[a + b * inputDim]);
    }
  });

  it("cuDNN canonical weights run through cuDNN's equations (W·x + bW + R·h + bR, ifco) give the reference's Keras outputs", async () => {
    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 4 }), s: fc.constantFrom(...policies) })
      .chain(({ d, u, t, s }) => fc.tuple(kerasWeightsArb(d, u, true), sequenceArb(t, d), fc.constant(s)));
    await fc.assert(
      fc.asyncProperty(arb, async ([w, x, biasSplit]) => {
        const c = kerasToCudnnCanonical(w, { biasSplit });
        const units = c.weights[4]!.shape[0]!;
        const inputDim = c.weights[0]!.shape[1]!;
        const expected = runForeignLstm(x, units, (g, j, xt, h) => {
          let z = c.biases[g]!.data[j]! + c.biases[4 + g]!.data[j]!;
          for (let k = 0; k < inputDim; k++) z += c.weights[g]!.data[j * inputDim + k]! * xt[k]!;
          for (let k = 0; k < units; k++) z += c.weights[4 + g]!.data[j * units + k]! * h[k]!;
          return z;
        });
        return maxAbsDiff(await referenceSequence(w, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a plain LSTM bias where a CuDNNLSTM bias is expected", () => {
    const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expect(() => cudnnLstmLayerToKeras({ kernel: t([3, 8]), recurrent_kernel: t([2, 8]), bias: t([8]) })).toThrow(/CuDNNLSTM\.bias: expected shape \(16,\)/);
    expect(() => cudnnCanonicalToKeras({ weights: [t([2, 3])], biases: [] })).toThrow(/8 weight matrices/);
  });
});
