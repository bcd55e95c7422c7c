/**
 * The GRU converters (spec/porting.md §14): round trips, and each framework's own equations — indexing
 * its tensors in its own block order and with its own reset convention — run on converted weights
 * against the reference's Keras GRU (spec/gru.md §2). Real torch and ONNX Runtime: pytorch-e2e.test.ts,
 * onnxruntime-e2e.test.ts; tf-keras's own loaders and TF1's cell: tfkeras-e2e.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GruLayer, GruWeights } from "../case.ts";
import { kerasToOnnxWeights } from "../engines/onnx-model.ts";
import type { Tensor } from "../tensor.ts";
import { addTensors, splitColumns } from "./gates.ts";
import {
  cudnnGruCanonicalToKeras,
  cudnnGruLayerToKeras,
  keras1GruConfigToKeras,
  keras1GruToKeras,
  kerasGruToCudnnCanonical,
  kerasGruToOnnx,
  kerasGruToPytorch,
  kerasGruToPytorchStateDict,
  kerasToCudnnGruLayer,
  kerasToKeras1Gru,
  kerasToTf1GruCell,
  onnxGruToKeras,
  pytorchGruStateDictToKeras,
  pytorchGruToKeras,
  tf1GruCellToKeras,
} from "./gru.ts";
import { maxAbsDiff, referenceCellSequence } from "../testing/porting-reference-check.ts";
import { gruLayerArb, gruWeightsArb, runForeignGru, sameCellWeights, sameValues, sequenceArb, tensorArb, type ForeignGru, type GruBias } from "../testing/porting-arbitraries.ts";

const sizes = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 4 }) });
/** Weights of one bias form and an input sequence. */
const withInput = (bias: readonly GruBias[]) =>
  sizes.chain(({ d, u, t }) => fc.tuple(fc.constantFrom(...bias).chain((b) => gruWeightsArb(d, u, b)), sequenceArb(t, d)));
const resetAfterOf = (w: GruWeights): boolean => w.bias === undefined || w.bias.shape.length === 2;
const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

/** `Σ_k m[row, k]·v[k]` of a row-major matrix with `cols` columns. */
function dot(m: Tensor, row: number, cols: number, v: readonly number[], colOffset = 0): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += m.data[row * cols + colOffset + k]! * v[k]!;
  return s;
}

