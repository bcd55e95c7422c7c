/**
 * The SimpleRNN converters (spec/porting.md §15): round trips, and each framework's own equations on
 * converted weights against the reference's Keras SimpleRNN (spec/simple-rnn.md §2.1). Real torch and
 * ONNX Runtime: pytorch-e2e.test.ts, onnxruntime-e2e.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SimpleRnnLayer } from "../case.ts";
import { kerasToOnnxWeights } from "../engines/onnx-model.ts";
import { addTensors, type BiasSplit } from "./gates.ts";
import {
  keras1SimpleRnnToKeras,
  kerasSimpleRnnToOnnx,
  kerasSimpleRnnToPytorch,
  kerasSimpleRnnToPytorchStateDict,
  kerasToKeras1SimpleRnn,
  kerasToTf1RnnCell,
  onnxRnnToKeras,
  pytorchRnnStateDictToKeras,
  pytorchRnnToKeras,
  tf1RnnCellToKeras,
} from "./simple-rnn.ts";
import { maxAbsDiff, referenceCellSequence } from "../testing/porting-reference-check.ts";
import { runForeignSimpleRnn, sameCellWeights, sameValues, sequenceArb, simpleRnnLayerArb, simpleRnnWeightsArb, tensorArb } from "../testing/porting-arbitraries.ts";

const policies: BiasSplit[] = ["input", "recurrent", "half"];
const withInput = sizesArb().chain(({ d, u, t }) => fc.tuple(simpleRnnWeightsArb(d, u, true), sequenceArb(t, d)));
const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

function sizesArb() {
  return fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 2, max: 4 }) });
}

describe("Keras SimpleRNN ⇄ PyTorch nn.RNN (spec/porting.md §15.1, spec/simple-rnn.md §6 Q1)", () => {
  for (const biasSplit of policies) {
    it(`Keras → PyTorch → Keras is the identity (bias split "${biasSplit}")`, () => {
      fc.assert(fc.property(simpleRnnLayerArb, ({ w }) => sameCellWeights(pytorchRnnToKeras(kerasSimpleRnnToPytorch(w, { biasSplit })), w)));
    });
  }

  it("PyTorch → Keras → PyTorch keeps both weights and b_ih + b_hh; a stacked, bidirectional state_dict round-trips", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }) }).chain(({ d, u }) =>
      fc.record({ weight_ih: tensorArb([u, d]), weight_hh: tensorArb([u, u]), bias_ih: tensorArb([u]), bias_hh: tensorArb([u]) }),
    );
    fc.assert(fc.property(arb, (p) => {
      const back = kerasSimpleRnnToPytorch(pytorchRnnToKeras(p));
      return sameValues(back.weight_hh, p.weight_hh) && sameValues(addTensors(back.bias_ih!, back.bias_hh!), addTensors(p.bias_ih, p.bias_hh));
    }));
    const stack = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }) }).chain(({ d, u }) =>
      fc.tuple(simpleRnnWeightsArb(d, u, true), simpleRnnWeightsArb(d, u, true), simpleRnnWeightsArb(2 * u, u, true)),
    );
    fc.assert(fc.property(stack, ([f0, b0, f1]) => {
      // layer 1 of a bidirectional stack reads both directions: here only shapes matter, so a second bidirectional layer
      const dict = kerasSimpleRnnToPytorchStateDict([{ forward: f0, backward: b0 }, { forward: f1, backward: f1 }], { prefix: "rnn." });
      expect(Object.keys(dict)).toContain("rnn.bias_hh_l1_reverse");
      const [l0, l1] = pytorchRnnStateDictToKeras(dict, "rnn.");
      return sameCellWeights(l0!.forward, f0) && sameCellWeights(l0!.backward!, b0) && sameCellWeights(l1!.forward, f1);
    }));
  });

  it("converted weights run through PyTorch's own equation (tanh(W_ih x + b_ih + W_hh h + b_hh)) give the reference's outputs", async () => {
    await fc.assert(
      fc.asyncProperty(withInput, fc.constantFrom(...policies), async ([w, x], biasSplit) => {
        const p = kerasSimpleRnnToPytorch(w, { biasSplit });
        const H = p.weight_hh.shape[0]!;
        const D = p.weight_ih.shape[1]!;
        const expected = runForeignSimpleRnn(x, H, (j, xt, h) => {
          let a = p.bias_ih!.data[j]! + p.bias_hh!.data[j]!;
          for (let k = 0; k < D; k++) a += p.weight_ih.data[j * D + k]! * xt[k]!;
          for (let k = 0; k < H; k++) a += p.weight_hh.data[j * H + k]! * h[k]!; // weight_hh is Uᵀ: row j is unit j's
          return a;
        });
        return maxAbsDiff(await referenceCellSequence("SimpleRNN", w, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a missing bias half and bad shapes, naming the tensor", () => {
    expect(() => pytorchRnnToKeras({ weight_ih: t([2, 3]), weight_hh: t([2, 2]), bias_ih: t([2]) })).toThrow(/pytorch\.bias_hh/);
    expect(() => pytorchRnnToKeras({ weight_ih: t([2, 3]), weight_hh: t([2, 3]) })).toThrow(/pytorch\.weight_hh: expected shape \(2, 2\), got \(2, 3\)/);
    expect(() => kerasSimpleRnnToPytorch({ kernel: t([3, 2]), recurrent_kernel: t([2, 2]), bias: t([3]) })).toThrow(/keras\.bias: expected shape \(2,\), got \(3,\)/);
  });
});

describe("Keras SimpleRNN ⇄ ONNX RNN (spec/porting.md §15.2, spec/simple-rnn.md §6 Q2)", () => {
  it("gives ONNX's shapes; Keras → ONNX → Keras is the identity, bidirectional too", () => {
    fc.assert(fc.property(simpleRnnLayerArb, ({ inputDim: d, units: u, withBias, w }) => {
      const o = kerasSimpleRnnToOnnx([w, w]);
      expect([o.W.shape, o.R.shape, o.B?.shape]).toEqual([[2, u, d], [2, u, u], withBias ? [2, 2 * u] : undefined]);
      const [fw, bw] = onnxRnnToKeras(o);
      return sameCellWeights(fw!, w) && sameCellWeights(bw!, w);
    }));
  });

  it("converted weights run through ONNX's equation (Ht = Tanh(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)) give the reference's outputs", async () => {
    await fc.assert(
      fc.asyncProperty(withInput, async ([w, x]) => {
        const o = kerasSimpleRnnToOnnx(w);
        const H = o.R.shape[1]!;
        const D = o.W.shape[2]!;
        const expected = runForeignSimpleRnn(x, H, (j, xt, h) => {
          let a = o.B!.data[j]! + o.B!.data[H + j]!;
          for (let k = 0; k < D; k++) a += o.W.data[j * D + k]! * xt[k]!;
          for (let k = 0; k < H; k++) a += o.R.data[j * H + k]! * h[k]!;
          return a;
        });
        return maxAbsDiff(await referenceCellSequence("SimpleRNN", w, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("gives the ONNX Runtime engine's own RNN weights bit for bit (conformance/engines/onnx-model.ts)", () => {
    fc.assert(fc.property(simpleRnnLayerArb, ({ units, withBias, w }) => {
      const layer: SimpleRnnLayer = { className: "SimpleRNN", config: { units, activation: "tanh", use_bias: withBias, return_sequences: true, return_state: false, go_backwards: false, stateful: false }, weights: w };
      const engine = kerasToOnnxWeights(layer);
      const mine = kerasSimpleRnnToOnnx(w);
      return sameValues(engine.W, mine.W) && sameValues(engine.R, mine.R) && sameValues(engine.B, mine.B);
    }));
  });
});

describe("Keras SimpleRNN ⇄ Keras 1 and TF 1.x BasicRNNCell (spec/porting.md §15.3, §15.4)", () => {
  it("Keras 1's W, U, b are Keras's three tensors; no bias gives a zero b", () => {
    fc.assert(fc.property(simpleRnnLayerArb, ({ w, units }) => {
      const back = keras1SimpleRnnToKeras(kerasToKeras1SimpleRnn(w));
      return w.bias ? sameCellWeights(back, w) : sameValues(back.bias, t([units]));
    }));
    expect(() => keras1SimpleRnnToKeras([t([3, 2]), t([2, 2])])).toThrow(/3 weight arrays \(W, U, b\)/);
    expect(() => keras1SimpleRnnToKeras([t([3, 2]), t([2, 3]), t([2])])).toThrow(/U: expected shape \(2, 2\), got \(2, 3\)/);
  });

  it("TF1's own step (tanh(concat([x, h])·kernel + bias)) on converted weights gives the reference's outputs; round trip exact", async () => {
    fc.assert(fc.property(simpleRnnLayerArb.filter((l) => l.withBias), ({ w, inputDim }) => sameCellWeights(tf1RnnCellToKeras(kerasToTf1RnnCell(w), inputDim), w)));
    await fc.assert(
      fc.asyncProperty(withInput, async ([w, x]) => {
        const c = kerasToTf1RnnCell(w);
        const H = c.bias.shape[0]!;
        const expected = runForeignSimpleRnn(x, H, (j, xt, h) => [...xt, ...h].reduce((a, v, k) => a + v * c.kernel.data[k * H + j]!, c.bias.data[j]!));
        return maxAbsDiff(await referenceCellSequence("SimpleRNN", w, x), expected) < 1e-5;
      }),
      { numRuns: 40 },
    );
    expect(() => tf1RnnCellToKeras({ kernel: t([5, 2]), bias: t([3]) })).toThrow(/kernel: expected shape \(5, 3\), got \(5, 2\)/);
  });
});
