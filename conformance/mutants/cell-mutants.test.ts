/**
 * The GRU and SimpleRNN galleries (issue 12), judged as the LSTM's is (mutants.test.ts, pairs.test.ts):
 * each mutant is killed on its cell's cases and diagnosed as its hypothesis where the flaw is
 * observable, pairs of one cell's mutants are named as the pair, and each cell's kill and diagnosis
 * rates are printed for the project's notes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FixtureCase } from "../case.ts";
import { CELLS } from "../cells.ts";
import { runSuite } from "../runner.ts";
import { hypothesisById } from "../hypotheses/index.ts";
import { cellOnly, corpusCases, generatedCases, lstmOnly } from "./gallery-cases.ts";
import { composeMutants, gruMutants, mathMutants, mutantByName, mutantsOfCell, simpleRnnMutants } from "./index.ts";
import { cellRateLine, judgeMutant, killRateTable, type MutantVerdict } from "./kill-rate.ts";
import { naiveRnnEngine } from "./naive-rnn.ts";
import { judgePairs, pairRateReport } from "./pair-rate.ts";

const GALLERIES = [
  ["gru", gruMutants],
  ["simple_rnn", simpleRnnMutants],
] as const;

const cases: Record<string, FixtureCase[]> = {};
let lstmCases: FixtureCase[] = [];

beforeAll(async () => {
  const corpus = corpusCases("fixtures");
  expect(corpus.errors).toEqual([]);
  lstmCases = lstmOnly(corpus.cases);
  // each cell's corpus cases, and generated ones where the corpus has few (stateful calls, masks with initial_state)
  for (const [cell] of GALLERIES) cases[cell] = [...cellOnly(corpus.cases, cell), ...(await generatedCases(20, 20240601, [cell]))];
});

describe.each(GALLERIES)("the %s gallery", (cell, gallery) => {
  const verdicts: MutantVerdict[] = [];
  const descriptor = cell === "gru" ? CELLS.GRU : CELLS.SimpleRNN;

  it("the unflawed naive engine passes every case of its cell, so each mutant's failures come from its flaw", async () => {
    expect(cases[cell]!.length).toBeGreaterThan(100);
    const suite = await runSuite(naiveRnnEngine({ name: `naive-${cell}`, cell }), cases[cell]!, { diagnose: false });
    expect(suite.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.status} ${v.message}`)).toEqual([]);
  });

  it("has mutants named <cell>/…, each declaring its cell only and naming a known hypothesis", () => {
    expect(gallery.length).toBeGreaterThanOrEqual(12);
    for (const m of gallery) {
      expect(m.name.startsWith(`${cell}/`), m.name).toBe(true);
      expect(m.engine.name).toBe(`mutant:${m.name}`);
      expect(m.cell).toBe(cell);
      expect(m.engine.features).toContain(descriptor.feature);
      expect(m.engine.features).not.toContain("cell:lstm");
      expect(hypothesisById(m.expectedHypothesis!), m.expectedHypothesis!).toBeDefined();
    }
  });

  it("is not run on LSTM cases: they need cell:lstm, which no mutant of the cell declares", async () => {
    const suite = await runSuite(gallery[0]!.engine, lstmCases.slice(0, 10), { diagnose: false });
    expect(suite.cases.every((v) => v.status === "unsupported")).toBe(true);
  });

  for (const m of gallery) {
    it(`${m.name}: killed, and diagnosed as ${m.expectedHypothesis}`, async () => {
      const v = await judgeMutant(m, cases[cell]!, 6);
      verdicts.push(v);
      expect(v.killed, `${m.name} passed every case`).toBe(true);
      expect(v.right, `${m.name}: no failing case got the diagnosis ${m.expectedHypothesis}`).toBeGreaterThanOrEqual(1);
      expect(v.wrong).toEqual({});
    });
  }

  it("records the kill rate", () => {
    // printed for the project's notes (the lead copies it into the report)
    console.log(killRateTable(verdicts));
    expect(verdicts).toHaveLength(gallery.length);
    expect(verdicts.every((v) => v.killed)).toBe(true);
    expect(cellRateLine(cell, verdicts)).toMatch(new RegExp(`^${cell}: ${gallery.length}/${gallery.length} mutants killed`));
  });

  it("pairs of its mutants: at least 90 % of the cases where both flaws are observable are named exactly", async () => {
    const rate = await judgePairs(cases[cell]!, 1, () => true, {}, mutantsOfCell[cell]);
    console.log(`${cell} ${pairRateReport(rate)}`);
    expect(rate.checked.length).toBeGreaterThan(0.6 * rate.combinable);
    expect(rate.rate).toBeGreaterThanOrEqual(0.9);
  });
});

describe("pair mutants of the new cells", () => {
  it("combine two mutants of one cell by name, with the pair of their diagnoses", () => {
    const pair = mutantByName("gru/gate-order-rzh+gru/bias-rows-swapped");
    expect(pair?.engine.name).toBe("mutant:gru/gate-order-rzh+gru/bias-rows-swapped");
    expect(pair?.expectedHypothesis).toBe("gate-order:rzh + gru:bias-rows-swapped");
    expect(pair?.flaws).toEqual({ gateOrder: "rzh", biasRowsSwapped: true });
    expect(pair?.cell).toBe("gru");
    expect(mutantByName("simple_rnn/kernels-swapped+simple_rnn/mask-ignored")?.expectedHypothesis).toBe("kernels-swapped + mask-ignored");
  });

  it("refuse mutants of two cells, and two bias mistakes of one", () => {
    expect(mutantByName("gru/mask-ignored+simple_rnn/bias-dropped")).toBeUndefined();
    expect(mutantByName("gate-order-iofc+gru/bias-dropped")).toBeUndefined();
    expect(composeMutants(mathMutants[0]!, gruMutants[0]!)).toBeNull();
    expect(mutantByName("gru/bias-rows-swapped+gru/bias-dropped")).toBeUndefined();
    expect(mutantByName("gru/gate-order-rzh+gru/gate-order-rhz")).toBeUndefined();
  });
});