describe("Keras GRU ⇄ PyTorch nn.GRU (spec/porting.md §14.1, spec/gru.md §6 Q1)", () => {
  it("Keras → PyTorch → Keras is the identity for reset_after=True (and without bias)", () => {
    fc.assert(fc.property(gruLayerArb.filter((l) => l.bias !== "before"), ({ w }) => {
      const back = pytorchGruToKeras(kerasGruToPytorch(w));
      return back.resetAfter && sameCellWeights(back.weights, w);
    }));
  });

  it("PyTorch → Keras → PyTorch is the identity: both biases kept apart, none summed", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }) }).chain(({ d, u }) =>
      fc.record({ weight_ih: tensorArb([3 * u, d]), weight_hh: tensorArb([3 * u, u]), bias_ih: tensorArb([3 * u]), bias_hh: tensorArb([3 * u]) }),
    );
    fc.assert(fc.property(arb, (p) => {
      const back = kerasGruToPytorch(pytorchGruToKeras(p).weights);
      return sameValues(back.weight_ih, p.weight_ih) && sameValues(back.weight_hh, p.weight_hh) && sameValues(back.bias_ih, p.bias_ih) && sameValues(back.bias_hh, p.bias_hh);
    }));
  });

  it("a stacked, bidirectional state_dict round-trips with PyTorch's names", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), b: fc.constantFrom<GruBias>("after", "none") }).chain(({ d, u, b }) =>
      fc.tuple(gruWeightsArb(d, u, b), gruWeightsArb(d, u, b), gruWeightsArb(2 * u, u, b), gruWeightsArb(2 * u, u, b)),
    );
    fc.assert(fc.property(arb, ([f0, b0, f1, b1]) => {
      const dict = kerasGruToPytorchStateDict([{ forward: f0, backward: b0 }, { forward: f1, backward: b1 }], { prefix: "gru." });
      expect(Object.keys(dict)).toContain("gru.weight_hh_l1_reverse");
      const [l0, l1] = pytorchGruStateDictToKeras(dict, "gru.");
      return sameCellWeights(l0!.forward, f0) && sameCellWeights(l0!.backward!, b0) && sameCellWeights(l1!.forward, f1) && sameCellWeights(l1!.backward!, b1);
    }));
  });

  it("converted weights run through PyTorch's own equations (rows r, z, n; b_hn inside r ⊙ (W_hn h + b_hn)) give the reference's Keras outputs", async () => {
    await fc.assert(
      fc.asyncProperty(withInput(["after", "none"]), async ([w, x]) => {
        const p = kerasGruToPytorch(w);
        const H = p.weight_hh.shape[1]!;
        const D = p.weight_ih.shape[1]!;
        // torch.nn.GRU docstring: weight_ih_l[k] = (W_ir|W_iz|W_in); meaning z, r, n → PyTorch block 1, 0, 2.
        const block = [1, 0, 2] as const;
        const f: ForeignGru = {
          input: (g, j, xt) => dot(p.weight_ih, block[g] * H + j, D, xt) + (p.bias_ih?.data[block[g] * H + j] ?? 0),
          recurrent: (g, j, v) => dot(p.weight_hh, block[g] * H + j, H, v) + (p.bias_hh?.data[block[g] * H + j] ?? 0),
        };
        return maxAbsDiff(await referenceCellSequence("GRU", w, x, true), runForeignGru(x, H, f, true)) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a reset-before GRU (nn.GRU has none), a missing bias half and bad shapes, naming the tensor", () => {
    const before = { kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([6]) };
    expect(() => kerasGruToPytorch(before)).toThrow(/reset_after=False has no torch\.nn\.GRU equivalent.*spec\/gru\.md §2\.2/);
    expect(() => kerasGruToPytorch({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]) }, { resetAfter: false })).toThrow(/reset_after=False/);
    expect(() => pytorchGruToKeras({ weight_ih: t([6, 3]), weight_hh: t([6, 2]), bias_ih: t([6]) })).toThrow(/pytorch\.bias_hh/);
    expect(() => pytorchGruToKeras({ weight_ih: t([6, 3]), weight_hh: t([6, 3]) })).toThrow(/pytorch\.weight_hh: expected shape \(6, 2\), got \(6, 3\)/);
    expect(() => kerasGruToPytorch({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([2, 5]) })).toThrow(/keras\.bias: expected shape \(2, 6\), got \(2, 5\)/);
    expect(() => kerasGruToPytorch({ ...before, bias: t([2, 6]) }, { resetAfter: false })).toThrow(/keras\.bias: expected shape \(6,\), got \(2, 6\)/);
  });
});

