/**
 * Two mistakes at once (spec/adapter.md §4.2): pair mutants, and how often the diagnosis names
 * exactly the pair. The rate is printed for the project's notes.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import type { FixtureCase } from "../case.ts";
import { diagnosisNames } from "../diagnose.ts";
import { specFile } from "../package-paths.ts";
import { toJsonReport } from "../reports/json.ts";
import { runSuite } from "../runner.ts";
import { corpusCases, generatedCases, lstmOnly } from "./gallery-cases.ts";
import { composeMutants, mathMutants, mutantByName } from "./index.ts";
import { judgePairs, pairRateReport } from "./pair-rate.ts";

let corpus: FixtureCase[] = [];
let cases: FixtureCase[] = [];

beforeAll(async () => {
  const loaded = corpusCases("fixtures");
  expect(loaded.errors).toEqual([]);
  // the naive LSTM behind the mutants computes LSTM cases only
  corpus = lstmOnly(loaded.cases);
  cases = [...corpus, ...(await generatedCases(40, 20240601))];
});

describe("pair mutants", () => {
  it("combine two gallery mutants by name, with the pair of their diagnoses as the expected one", () => {
    const pair = mutantByName("gate-order-iofc+bias-dropped");
    expect(pair?.engine.name).toBe("mutant:gate-order-iofc+bias-dropped");
    expect(pair?.expectedHypothesis).toBe("gate-order:iofc + bias-dropped");
    expect(pair?.flaws).toEqual({ gateOrder: "iofc", biasFactor: 0 });
    // the order of the names does not change the expected diagnosis
    expect(mutantByName("bias-dropped+gate-order-iofc")?.expectedHypothesis).toBe("gate-order:iofc + bias-dropped");
  });

  it("refuse pairs that are not two mistakes: two gate orders, one flaw twice, harness mutants", () => {
    expect(mutantByName("gate-order-iofc+gate-order-icfo")).toBeUndefined();
    expect(mutantByName("gate-order-iofc+forget-reads-input-block")).toBeUndefined();
    expect(mutantByName("bias-dropped+bias-twice")).toBeUndefined();
    expect(mutantByName("gate-order-iofc+harness/nan")).toBeUndefined();
    expect(mutantByName("a+b+c")).toBeUndefined();
  });

  it("most pairs of math mutants combine", () => {
    const pairs = mathMutants.flatMap((a, i) => mathMutants.slice(i + 1).map((b) => composeMutants(a, b)));
    const combinable = pairs.filter((p) => p !== null).length;
    expect(combinable).toBeGreaterThan(0.8 * pairs.length);
  });
});

describe("diagnosing two mistakes", () => {
  it("gate order i,o,f,c and the bias dropped: nearly every failure of the corpus is named as that pair", async () => {
    const pair = mutantByName("gate-order-iofc+bias-dropped")!;
    const start = performance.now();
    const suite = await runSuite(pair.engine, corpus, { timeoutMs: 10_000 });
    const ms = performance.now() - start;
    const failing = suite.cases.filter((v) => v.status === "fail");
    // without a bias (use_bias=false) only the gate order is observable, and it alone is the diagnosis
    const named = failing.filter((v) => diagnosisNames(v.diagnosis, pair.expectedHypothesis!) || (v.diagnosis?.hypothesis === "gate-order:iofc" && v.id.includes("use_bias_false")));
    console.log(`${pair.name}: ${named.length}/${failing.length} failing corpus cases named (${(ms / 1000).toFixed(1)} s with diagnosis)`);
    expect(failing.length).toBe(corpus.length);
    expect(named.length).toBeGreaterThanOrEqual(0.9 * failing.length);
    const pairDiagnosis = failing.find((v) => v.diagnosis?.hypothesis === pair.expectedHypothesis)!.diagnosis!;
    expect(pairDiagnosis.mistakes).toEqual(["gate-order:iofc", "bias-dropped"]);
    expect(pairDiagnosis.explanation).toMatch(/^two mistakes: gate-order:iofc and bias-dropped — /);
    // the JSON report holds the pair as spec/report.schema.json says a case's diagnosis looks
    const schema = JSON.parse(readFileSync(specFile("report.schema.json"), "utf8")) as { $id: string };
    const ajv = new Ajv2020({ allErrors: true, strict: false }).addSchema(schema);
    const validate = ajv.getSchema(`${schema.$id}#/$defs/caseVerdict/properties/diagnosis`)!;
    const written = (JSON.parse(toJsonReport(suite)) as { cases: { diagnosis: unknown }[] }).cases.map((v) => v.diagnosis);
    for (const d of written) expect(validate(d), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...pairDiagnosis, mistakes: ["gate-order:iofc"] })).toBe(false);
  });

  it("of all pairs of gallery mutants that combine, at least 90 % of the cases where both flaws are observable are named exactly", async () => {
    // one case per pair, long sequences left out to keep the test fast (they are in the corpus run above)
    const rate = await judgePairs(cases, 1, (c) => !c.id.startsWith("lstm/long/"));
    console.log(pairRateReport(rate));
    expect(rate.checked.length).toBeGreaterThan(0.9 * rate.combinable);
    expect(rate.rate).toBeGreaterThanOrEqual(0.9);
  });
});
