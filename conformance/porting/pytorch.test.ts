import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addTensors, type BiasSplit } from "./gates.ts";
import { kerasToPytorch, kerasToPytorchStateDict, pytorchStateDictToKeras, pytorchToKeras } from "./pytorch.ts";
import { maxAbsDiff, referenceSequence } from "../testing/porting-reference-check.ts";
import { kerasLayerArb, kerasWeightsArb, runForeignLstm, sameKerasWeights, sameValues, sequenceArb, tensorArb } from "../testing/porting-arbitraries.ts";

const policies: BiasSplit[] = ["input", "recurrent", "half"];

describe("Keras ⇄ PyTorch nn.LSTM weights (spec/porting.md §3)", () => {
  for (const biasSplit of policies) {
    it(`Keras → PyTorch → Keras is the identity (bias split "${biasSplit}")`, () => {
      fc.assert(fc.property(kerasLayerArb, ({ w }) => sameKerasWeights(pytorchToKeras(kerasToPytorch(w, { biasSplit })), w)));
    });
  }

  it("PyTorch → Keras → PyTorch keeps both weights and b_ih + b_hh (the split is lost, by design)", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }) }).chain(({ d, u }) =>
      fc.record({ weight_ih: tensorArb([4 * u, d]), weight_hh: tensorArb([4 * u, u]), bias_ih: tensorArb([4 * u]), bias_hh: tensorArb([4 * u]) }),
    );
    fc.assert(
      fc.property(arb, (p) => {
        const back = kerasToPytorch(pytorchToKeras(p));
        return sameValues(back.weight_ih, p.weight_ih) && sameValues(back.weight_hh, p.weight_hh) && sameValues(addTensors(back.bias_ih!, back.bias_hh!), addTensors(p.bias_ih, p.bias_hh));
      }),
    );
  });

  it("a stacked, bidirectional state_dict round-trips with PyTorch's names", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), b: fc.boolean() }).chain(({ d, u, b }) =>
      fc.tuple(kerasWeightsArb(d, u, b), kerasWeightsArb(d, u, b), kerasWeightsArb(2 * u, u, b), kerasWeightsArb(2 * u, u, b)),
    );
    fc.assert(
      fc.property(arb, ([f0, b0, f1, b1]) => {
        const dict = kerasToPytorchStateDict([{ forward: f0, backward: b0 }, { forward: f1, backward: b1 }], { prefix: "lstm." });
        const names = Object.keys(dict);
        expect(names).toContain("lstm.weight_ih_l1_reverse");
        expect(names).toContain("lstm.weight_hh_l0");
        const [l0, l1] = pytorchStateDictToKeras(dict, "lstm.");
        return sameKerasWeights(l0!.forward, f0) && sameKerasWeights(l0!.backward!, b0) && sameKerasWeights(l1!.forward, f1) && sameKerasWeights(l1!.backward!, b1);
      }),
    );
  });

  it("converted weights run through PyTorch's own equations (ifgo, W_ih·x + b_ih + W_hh·h + b_hh) give the reference's Keras outputs", async () => {
    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 4 }), s: fc.constantFrom(...policies) })
      .chain(({ d, u, t, s }) => fc.tuple(kerasWeightsArb(d, u, true), sequenceArb(t, d), fc.constant(s)));
    await fc.assert(
      fc.asyncProperty(arb, async ([w, x, biasSplit]) => {
        const p = kerasToPytorch(w, { biasSplit });
        const units = p.weight_hh.shape[1]!;
        const inputDim = p.weight_ih.shape[1]!;
        // torch/nn/modules/rnn.py LSTM docstring: weight_ih_l[k] = (W_ii|W_if|W_ig|W_io), rows gate·H + j.
        const expected = runForeignLstm(x, units, (g, j, xt, h) => {
          const row = g * units + j;
          let z = p.bias_ih!.data[row]! + p.bias_hh!.data[row]!;
          for (let k = 0; k < inputDim; k++) z += p.weight_ih.data[row * inputDim + k]! * xt[k]!;
          for (let k = 0; k < units; k++) z += p.weight_hh.data[row * units + k]! * h[k]!;
          return z;
        });
        return maxAbsDiff(await referenceSequence(w, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("refuses proj_size, a missing bias half and bad shapes with the tensor's name", () => {
    const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expect(() => pytorchStateDictToKeras({ weight_ih_l0: t([8, 3]), weight_hh_l0: t([8, 1]), weight_hr_l0: t([1, 2]) })).toThrow(/weight_hr_l0: .*proj_size/);
    expect(() => pytorchToKeras({ weight_ih: t([8, 3]), weight_hh: t([8, 2]), bias_ih: t([8]) })).toThrow(/pytorch\.bias_hh/);
    expect(() => pytorchToKeras({ weight_ih: t([8, 3]), weight_hh: t([8, 3]) })).toThrow(/pytorch\.weight_hh: expected shape \(8, 2\), got \(8, 3\)/);
    expect(() => pytorchStateDictToKeras({ foo: t([1]) })).toThrow(/no weight_ih_l0/);
  });
});