describe("Keras GRU ⇄ ONNX GRU (spec/porting.md §14.2, spec/gru.md §6 Q3)", () => {
  it("gives ONNX's shapes and linear_before_reset = reset_after", () => {
    fc.assert(fc.property(gruLayerArb, ({ inputDim: d, units: u, bias, w }) => {
      const o = kerasGruToOnnx([w, w]);
      expect([o.W.shape, o.R.shape]).toEqual([[2, 3 * u, d], [2, 3 * u, u]]);
      expect(o.B?.shape).toEqual(bias === "none" ? undefined : [2, 6 * u]);
      expect(o.linearBeforeReset).toBe(bias === "before" ? 0 : 1);
    }));
    expect(kerasGruToOnnx({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]) }, { resetAfter: false }).linearBeforeReset).toBe(0);
  });

  it("Keras → ONNX → Keras is the identity, both conventions, bidirectional too", () => {
    const arb = sizes.chain(({ d, u }) => fc.constantFrom<GruBias>("after", "before", "none").chain((b) => fc.tuple(gruWeightsArb(d, u, b), gruWeightsArb(d, u, b))));
    fc.assert(fc.property(arb, ([fw, bw]) => {
      const back = onnxGruToKeras(kerasGruToOnnx([fw, bw]));
      return back.resetAfter === resetAfterOf(fw) && sameCellWeights(back.weights[0]!, fw) && sameCellWeights(back.weights[1]!, bw);
    }));
  });

  it("ONNX → Keras: linear_before_reset=1 keeps Wb and Rb apart (exact); 0 sums them (lossy: only the sum is kept)", () => {
    const arb = fc.record({ d: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }), lbr: fc.constantFrom<0 | 1>(0, 1) }).chain(({ d, u, lbr }) =>
      fc.record({ W: tensorArb([1, 3 * u, d]), R: tensorArb([1, 3 * u, u]), B: tensorArb([1, 6 * u]), linearBeforeReset: fc.constant(lbr) }),
    );
    fc.assert(fc.property(arb, (o) => {
      const k = onnxGruToKeras(o);
      const back = kerasGruToOnnx(k.weights[0]!, { resetAfter: k.resetAfter });
      const u = o.R.shape[2]!;
      const halves = (b: Tensor) => [{ shape: [3 * u], data: b.data.slice(0, 3 * u) }, { shape: [3 * u], data: b.data.slice(3 * u) }] as const;
      const sum = (b: Tensor) => addTensors(...halves(b));
      const biasOk = o.linearBeforeReset === 1 ? sameValues(back.B, o.B) : sameValues(sum(back.B!), sum(o.B));
      return back.linearBeforeReset === o.linearBeforeReset && sameValues(back.W, o.W) && sameValues(back.R, o.R) && biasOk;
    }));
  });

  it("converted weights run through ONNX's own equations (blocks z, r, h; linear_before_reset 1 and 0) give the reference's Keras outputs", async () => {
    await fc.assert(
      fc.asyncProperty(withInput(["after", "before", "none"]), async ([w, x]) => {
        const o = kerasGruToOnnx(w);
        const H = o.R.shape[2]!;
        const D = o.W.shape[2]!;
        // onnx.ai GRU: zt = f(Xt·Wzᵀ + Ht-1·Rzᵀ + Wbz + Rbz); lbr=0: ht = g(Xt·Whᵀ + (rt ⊙ Ht-1)·Rhᵀ + Rbh + Wbh);
        // lbr=1: ht = g(Xt·Whᵀ + rt ⊙ (Ht-1·Rhᵀ + Rbh) + Wbh); Ht = (1 − zt) ⊙ ht + zt ⊙ Ht-1. W[0, g·H + j, :].
        const f: ForeignGru = {
          input: (g, j, xt) => dot(o.W, g * H + j, D, xt) + (o.B?.data[g * H + j] ?? 0),
          recurrent: (g, j, v) => dot(o.R, g * H + j, H, v) + (o.B?.data[3 * H + g * H + j] ?? 0),
        };
        return maxAbsDiff(await referenceCellSequence("GRU", w, x, resetAfterOf(w)), runForeignGru(x, H, f, o.linearBeforeReset === 1)) < 1e-5;
      }),
      { numRuns: 60 },
    );
  });

  it("gives the ONNX Runtime engine's own GRU weights bit for bit (conformance/engines/onnx-model.ts)", () => {
    fc.assert(fc.property(gruLayerArb, ({ units, bias, w }) => {
      const layer: GruLayer = { className: "GRU", config: { units, activation: "tanh", recurrent_activation: "sigmoid", use_bias: bias !== "none", reset_after: bias !== "before", return_sequences: true, return_state: false, go_backwards: false, stateful: false }, weights: w };
      const engine = kerasToOnnxWeights(layer);
      const mine = kerasGruToOnnx(w, { resetAfter: layer.config.reset_after });
      return sameValues(engine.W, mine.W) && sameValues(engine.R, mine.R) && sameValues(engine.B, mine.B);
    }));
  });

  it("refuses directions of two conventions or sizes, and bad shapes", () => {
    const after = { kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([2, 6]) };
    expect(() => kerasGruToOnnx([after, { ...after, bias: t([6]) }])).toThrow(/different reset_after/);
    expect(() => kerasGruToOnnx([after, { ...after, kernel: t([3, 6]) }])).toThrow(/direction 1\.kernel: expected shape \(2, 6\)/);
    expect(() => onnxGruToKeras({ W: t([1, 6, 2]), R: t([1, 6, 3]), linearBeforeReset: 1 })).toThrow(/R: expected shape \(1, 6, 2\), got \(1, 6, 3\)/);
    expect(() => onnxGruToKeras({ W: t([1, 5, 2]), R: t([1, 5, 2]), linearBeforeReset: 1 })).toThrow(/W: expected shape \[num_directions, 3·hidden_size/);
  });
});

