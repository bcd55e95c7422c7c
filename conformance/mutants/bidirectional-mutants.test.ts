/**
 * The Bidirectional gallery (issue 13, spec/bidirectional.md), judged as the cells' galleries are
 * (mutants.test.ts, cell-mutants.test.ts): on the Keras fixtures with a Bidirectional layer
 * (fixtures/keras3/bidirectional, fixtures/tf-keras/bidirectional, when present) and the generated
 * Bidirectional cases (bidirectional/cases.ts), every mutant is killed and diagnosed as its own
 * hypothesis where its flaw is observable; the cells' mutants, wrapped in both directions, keep their
 * diagnoses on Bidirectional cases; no trivial engine passes a Bidirectional case or gets a diagnosis.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hasBidirectional, type FixtureCase, type LayerCase } from "../case.ts";
import { diagnose, diagnosisNames, matchWithin } from "../diagnose.ts";
import { referenceEngine } from "../engines/reference.ts";
import { BIDIRECTIONAL_FEATURE } from "../features.ts";
import { bidirectionalHypotheses } from "../hypotheses/bidirectional.ts";
import { hypothesisById } from "../hypotheses/index.ts";
import { jaxMaskedPrefix } from "../hypotheses/masks.ts";
import { runSuite } from "../runner.ts";
import { trivialEngines } from "../testing/trivial-engines.ts";
import { generatedBidirectionalCases } from "./bidirectional/cases.ts";
import { engine as doubleReversed } from "./bidirectional/backward-double-reversed.ts";
import { naiveBidirectionalEngine } from "./bidirectional/naive-bidirectional.ts";
import { corpusCases } from "./gallery-cases.ts";
import { bidirectionalMutants, mutantByName, mutantsOfCell, type MutantEntry } from "./index.ts";
import { judgeMutant, killRateTable, rateLine, type MutantVerdict } from "./kill-rate.ts";

const oracle = async (c: LayerCase) => referenceEngine.run(c);
let keras: FixtureCase[] = [];
let others: FixtureCase[] = [];
let cases: FixtureCase[] = [];

beforeAll(async () => {
  const corpus = corpusCases("fixtures");
  expect(corpus.errors).toEqual([]);
  keras = corpus.cases.filter(hasBidirectional);
  others = corpus.cases.filter((c) => !hasBidirectional(c));
  cases = [...keras, ...(await generatedBidirectionalCases())];
  console.log(`Bidirectional gallery cases: ${keras.length} from Keras's fixtures, ${cases.length - keras.length} generated`);
});

describe("the reference and the unflawed naive Bidirectional", () => {
  it("the reference passes every Bidirectional case and gets no diagnosis", async () => {
    const suite = await runSuite(referenceEngine, cases);
    expect(suite.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.status} ${v.message}`)).toEqual([]);
    expect(suite.cases.every((v) => v.diagnosis === null)).toBe(true);
  });

  it("the naive Bidirectional without flaws passes every case, so each mutant's failures come from its flaw", async () => {
    const suite = await runSuite(naiveBidirectionalEngine({ name: "naive-bidirectional" }), cases, { diagnose: false });
    expect(suite.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.status} ${v.message}`)).toEqual([]);
  });
});

describe("the Bidirectional gallery", () => {
  const verdicts: MutantVerdict[] = [];

  it("has a mutant for each Bidirectional hypothesis, named bidirectional/…, declaring the wrapper", () => {
    expect(bidirectionalMutants.map((m) => m.expectedHypothesis).sort()).toEqual(bidirectionalHypotheses.map((h) => h.id).sort());
    for (const m of bidirectionalMutants) {
      expect(m.name.startsWith("bidirectional/"), m.name).toBe(true);
      expect(m.engine.name).toBe(`mutant:${m.name}`);
      expect(m.engine.features).toContain(BIDIRECTIONAL_FEATURE);
      expect(hypothesisById(m.expectedHypothesis!), m.expectedHypothesis!).toBeDefined();
    }
  });

  for (const m of bidirectionalMutants) {
    it(`${m.name}: killed, and diagnosed as ${m.expectedHypothesis}`, async () => {
      const v = await judgeMutant(m, cases, 8);
      verdicts.push(v);
      expect(v.killed, `${m.name} passed every case`).toBe(true);
      expect(v.right, `${m.name}: no failing case got the diagnosis ${m.expectedHypothesis}`).toBeGreaterThanOrEqual(1);
      expect(v.wrong).toEqual({});
    });
  }

  it("records the kill rate", () => {
    // printed for the project's notes
    console.log(`${killRateTable(verdicts)}\n${rateLine("bidirectional", verdicts)}`);
    expect(verdicts).toHaveLength(bidirectionalMutants.length);
    expect(verdicts.every((v) => v.killed)).toBe(true);
  });
});

describe("the Bidirectional hypotheses", () => {
  it("predict nothing for a case without a Bidirectional", async () => {
    for (const c of others.filter((_, k) => k % 6 === 0)) {
      for (const h of bidirectionalHypotheses) expect(await h.predict(c, oracle), `${h.id} on ${c.id}`).toBeNull();
    }
  });

  it("Keras's JAX backend, per direction: the hypothesis predicts what Keras on JAX recorded on every Bidirectional fixture that records it", async () => {
    const recorded = keras.filter((c) => c.backends["jax"]?.outputs && !c.backends["jax"].agrees);
    // spec/bidirectional.md §7.5: bidirectional/initial_state/*_full_row_last, one per cell
    expect(recorded.length, "Bidirectional fixtures recording JAX's outputs (fixtures/keras3/bidirectional)").toBeGreaterThanOrEqual(3);
    for (const c of recorded) {
      const predicted = await jaxMaskedPrefix.predict(c, oracle);
      expect(predicted, c.id).not.toBeNull();
      expect(matchWithin(c.backends["jax"]!.outputs!, predicted!, c.tolerance), c.id).not.toBeNull();
    }
  });

  it("states returned backward first by layers of other sizes (LSTM(3) forward, GRU(2) backward) are diagnosed, not refused as a wrong shape", async () => {
    const c = keras.find((k) => k.id === "bidirectional/backward_layer/lstm_gru/001");
    expect(c, "fixture bidirectional/backward_layer/lstm_gru/001").toBeDefined();
    const m = bidirectionalMutants.find((x) => x.name === "bidirectional/states-backward-first")!;
    const d = await diagnose(m.engine, c!, await m.engine.run(c!));
    expect(d?.hypothesis).toBe("bidirectional:states-backward-first");
  });

  it("a cell's mistake and a Bidirectional's in one engine are named as the pair where both show, never wrongly", async () => {
    const engine = naiveBidirectionalEngine({ name: "mutant:pair", flaws: { concatBackwardFirst: true }, layers: { LSTM: mutantByName("gate-order-iofc")!.engine } });
    const names: string[] = [];
    for (const c of cases.filter((k) => k.layers.some((l) => l.className === "Bidirectional" && l.config.merge_mode === "concat" && l.forward.className === "LSTM" && l.backward.className === "LSTM")).slice(0, 12)) {
      const d = await diagnose(engine, c, await engine.run(c));
      names.push(d?.hypothesis ?? "none");
    }
    expect(names).toContain("gate-order:iofc + bidirectional:concat-backward-first");
    expect(names.filter((n) => !["gate-order:iofc + bidirectional:concat-backward-first", "gate-order:iofc", "none"].includes(n))).toEqual([]);
  });

  it("the backward input reversed twice is, on a Keras 3 case, the backward layer's go_backwards ignored: both named", async () => {
    const c = cases.find((k) => k.dialect === "keras3" && k.id.includes("merge_modes/lstm_concat_seq/"))!;
    const d = await diagnose(doubleReversed, c, await doubleReversed.run(c));
    expect(d?.hypothesis).toBe("bidirectional:backward-double-reversed");
    expect(diagnosisNames(d, "go-backwards-ignored")).toBe(true);
  });
});

/**
 * The cells' mistakes reach both layers of a Bidirectional (case-transforms.ts `mapLayersOf`,
 * layerwise.ts): a port whose layer has the mistake has it in both directions. `time-major` is left
 * out: a layer that writes its own sequence time-major and a wrapper that then flips it along the
 * wrong axis is no engine a port makes (a time-major port reads and writes the whole wrapper so,
 * which the hypothesis predicts), and no diagnosis is due there.
 */
