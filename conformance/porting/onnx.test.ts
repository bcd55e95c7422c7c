import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addTensors, concatFirstAxis, joinVectors, stackTensors } from "./gates.ts";
import { kerasToOnnx, onnxToKeras } from "./onnx.ts";
import { maxAbsDiff, referenceSequence } from "../testing/porting-reference-check.ts";
import { kerasLayerArb, kerasWeightsArb, runForeignLstm, sameKerasWeights, sameValues, sequenceArb, tensorArb } from "../testing/porting-arbitraries.ts";

describe("Keras ⇄ ONNX LSTM weights (spec/porting.md §4)", () => {
  it("gives ONNX's shapes: W [dirs, 4H, in], R [dirs, 4H, H], B [dirs, 8H]", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 4 }), u: fc.integer({ min: 1, max: 4 }) }).chain(({ d, u }) =>
      fc.record({ d: fc.constant(d), u: fc.constant(u), fw: kerasWeightsArb(d, u, true), bw: kerasWeightsArb(d, u, true) }),
    );
    fc.assert(
      fc.property(arb, ({ d, u, fw, bw }) => {
        const one = kerasToOnnx(fw);
        expect([one.W.shape, one.R.shape, one.B!.shape]).toEqual([[1, 4 * u, d], [1, 4 * u, u], [1, 8 * u]]);
        const two = kerasToOnnx([fw, bw]);
        expect([two.W.shape, two.R.shape, two.B!.shape]).toEqual([[2, 4 * u, d], [2, 4 * u, u], [2, 8 * u]]);
        for (const t of [one.W, one.R, one.B!, two.W, two.R, two.B!]) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      }),
    );
    // the case from the bug report: 3 units, 3 inputs
    const w = { kernel: { shape: [3, 12], data: new Float32Array(36) }, recurrent_kernel: { shape: [3, 12], data: new Float32Array(36) }, bias: { shape: [12], data: new Float32Array(12) } };
    const { W, R, B } = kerasToOnnx(w);
    expect([W.shape, R.shape, B!.shape]).toEqual([[1, 12, 3], [1, 12, 3], [1, 24]]);
  });

  it("concatFirstAxis keeps the trailing dimensions and refuses mismatched parts", () => {
    const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expect(concatFirstAxis([t([2, 3]), t([1, 3])]).shape).toEqual([3, 3]);
    expect(joinVectors([t([4]), t([4])]).shape).toEqual([8]);
    expect(stackTensors([t([12, 3]), t([12, 3])]).shape).toEqual([2, 12, 3]);
    expect(() => concatFirstAxis([t([2, 3]), t([2, 4])])).toThrow(/part 1: expected shape \(n, 3\), got \(2, 4\)/);
  });

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
