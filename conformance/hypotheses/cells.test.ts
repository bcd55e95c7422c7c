/**
 * The hypotheses for GRU and SimpleRNN (issue 12) beyond what their galleries check
 * (mutants/cell-mutants.test.ts): which cells each applies to, the GRU's gate orders and their
 * wrong-way inverses, explanations in each cell's words, Keras's JAX backend on the new cells'
 * recorded outputs, which GRU mistakes pair, the pair budget counted per cell, and that no trivial
 * engine gets a diagnosis on a GRU, SimpleRNN or mixed-stack case.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hasBidirectional, type FixtureCase, type LayerCase } from "../case.ts";
import { diagnose, matchWithin, multiplyAddsOf } from "../diagnose.ts";
import { referenceEngine } from "../engines/reference.ts";
import { cellOnly, corpusCases, lstmOnly } from "../mutants/gallery-cases.ts";
import { mutantByName } from "../mutants/index.ts";
import { trivialEngines } from "../testing/trivial-engines.ts";
import { wrongWayOrderOf } from "./gate-order.ts";
import { gruHypotheses } from "./gru.ts";
import { explanationOf, hypotheses, hypothesisById } from "./index.ts";
import { jaxMaskedPrefix } from "./masks.ts";
import { compatiblePair } from "./pairs.ts";

const oracle = async (c: LayerCase) => referenceEngine.run(c);
const h = (id: string) => hypothesisById(id)!;
let corpus: FixtureCase[] = [];
const byId = (id: string): FixtureCase => {
  const c = corpus.find((k) => k.id === id);
  expect(c, id).toBeDefined();
  return c!;
};

beforeAll(() => {
  const loaded = corpusCases("fixtures");
  expect(loaded.errors).toEqual([]);
  corpus = loaded.cases;
});

describe("which cells a hypothesis applies to", () => {
  it("the GRU's own mistakes and its gate orders predict nothing for an LSTM or SimpleRNN case; the LSTM's nothing for a GRU or SimpleRNN case", async () => {
    const gruOnly = [...gruHypotheses, ...hypotheses.filter((x) => /^gate-order:[zrh]{3}$/.test(x.id))];
    const lstmSpecific = hypotheses.filter((x) => /^(gate-order:[ifco]{4}|gate-block:|forget-bias-|gate-columns-interleaved|returned-state-swapped|initial-state-swapped)/.test(x.id));
    expect(gruOnly.map((x) => x.id)).toHaveLength(12);
    const sample = (cases: FixtureCase[]) => cases.filter((_, k) => k % 4 === 0);
    for (const c of [...sample(lstmOnly(corpus)), ...sample(cellOnly(corpus, "simple_rnn"))]) {
      for (const x of gruOnly) expect(await x.predict(c, oracle), `${x.id} on ${c.id}`).toBeNull();
    }
    for (const c of [...sample(cellOnly(corpus, "gru")), ...sample(cellOnly(corpus, "simple_rnn"))]) {
      for (const x of lstmSpecific) expect(await x.predict(c, oracle), `${x.id} on ${c.id}`).toBeNull();
    }
  });

  it("the loop's mistakes apply to a layer of any cell, mixed stacks included", async () => {
    const mixed = byId("simple_rnn/stacked/mixed_three/001"); // Masking, SimpleRNN, GRU, LSTM
    for (const id of ["mask-ignored", "mask-state-advances", "time-loop-skips-first-step", "time-major", "zero-output-for-mask-inverted"]) {
      const predicted = await h(id).predict(mixed, oracle);
      expect(predicted, id).not.toBeNull();
      expect(matchWithin(predicted!, mixed.expected.map((e) => e.outputs), mixed.tolerance), `${id} is observable`).toBeNull();
    }
  });

  it("gru:update-gate-inverted is expressible only where σ_r(−a) = 1 − σ_r(a) (sigmoid, hard_sigmoid) or σ_r is linear", async () => {
    expect(await h("gru:update-gate-inverted").predict(byId("gru/options/recurrent_tanh/001"), oracle)).toBeNull();
    for (const id of ["gru/options/recurrent_hard_sigmoid/001", "gru/options/linear_linear/001", "gru/legacy/hard_sigmoid/001"]) {
      const d = await diagnose(mutantByName("gru/update-gate-inverted")!.engine, byId(id), await mutantByName("gru/update-gate-inverted")!.engine.run(byId(id)));
      expect(d?.hypothesis, id).toBe("gru:update-gate-inverted");
    }
  });
});

describe("GRU gate orders", () => {
  it("are the five other orders of z,r,h; PyTorch's r,z,h and Core ML's r,h,z are named, and so is Core ML's wrong-way inverse", () => {
    const ids = hypotheses.filter((x) => /^gate-order:[zrh]{3}$/.test(x.id)).map((x) => x.id);
    expect(ids).toEqual(["gate-order:rzh", "gate-order:rhz", "gate-order:hzr", "gate-order:zhr", "gate-order:hrz"]);
    expect(h("gate-order:rzh").explanation).toMatch(/^your engine matches Keras if the gate blocks are read as r,z,h \(PyTorch and cuDNN order r,z,n/);
    expect(h("gate-order:rzh").explanation).toContain("instead of Keras's z,r,h (spec/gru.md §1.2, §6)");
    // a swap of two blocks is its own inverse; a cycle of three has the inverse permutation
    expect(wrongWayOrderOf("rzh", "zrh")).toBe("zrh");
    expect(wrongWayOrderOf("rhz", "zrh")).toBe("hzr");
    expect(h("gate-order:hzr").explanation).toContain("the inverse of Core ML's r,h,z: the Keras→Core ML reorder applied in the wrong direction");
    // the LSTM's own keeps its answers
    expect(wrongWayOrderOf("iofc", "ifco")).toBe("icof");
  });

  it("only the named orders and the inverse take part in pairs", () => {
    for (const id of ["gate-order:rzh", "gate-order:rhz", "gate-order:hzr"]) expect(compatiblePair(h(id), h("gru:bias-rows-swapped")), id).toBe(true);
    for (const id of ["gate-order:zhr", "gate-order:hrz"]) expect(compatiblePair(h(id), h("gru:bias-rows-swapped")), id).toBe(false);
    expect(compatiblePair(h("gate-order:rzh"), h("gate-order:rhz"))).toBe(false);
  });
});

describe("which GRU mistakes pair", () => {
  it("a bias-row mistake with a gate order, a kernel, an activation, the convention or the loop; never with another bias mistake", () => {
    expect(compatiblePair(h("gru:recurrent-bias-outside-reset"), h("reshaped-not-transposed:kernel"))).toBe(true);
    expect(compatiblePair(h("gru:input-bias-dropped"), h("gru:update-gate-inverted"))).toBe(true);
    expect(compatiblePair(h("gru:reset-before-for-after"), h("bias-dropped"))).toBe(true);
    expect(compatiblePair(h("gru:bias-rows-swapped"), h("mask-ignored"))).toBe(true);
    expect(compatiblePair(h("gru:bias-rows-swapped"), h("bias-dropped"))).toBe(false);
    expect(compatiblePair(h("gru:input-bias-dropped"), h("gru:recurrent-bias-dropped"))).toBe(false);
    expect(compatiblePair(h("gru:reset-before-for-after"), h("gru:reset-after-for-before"))).toBe(false);
  });
});

describe("explanations in the words of the case's cell", () => {
  it("an LSTM case reads the LSTM's words; a GRU's and a SimpleRNN's their own state, columns and chapter", () => {
    const lstm = byId("lstm/outputs/initial_state/001");
    const gru = byId("gru/outputs/initial_state/001");
    const rnn = byId("simple_rnn/outputs/initial_state/001");
    const ignored = h("initial-state-ignored");
    expect(explanationOf(ignored, lstm)).toBe(ignored.explanation);
    expect(explanationOf(ignored, lstm)).toContain("[h0, c0]");
    expect(explanationOf(ignored, gru)).toContain("Keras starts from [h0] when given (spec/gru.md §3.4)");
    expect(explanationOf(ignored, rnn)).toContain("(spec/simple-rnn.md §3.4)");
    expect(explanationOf(h("kernels-swapped"), gru)).toContain("[kernel (input_dim, 3·units), recurrent_kernel (units, 3·units), bias] (spec/gru.md §1.1)");
    expect(explanationOf(h("kernels-swapped"), rnn)).toContain("[kernel (input_dim, units), recurrent_kernel (units, units), bias]");
    expect(explanationOf(h("recurrent-kernel-blocks-transposed"), rnn)).toMatch(/^your engine matches Keras if recurrent_kernel is transposed/);
    expect(explanationOf(h("stateful-not-carried"), gru)).toContain("carries h from one call to the next");
    expect(explanationOf(h("recurrent-activation:sigmoid"), gru)).toContain("for the z and r gates (spec/gru.md §3.8)");
  });

  it("a diagnosis says them", async () => {
    const m = mutantByName("gru/initial-state-ignored")!;
    const c = byId("gru/outputs/initial_state/001");
    const d = await diagnose(m.engine, c, await m.engine.run(c));
    expect(d?.hypothesis).toBe("initial-state-ignored");
    expect(d?.explanation).toContain("[h0]");
    expect(d?.explanation).not.toContain("c0");
  });
});

describe("Keras's JAX backend on GRU and SimpleRNN cases", () => {
  it("the hypothesis predicts, on every case of the new cells that records JAX's outputs, exactly what Keras on JAX returned", async () => {
    const recorded = corpus.filter((c) => !c.id.startsWith("lstm/") && c.backends["jax"]?.outputs && !c.backends["jax"].agrees);
    expect(recorded.length).toBeGreaterThanOrEqual(10);
    for (const c of recorded) {
      const predicted = await jaxMaskedPrefix.predict(c, oracle);
      expect(predicted, c.id).not.toBeNull();
      expect(matchWithin(c.backends["jax"]!.outputs!, predicted!, c.tolerance), c.id).not.toBeNull();
    }
  });

  it("a GRU engine that follows JAX on a stateful layer's carried state is told so from the recorded outputs", async () => {
    const m = mutantByName("gru/jax-masked-prefix")!;
    const c = byId("gru/stateful/three_calls_masked/001");
    const d = await diagnose(m.engine, c, await m.engine.run(c));
    expect(d?.hypothesis).toBe("backend:jax");
    expect(d?.explanation).toContain("; its outputs are the ones the fixture recorded for Keras on jax");
  });
});

describe("the pair budget", () => {
  it("counts each cell's work: B·T·n·u·(D + u) per layer, n the cell's blocks", () => {
    const work = (id: string): number => multiplyAddsOf(byId(id));
    // B=2 T=5 D=3 u=4: an LSTM's 4 blocks, a GRU's 3, a SimpleRNN's 1
    expect(work("gru/initializers/keras_default/001")).toBe(2 * 5 * 3 * 4 * (3 + 4));
    expect(work("simple_rnn/initializers/keras_default/001")).toBe(2 * 5 * 1 * 4 * (3 + 4));
    // a mixed stack: SimpleRNN(4) on D=3, then GRU(5) on its 4 outputs; B=2 T=6
    expect(work("simple_rnn/stacked/mixed_simple_rnn_gru/001")).toBe(2 * 6 * (4 * (3 + 4) + 3 * 5 * (4 + 5)));
  });
});

describe("trivial engines", () => {
  it("an engine that returns zeros, a constant, its input or twice the reference gets no diagnosis on a GRU, SimpleRNN or mixed-stack case", async () => {
    // every third case, to keep the test fast: the pair search runs to its budget on each; the
    // Bidirectional cases are judged in mutants/bidirectional-mutants.test.ts (where twice the
    // reference is, exactly, merge_mode "ave" computed as "sum")
    const sample = corpus.filter((c) => !c.id.startsWith("lstm/") && !hasBidirectional(c)).filter((_, k) => k % 3 === 0);
    expect(sample.some((c) => c.layers.some((l) => l.className === "LSTM"))).toBe(true);
    for (const engine of trivialEngines) {
      for (const c of sample) {
        const d = await diagnose(engine, c, await engine.run(c));
        expect(d, `${engine.name} on ${c.id}`).toBeNull();
      }
    }
    // ~70,000 oracle calls: a minute alone, more on a loaded machine
  }, 240_000);
});
