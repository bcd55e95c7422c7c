/**
 * The hypotheses beyond what the mutant gallery checks (mutants.test.ts): gate orders read the wrong
 * way round, Keras's JAX backend against what JAX really recorded, which hypotheses pair, and that
 * no trivial engine gets a diagnosis.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FixtureCase, LayerCase } from "../case.ts";
import { diagnose, matchWithin } from "../diagnose.ts";
import { referenceEngine } from "../engines/reference.ts";
import { corpusCases, generatedCases, lstmOnly } from "../mutants/gallery-cases.ts";
import { engine as jaxMutant } from "../mutants/jax-masked-prefix.ts";
import { IFCO, IOFC, reorderGates } from "../porting/gates.ts";
import { trivialEngines } from "../testing/trivial-engines.ts";
import { gateOrderHypothesis, WRONG_WAY, wrongWayOrder } from "./gate-order.ts";
import { hypotheses, hypothesisById } from "./index.ts";
import { jaxMaskedPrefix } from "./masks.ts";
import { compatiblePair } from "./pairs.ts";

const oracle = async (c: LayerCase) => referenceEngine.run(c);
let corpus: FixtureCase[] = [];

beforeAll(() => {
  const loaded = corpusCases("fixtures");
  expect(loaded.errors).toEqual([]);
  corpus = lstmOnly(loaded.cases);
});

/** The inverse of a gate order as a permutation of Keras's i,f,c,o. */
function inverse(order: string): string {
  const keras = "ifco";
  const out: string[] = [];
  [...order].forEach((gate, k) => (out[keras.indexOf(gate)] = keras[k]!));
  return out.join("");
}

describe("gate orders read the wrong way round", () => {
  it("the Keras→ONNX reorder applied in the wrong direction reads i,c,o,f, the inverse of ONNX's i,o,f,c", () => {
    expect(wrongWayOrder("iofc")).toBe("icof");
    expect(inverse("iofc")).toBe("icof");
    // a swap of two gates is its own inverse: the direction does not matter
    for (const swap of ["icfo", "ifoc", "fico"]) expect(wrongWayOrder(swap)).toBe("ifco");
    // every named order whose wrong way is not Keras's own is a cycle of three, where the wrong way is the inverse
    for (const [read, named] of Object.entries(WRONG_WAY)) expect(read).toBe(inverse(named));
  });

  it("matches what conformance/porting/gates.ts computes with from and to swapped", async () => {
    const c = corpus.find((k) => k.id.startsWith("lstm/worked_example/"))!;
    // an ONNX engine given Keras weights reorders them, wrongly, as if they were ONNX's, and then reads them as ONNX
    const wrong = c.layers.map((l) => {
      if (l.className !== "LSTM") return l;
      const w = l.weights;
      // wanted: reorderGates(t, axis, IFCO, IOFC); done: from and to swapped
      const wrongWay = (t: typeof w.kernel) => reorderGates(t, t.shape.length - 1, IOFC, IFCO);
      // what it then reads as ONNX blocks, moved back to Keras's order (the correct ONNX → Keras)
      const asKeras = (t: typeof w.kernel) => reorderGates(wrongWay(t), t.shape.length - 1, IOFC, IFCO);
      return { ...l, weights: { kernel: asKeras(w.kernel), recurrent_kernel: asKeras(w.recurrent_kernel), ...(w.bias ? { bias: asKeras(w.bias) } : {}) } };
    });
    const engineSees = await oracle({ ...c, layers: wrong });
    const predicted = await gateOrderHypothesis("icof").predict(c, oracle);
    expect(matchWithin(engineSees, predicted!, c.tolerance)).not.toBeNull();
  });

  it("says so in the diagnosis, and only for orders that are such an inverse", () => {
    expect(hypothesisById("gate-order:icof")!.explanation).toContain("inverse of ONNX's i,o,f,c: the Keras→ONNX reorder applied in the wrong direction");
    expect(hypothesisById("gate-order:ofic")!.explanation).toContain("inverse of DL4J's c,f,o,i");
    expect(hypothesisById("gate-order:iofc")!.explanation).not.toContain("inverse");
    expect(hypothesisById("gate-order:icfo")!.explanation).not.toContain("inverse");
  });
});

describe("Keras's JAX backend", () => {
  it("the hypothesis predicts, on every corpus case that records JAX's outputs, exactly what Keras on JAX returned", async () => {
    const recorded = corpus.filter((c) => c.backends["jax"]?.outputs && !c.backends["jax"].agrees);
    expect(recorded.length).toBeGreaterThanOrEqual(5);
    for (const c of recorded) {
      const predicted = await jaxMaskedPrefix.predict(c, oracle);
      expect(predicted, c.id).not.toBeNull();
      expect(matchWithin(c.backends["jax"]!.outputs!, predicted!, c.tolerance), c.id).not.toBeNull();
    }
  });

  it("an engine that follows JAX is told so on those cases, from the recorded outputs, and the case still fails", async () => {
    const c = corpus.find((k) => k.id === "lstm/masking/initial_state/001")!;
    const actual = await jaxMutant.run(c);
    expect(matchWithin(actual, c.expected.map((e) => e.outputs), c.tolerance)).toBeNull();
    const d = await diagnose(jaxMutant, c, actual);
    expect(d?.hypothesis).toBe("backend:jax");
    expect(d?.explanation).toMatch(/^your engine follows Keras's JAX backend here \(spec\/lstm\.md §3\.5\.3\): masked steps before the first valid one emit the initial h/);
    expect(d?.explanation).toContain("; its outputs are the ones the fixture recorded for Keras on jax");
  });
});

describe("which hypotheses make a pair", () => {
  const h = (id: string) => hypothesisById(id)!;
  it("a weight-layout mistake with an activation, a bias or a sequence mistake; not two gate orders or two block maps", () => {
    expect(compatiblePair(h("gate-order:iofc"), h("bias-dropped"))).toBe(true);
    expect(compatiblePair(h("reshaped-not-transposed:kernel"), h("gate-order:ifoc"))).toBe(true);
    expect(compatiblePair(h("hard-sigmoid:0.2x+0.5"), h("mask-ignored"))).toBe(true);
    expect(compatiblePair(h("gate-order:iofc"), h("gate-order:icfo"))).toBe(false);
    expect(compatiblePair(h("gate-order:iofc"), h("gate-block:f<-i"))).toBe(false);
    expect(compatiblePair(h("bias-dropped"), h("bias-twice"))).toBe(false);
    expect(compatiblePair(h("mask-ignored"), h("zero-output-for-mask-inverted"))).toBe(false);
    // an order no framework uses takes part in no pair
    expect(compatiblePair(h("gate-order:fcoi"), h("bias-dropped"))).toBe(false);
  });

  it("every hypothesis that pairs says where it composes", () => {
    for (const x of hypotheses) expect(x.touches === undefined, x.id).toBe(x.stage === undefined);
  });
});

describe("trivial engines", () => {
  it("an engine that returns zeros, a constant or its input gets no diagnosis, of one mistake or two", async () => {
    // every third case, to keep the test fast: the pair search runs to its budget on each
    const sample = [...corpus, ...(await generatedCases(40, 20240601))].filter((_, k) => k % 3 === 0);
    for (const engine of trivialEngines.slice(0, 3)) {
      for (const c of sample) {
        const d = await diagnose(engine, c, await engine.run(c));
        expect(d, `${engine.name} on ${c.id}`).toBeNull();
      }
    }
  });
});