describe("Keras GRU ⇄ cuDNN canonical and Keras 2 CuDNNGRU (spec/porting.md §14.3, spec/gru.md §6 Q4)", () => {
  it("Keras → cuDNN → Keras is the identity for reset_after=True; no bias becomes zeros", () => {
    fc.assert(fc.property(gruLayerArb.filter((l) => l.bias === "after"), ({ w }) => sameCellWeights(cudnnGruCanonicalToKeras(kerasGruToCudnnCanonical(w)).weights, w)));
    const back = cudnnGruCanonicalToKeras(kerasGruToCudnnCanonical({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]) }));
    expect(back.weights.bias!.shape).toEqual([2, 6]);
    expect(Array.from(back.weights.bias!.data).every((v) => v === 0)).toBe(true);
  });

  it("converted weights run through cuDNN's GRU equations (linLayerID 0–2 r, z, h input, 3–5 recurrent; r ⊙ (R_h h + bR_h)) give the reference's outputs", async () => {
    await fc.assert(
      fc.asyncProperty(withInput(["after"]), async ([w, x]) => {
        const c = kerasGruToCudnnCanonical(w);
        const H = c.weights[3]!.shape[0]!;
        const D = c.weights[0]!.shape[1]!;
        // CUDA docs (CUDNN_GRU): r = σ(W_r x + R_r h + bW_r + bR_r), i = σ(W_i x + R_i h + bW_i + bR_i),
        // h' = tanh(W_h x + r ⊙ (R_h h + bR_h) + bW_h), h = (1 − i) ⊙ h' + i ⊙ h; meaning z, r, h → id 1, 0, 2.
        const id = [1, 0, 2] as const;
        const f: ForeignGru = {
          input: (g, j, xt) => dot(c.weights[id[g]]!, j, D, xt) + c.biases[id[g]]!.data[j]!,
          recurrent: (g, j, v) => dot(c.weights[3 + id[g]]!, j, H, v) + c.biases[3 + id[g]]!.data[j]!,
        };
        return maxAbsDiff(await referenceCellSequence("GRU", w, x, true), runForeignGru(x, H, f, true)) < 1e-5;
      }),
      { numRuns: 50 },
    );
  });

  it("a CuDNNGRU kernel block holds cuDNN's (u, in) matrix row-major, its recurrent block cuDNN's R; the bias is (2, 3u) flattened; round trip exact", () => {
    fc.assert(fc.property(gruLayerArb.filter((l) => l.bias === "after"), ({ w }) => {
      const layer = kerasToCudnnGruLayer(w);
      const canonical = kerasGruToCudnnCanonical(w);
      const k = splitColumns(layer.kernel, 3);
      const r = splitColumns(layer.recurrent_kernel, 3);
      // CuDNNGRU stores z, r, h (cudnn_gru.py `_process_batch` hands them to cuDNN as r, z, h)
      const zrh = [1, 0, 2];
      const blocksOk = zrh.every((id, b) => sameValues({ shape: canonical.weights[id]!.shape, data: k[b]!.data }, canonical.weights[id]) && sameValues(r[b], canonical.weights[3 + id]));
      return blocksOk && sameValues(layer.bias, { shape: [w.bias!.data.length], data: w.bias!.data }) && sameCellWeights(cudnnGruLayerToKeras(layer).weights, w);
    }));
  });

  it("refuses reset_after=False (tf-keras: not compatible), and tells a bias shape that is not CuDNNGRU's", () => {
    const before = { kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([6]) };
    expect(() => kerasGruToCudnnCanonical(before)).toThrow(/reset_after=False has no cuDNN/);
    expect(() => kerasToCudnnGruLayer(before)).toThrow(/reset_after=False has no CuDNNGRU/);
    expect(() => cudnnGruLayerToKeras({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([2, 6]) })).toThrow(/\(2, 6\) bias is a GRU\(reset_after=True\)'s/);
    expect(() => cudnnGruLayerToKeras({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([6]) })).toThrow(/\(6,\) bias is a GRU\(reset_after=False\)'s/);
    expect(() => cudnnGruCanonicalToKeras({ weights: [t([2, 3])], biases: [] })).toThrow(/6 weight matrices/);
  });
});