describe("the cells' mistakes in both directions of a Bidirectional", () => {
  const CLASS = { lstm: "LSTM", gru: "GRU", simple_rnn: "SimpleRNN" } as const;
  const wrapped = (m: MutantEntry): MutantEntry => ({
    ...m,
    name: `bidirectional(${m.name})`,
    engine: naiveBidirectionalEngine({ name: `mutant:bidirectional(${m.name})`, layers: { [CLASS[m.cell!]]: m.engine } }),
  });
  for (const cell of ["lstm", "gru", "simple_rnn"] as const) {
    it(`${cell}: every mutant of the cell wrapped in a Bidirectional is diagnosed as before, never wrongly`, async () => {
      const ofCell = cases.filter((c) => c.layers.every((l) => l.className !== "Bidirectional" || (l.forward.className === CLASS[cell] && l.backward.className === CLASS[cell])) && c.layers.every((l) => l.className === "Masking" || l.className === "Bidirectional" || l.className === CLASS[cell]));
      const verdicts: MutantVerdict[] = [];
      for (const m of mutantsOfCell[cell].filter((x) => !x.name.endsWith("time-major"))) {
        const v = await judgeMutant(wrapped(m), ofCell, 2);
        verdicts.push(v);
        expect(v.wrong, m.name).toEqual({});
        if (v.failed > 0 && v.notExpressible < v.diagnosed) expect(v.right, m.name).toBeGreaterThanOrEqual(1);
      }
      console.log(rateLine(`${cell} mutants in a Bidirectional`, verdicts));
      // the layer's weight and gate mistakes, at least, are seen through the wrapper
      expect(verdicts.filter((v) => v.right > 0).length).toBeGreaterThanOrEqual(10);
    });
  }
});

