import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addTensors } from "./gates.ts";
import { kerasToOnnx, onnxToKeras } from "./onnx.ts";
import { maxAbsDiff, referenceSequence } from "./reference-check.ts";
import { kerasLayerArb, kerasWeightsArb, runForeignLstm, sameKerasWeights, sameValues, sequenceArb, tensorArb } from "./testing.ts";

describe("Keras ⇄ ONNX LSTM weights (spec/porting.md §4)", () => {
  it("Keras → ONNX → Keras is the identity (one direction)", () => {
    fc.assert(fc.property(kerasLayerArb, ({ w }) => sameKerasWeights(onnxToKeras(kerasToOnnx(w))[0]!, w)));
  });

  it("Keras → ONNX → Keras is the identity (bidirectional: forward in direction 0, backward in 1)", () => {
    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), b: fc.boolean() })
      .chain(({ d, u, b }) => fc.tuple(kerasWeightsArb(d, u, b), kerasWeightsArb(d, u, b)));
    fc.assert(
      fc.property(arb, ([fw, bw]) => {
        const onnx = kerasToOnnx([fw, bw]);
        expect(onnx.W.shape[0]).toBe(2);
        const [f2, b2] = onnxToKeras(onnx);
        return sameKerasWeights(f2!, fw) && sameKerasWeights(b2!, bw);
      }),
    );
  });

  it("ONNX → Keras → ONNX keeps W, R and Wb + Rb (the bias split is lost, by design)", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }) }).chain(({ d, u }) =>
      fc.record({ W: tensorArb([1, 4 * u, d]), R: tensorArb([1, 4 * u, u]), B: tensorArb([1, 8 * u]) }),
    );
    fc.assert(
      fc.property(arb, (onnx) => {
        const back = kerasToOnnx(onnxToKeras(onnx));
        const h = onnx.R.shape[2]!;
        const sum = (b: typeof onnx.B) => addTensors({ shape: [4 * h], data: b.data.slice(0, 4 * h) }, { shape: [4 * h], data: b.data.slice(4 * h) });
        return sameValues(back.W, onnx.W) && sameValues(back.R, onnx.R) && sameValues(sum(back.B!), sum(onnx.B));
      }),
    );
  });

  it("converted weights run through ONNX's own equations (iofc, X·Wᵀ + Wb + Rb) give the reference's Keras outputs", async () => {
    const arb = fc
      .record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 4 }) })
      .chain(({ d, u, t }) => fc.tuple(kerasWeightsArb(d, u, true), sequenceArb(t, d)));
    await fc.assert(
      fc.asyncProperty(arb, async ([w, x]) => {
        const { W, R, B } = kerasToOnnx(w);
        const units = R.shape[2]!;
        const inputDim = W.shape[2]!;
        // Operators.md §LSTM: block order i, o, f, c; W[dir, gate·H + j, k] multiplies x_k.
        const onnxBlock = [0, 2, 3, 1] as const; // meaning i, f, c, o → ONNX block index
        const expected = runForeignLstm(x, units, (g, j, xt, h) => {
          const row = onnxBlock[g] * units + j;
          let z = B!.data[row]! + B!.data[4 * units + row]!;
          for (let k = 0; k < inputDim; k++) z += W.data[row * inputDim + k]! * xt[k]!;
          for (let k = 0; k < units; k++) z += R.data[row * units + k]! * h[k]!;
          return z;
        });
        return maxAbsDiff(await referenceSequence(w, x), expected) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a bad shape, naming the tensor and the shape expected", () => {
    const W = { shape: [1, 8, 3], data: new Float32Array(24) };
    const R = { shape: [1, 8, 3], data: new Float32Array(24) };
    expect(() => onnxToKeras({ W, R })).toThrow(/R: expected shape \(1, 8, 2\), got \(1, 8, 3\)/);
    expect(() => onnxToKeras({ W: { shape: [8, 3], data: new Float32Array(24) }, R })).toThrow(/^W: expected shape \[num_directions/);
    const k = { shape: [3, 8], data: new Float32Array(24) };
    expect(() => kerasToOnnx({ kernel: k, recurrent_kernel: { shape: [2, 7], data: new Float32Array(14) } })).toThrow(/recurrent_kernel: expected shape \(units, 4·units\), got \(2, 7\)/);
  });
});