describe("Keras GRU ⇄ Keras 1's nine arrays (spec/porting.md §14.4, spec/gru.md §4.5)", () => {
  it("Keras → Keras 1 → Keras is the identity for reset_after=False; no bias gives zero b_*", () => {
    fc.assert(fc.property(gruLayerArb.filter((l) => l.bias === "before"), ({ w }) => {
      const back = keras1GruToKeras(kerasToKeras1Gru(w));
      return !back.resetAfter && sameCellWeights(back.weights, w);
    }));
    expect(kerasToKeras1Gru({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]) }).map((a) => a.shape)).toEqual([[2, 2], [2, 2], [2], [2, 2], [2, 2], [2], [2, 2], [2, 2], [2]]);
  });

  it("Keras 1's per-gate step, by the arrays' names (z, r, then (r ⊙ h)·U_h), gives the reference's reset-before GRU", async () => {
    await fc.assert(
      fc.asyncProperty(withInput(["before"]), async ([w, x]) => {
        const [Wz, Uz, bz, Wr, Ur, br, Wh, Uh, bh] = kerasToKeras1Gru(w) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
        const u = Uz.shape[0]!;
        const col = (m: Tensor, j: number, v: readonly number[]) => v.reduce((s, vk, k) => s + vk * m.data[k * u + j]!, 0);
        const named = [[Wz, Uz, bz], [Wr, Ur, br], [Wh, Uh, bh]] as const;
        // keras/layers/recurrent.py @1.2.2 GRU.step: x_z = x·W_z + b_z, hh = act(x_h + (r * h)·U_h), h = z * h + (1 - z) * hh
        const f: ForeignGru = { input: (g, j, xt) => col(named[g][0], j, xt) + named[g][2].data[j]!, recurrent: (g, j, v) => col(named[g][1], j, v) };
        return maxAbsDiff(await referenceCellSequence("GRU", w, x, false), runForeignGru(x, u, f, false)) < 1e-5;
      }),
      { numRuns: 40 },
    );
  });

  it("refuses a reset-after GRU and names a wrong array; the config gets Keras 2 names and reset_after false", () => {
    expect(() => kerasToKeras1Gru({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([2, 6]) })).toThrow(/reset_after=True has no Keras 1 GRU equivalent/);
    const arrays = kerasToKeras1Gru({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([6]) });
    expect(() => keras1GruToKeras(arrays.slice(0, 8))).toThrow(/9 weight arrays \(W_z, U_z, b_z/);
    expect(() => keras1GruToKeras(arrays.map((a, k) => (k === 4 ? t([2, 3]) : a)))).toThrow(/U_r: expected shape \(2, 2\), got \(2, 3\)/);
    expect(keras1GruConfigToKeras({ output_dim: 4, consume_less: "gpu" })).toMatchObject({ units: 4, recurrent_activation: "hard_sigmoid", activation: "tanh", reset_after: false });
    expect(keras1GruConfigToKeras({ output_dim: 4 })).not.toHaveProperty("consume_less");
  });
});

describe("Keras GRU ⇄ TF 1.x GRUCell (spec/porting.md §14.5)", () => {
  it("Keras → TF1 → Keras is the identity for reset_after=False", () => {
    fc.assert(fc.property(gruLayerArb.filter((l) => l.bias === "before"), ({ w, inputDim }) => {
      const back = tf1GruCellToKeras(kerasToTf1GruCell(w), inputDim);
      return !back.resetAfter && sameCellWeights(back.weights, w);
    }));
  });

  it("TF1's own step (σ(concat([x, h])·gates/kernel + gates/bias) split r, u; candidate on concat([x, r ⊙ h]); u ⊙ h + (1 − u) ⊙ c) gives the reference's reset-before GRU", async () => {
    await fc.assert(
      fc.asyncProperty(withInput(["before"]), async ([w, x]) => {
        const c = kerasToTf1GruCell(w);
        const u = c.candidate_bias.shape[0]!;
        const D = c.gates_kernel.shape[0]! - u;
        // Column of concat([a, b])·K: Σ_d a_d K[d, col] + Σ_k b_k K[D + k, col]
        const colOf = (K: Tensor, col: number, v: readonly number[], rowOffset: number) => v.reduce((s, vk, k) => s + vk * K.data[(rowOffset + k) * K.shape[1]! + col]!, 0);
        // legacy_cells.py GRUCell.call: r is gates column block 0, u (Keras's z) block 1.
        const gateCol = [1, 0] as const;
        const f: ForeignGru = {
          input: (g, j, xt) => (g === 2 ? colOf(c.candidate_kernel, j, xt, 0) + c.candidate_bias.data[j]! : colOf(c.gates_kernel, gateCol[g] * u + j, xt, 0) + c.gates_bias.data[gateCol[g] * u + j]!),
          recurrent: (g, j, v) => (g === 2 ? colOf(c.candidate_kernel, j, v, D) : colOf(c.gates_kernel, gateCol[g] * u + j, v, D)),
        };
        return maxAbsDiff(await referenceCellSequence("GRU", w, x, false), runForeignGru(x, u, f, false)) < 1e-5;
      }),
      { numRuns: 40 },
    );
  });

  it("refuses a reset-after GRU and names the tensor of a wrong shape", () => {
    expect(() => kerasToTf1GruCell({ kernel: t([2, 6]), recurrent_kernel: t([2, 6]), bias: t([2, 6]) })).toThrow(/reset_after=True has no TF1 GRUCell equivalent/);
    const c = kerasToTf1GruCell({ kernel: t([3, 6]), recurrent_kernel: t([2, 6]), bias: t([6]) });
    expect([c.gates_kernel.shape, c.gates_bias.shape, c.candidate_kernel.shape, c.candidate_bias.shape]).toEqual([[5, 4], [4], [5, 2], [2]]);
    expect(() => tf1GruCellToKeras({ ...c, gates_bias: t([5]) })).toThrow(/gates\/bias: expected shape \(4,\), got \(5,\)/);
  });
});