describe("trivial engines on Bidirectional cases", () => {
  // one test per engine, every fourth case diagnosed: the pair search runs to its budget on each
  for (const engine of trivialEngines.slice(0, 3)) {
    it(`${engine.name} passes no Bidirectional case and gets no diagnosis`, { timeout: 300_000 }, async () => {
      const suite = await runSuite(engine, cases, { diagnose: false });
      expect(suite.cases.filter((v) => v.status === "pass").map((v) => `${engine.name} passed ${v.id}`)).toEqual([]);
      for (const c of cases.filter((_, k) => k % 4 === 0)) {
        const actual = await engine.run(c);
        expect(matchWithin(actual, c.expected.map((e) => e.outputs), c.tolerance), `${engine.name} on ${c.id}`).toBeNull();
        expect(await diagnose(engine, c, actual), `${engine.name} on ${c.id}`).toBeNull();
      }
    });
  }

  it("twice the reference is diagnosed only where it is exactly merge_mode \"ave\" computed as \"sum\": one Bidirectional, ave, no states returned", { timeout: 300_000 }, async () => {
    const twice = trivialEngines.find((e) => e.name === "trivial:reference-times-2")!;
    const aveAlone = (c: LayerCase): boolean => {
      const layers = c.layers.filter((l) => l.className !== "Masking");
      const only = layers[0];
      return layers.length === 1 && only?.className === "Bidirectional" && only.config.merge_mode === "ave" && !only.forward.config.return_state;
    };
    for (const c of cases.filter((k, n) => aveAlone(k) || n % 4 === 0)) {
      const d = await diagnose(twice, c, await twice.run(c));
      expect(d?.hypothesis ?? null, c.id).toBe(aveAlone(c) ? "bidirectional:ave-as-sum" : null);
    }
  });
});
