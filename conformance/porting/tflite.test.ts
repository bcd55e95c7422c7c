import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxAbsDiff, referenceSequence } from "../testing/porting-reference-check.ts";
import { kerasLayerArb, kerasWeightsArb, runForeignLstm, sameKerasWeights, sequenceArb } from "../testing/porting-arbitraries.ts";
import { kerasToTflite, tfliteToKeras } from "./tflite.ts";

describe("Keras ⇄ TFLite per-gate LSTM tensors (spec/porting.md §8)", () => {
  it("Keras → TFLite → Keras is the identity (no bias → zero gate biases)", () => {
    fc.assert(fc.property(kerasLayerArb, ({ w, units }) => sameKerasWeights(tfliteToKeras(kerasToTflite(w)), w.bias ? w : { ...w, bias: { shape: [4 * units], data: new Float32Array(4 * units) } })));
  });

  it("TFLite's per-gate math (W_g·x + R_g·h + b_g, slots i, f, c, o) equals the reference on the converted weights", async () => {
    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 4 }) })
      .chain(({ d, u, t }) => fc.tuple(kerasWeightsArb(d, u, true), sequenceArb(t, d)));
    await fc.assert(
      fc.asyncProperty(arb, async ([w, x]) => {
        const t = kerasToTflite(w);
        const units = t.recurrent_to_input_weights.shape[0]!;
        const inputDim = t.input_to_input_weights.shape[1]!;
        const slot = ["input", "forget", "cell", "output"] as const;
        const expected = runForeignLstm(x, units, (g, j, xt, h) => {
          const W = t[`input_to_${slot[g]}_weights`];
          const R = t[`recurrent_to_${slot[g]}_weights`];
          let z = t[`${slot[g]}_gate_bias`].data[j]!;
          for (let k = 0; k < inputDim; k++) z += W.data[j * inputDim + k]! * xt[k]!;
          for (let k = 0; k < units; k++) z += R.data[j * units + k]! * h[k]!;
          return z;
        });
        return maxAbsDiff(await referenceSequence(w, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a CIFG model (no input gate) and a bad shape", () => {
    const t = kerasToTflite({ kernel: { shape: [3, 8], data: new Float32Array(24) }, recurrent_kernel: { shape: [2, 8], data: new Float32Array(16) } });
    const { input_to_input_weights: _dropped, ...cifg } = t;
    expect(() => tfliteToKeras(cifg as typeof t)).toThrow(/input_to_input_weights: missing .*CIFG/);
    expect(() => tfliteToKeras({ ...t, cell_gate_bias: { shape: [3], data: new Float32Array(3) } })).toThrow(/cell_gate_bias: expected shape \(2,\), got \(3,\)/);
  });
});
