import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { FixtureCase, LayerCase } from "../case.ts";
import type { Engine, EngineOutputs } from "../engine.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { runSuite } from "../runner.ts";
import { judgeRun } from "../run-verdict.ts";
import { tinyCase, tinyFixtureFile, writeTinyCorpus } from "../testing/tiny-fixture.ts";
import type { SuiteResult } from "../verdict.ts";
import { fromJsonReport, toJsonReport } from "./json.ts";
import { MergeError, mergeResults } from "./merge.ts";

/** An unsharded run of 8 passing cases and one property, as the CLI records it. */
async function wholeRun(): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), "krc-merge-"));
  writeTinyCorpus(dir, { "m.json": tinyFixtureFile("t/m", Array.from({ length: 8 }, (_, i) => tinyCase({ id: `t/m/c/00${i + 1}`, seed: i + 1 }))) });
  const { cases } = loadFixtureDir(dir);
  const byId = new Map<string, FixtureCase>(cases.map((c) => [c.id, c]));
  const engine: Engine = {
    name: "m",
    version: "0.0.1",
    features: ["activation:tanh", "recurrent_activation:sigmoid"],
    run: (c: LayerCase): EngineOutputs => byId.get(c.id)!.expected.map((e) => e.outputs.map((t) => ({ shape: [...t.shape], data: Float32Array.from(t.data) }))),
  };
  const result = await runSuite(engine, cases, { diagnose: false, fixtures: ["fixtures/"], casesLoaded: 8 });
  const properties: SuiteResult["properties"] = [{ id: "property/batch-rows-independent", status: "pass", runs: 10, seed: 1, referenceChecked: false, evidence: true, specSection: "spec/lstm.md §5" }];
  const judgement = judgeRun({ cases: result.cases, properties, loadErrors: [], strictExpectations: true, requiredLevel: "core" });
  return { ...result, ...judgement, selection: { ...result.selection, propertyRuns: 10, seed: 1 }, properties };
}

let whole: SuiteResult;
beforeAll(async () => {
  whole = await wholeRun();
});

/** Shard k of n as the CLI writes it: its cases, and the properties (with their settings) in shard 1 only. */
function shard(k: number, n = 4, base: SuiteResult = whole): SuiteResult {
  const first = k === 1;
  return {
    ...base,
    cases: base.cases.filter((_, i) => i % n === k - 1),
    properties: first ? base.properties : [],
    selection: { ...base.selection, shard: { index: k, count: n }, propertyRuns: first ? base.selection.propertyRuns : 0, seed: first ? base.selection.seed : null },
  };
}

const all = (): SuiteResult[] => [1, 2, 3, 4].map((k) => shard(k));

/** The problems `mergeResults` refuses with, checking that it refuses with a MergeError. */
function refusal(results: readonly SuiteResult[], sources?: readonly string[]): readonly string[] {
  try {
    mergeResults(results, sources);
  } catch (e) {
    expect(e).toBeInstanceOf(MergeError);
    return (e as MergeError).problems;
  }
  throw new Error("mergeResults did not refuse");
}

describe("mergeResults", () => {
  it("merges all 4 shards into the whole run", () => {
    expect(whole.conformant).toBe(true);
    const shards = all().map((r) => fromJsonReport(toJsonReport(r)));
    const merged = mergeResults(shards, ["shard-1.json", "shard-2.json", "shard-3.json", "shard-4.json"]);
    expect(merged.cases.map((v) => v.id).sort()).toEqual(whole.cases.map((v) => v.id).sort());
    expect(merged.properties).toEqual(whole.properties);
    expect(merged.counts).toEqual(whole.counts);
    expect([merged.level, merged.verdict, merged.conformant, merged.exitCode]).toEqual([whole.level, whole.verdict, true, 0]);
    expect(merged.selection).toEqual({ ...whole.selection, shard: null });
  });

  it("a single unsharded report merges to itself", () => {
    expect(mergeResults([whole])).toEqual(whole);
  });

  it("refuses 1 of 4 shards, naming the missing ones", () => {
    expect(() => mergeResults([shard(1)])).toThrow(new MergeError(["shard 2/4, 3/4, 4/4 missing"]));
    expect(() => mergeResults([shard(1)])).toThrow(/^cannot merge the reports: shard 2\/4, 3\/4, 4\/4 missing$/);
  });

  it("refuses a shard given twice, as the same index or as the same file", () => {
    const [s1, s2, s3, s4] = all() as [SuiteResult, SuiteResult, SuiteResult, SuiteResult];
    expect(refusal([s1, s2, s2, s4])).toEqual([
      "shard 2/4 appears twice: report 2, report 3",
      "shard 3/4 missing",
      "2 case id(s) appear in more than one report: t/m/c/002 (report 2 and report 3), t/m/c/006 (report 2 and report 3)",
    ]);
    expect(refusal([s1, s2, s3, s4, s4], ["1.json", "2.json", "3.json", "4.json", "4.json"])[0]).toBe("4.json is given more than once");
    // The same cases under another shard number are caught by their ids.
    expect(refusal([s1, s2, s3, { ...s4, cases: s3.cases }])).toEqual(["2 case id(s) appear in more than one report: t/m/c/003 (report 3 and report 4), t/m/c/007 (report 3 and report 4)"]);
  });

  it("refuses mixed shard counts, and unsharded reports among shards or with each other", () => {
    expect(refusal([shard(1, 2), shard(2, 4)])).toEqual(["shard counts differ: 2 in report 1; 4 in report 2"]);
    expect(refusal([...all(), whole])).toEqual([
      "report 5 is unsharded and cannot be merged with shard reports (report 1, report 2, report 3, report 4): an unsharded report is a whole run",
      "8 case id(s) appear in more than one report: t/m/c/001 (report 1 and report 5), t/m/c/002 (report 2 and report 5), t/m/c/003 (report 3 and report 5), and 5 more",
      "1 property id(s) appear in more than one report: property/batch-rows-independent (report 1 and report 5)",
    ]);
    expect(refusal([whole, whole], ["a.json", "b.json"])[0]).toBe("2 unsharded reports (a.json, b.json): each is a whole run, and a run merges only with itself");
  });

  it("refuses reports of different engines", () => {
    const [s1, s2, s3, s4] = all() as [SuiteResult, SuiteResult, SuiteResult, SuiteResult];
    const other = { ...s2, engine: { ...s2.engine, version: "0.0.2" } };
    expect(refusal([s1, other, s3, s4])).toEqual(['engine versions differ: "0.0.1" in report 1, report 3, report 4; "0.0.2" in report 2']);
    const moreFeatures = { ...s2, engine: { ...s2.engine, features: [...s2.engine.features, "mask" as const] } };
    expect(refusal([s1, moreFeatures, s3, s4])).toEqual([
      'engine features differ: ["activation:tanh","recurrent_activation:sigmoid"] in report 1, report 3, report 4; ["activation:tanh","mask","recurrent_activation:sigmoid"] in report 2',
    ]);
    // An engine name's control characters make it another engine, and are shown, not acted on.
    expect(refusal([s1, { ...s2, engine: { ...s2.engine, name: "m\u001b[2K\r" } }, s3, s4])).toEqual(['engine names differ: "m" in report 1, report 3, report 4; "m\\u001b[2K\\r" in report 2']);
    // The same features in another order are the same engine.
    const reordered = { ...s2, engine: { ...s2.engine, features: [...s2.engine.features].reverse() } };
    expect(() => mergeResults([s1, reordered, s3, s4])).not.toThrow();
    const suite = { ...s3, suite: { ...s3.suite, version: "0.2.0" } };
    expect(refusal([s1, s2, suite, s4])).toEqual(['suite versions differ: "0.1.0" in report 1, report 2, report 4; "0.2.0" in report 3']);
  });

  it("refuses mixed property seeds and run counts", () => {
    // Only shard 1 runs properties today; a report that ran none records no settings and agrees with any.
    const withProperties = (r: SuiteResult, propertyRuns: number, seed: number): SuiteResult => ({ ...r, selection: { ...r.selection, propertyRuns, seed } });
    const [s1, s2] = [shard(1, 2), shard(2, 2)];
    expect(() => mergeResults([s1, s2])).not.toThrow();
    expect(refusal([s1, withProperties(s2, 10, 2)])).toEqual(["property seeds (--seed) differ: 1 in report 1; 2 in report 2"]);
    expect(refusal([s1, withProperties(s2, 100, 1)])).toEqual(["property run counts (--properties) differ: 10 in report 1; 100 in report 2"]);
  });

  it("refuses mixed fixture selections: fixtures, filters, cases loaded", () => {
    const [s1, s2, s3, s4] = all() as [SuiteResult, SuiteResult, SuiteResult, SuiteResult];
    const select = (r: SuiteResult, selection: Partial<SuiteResult["selection"]>): SuiteResult => ({ ...r, selection: { ...r.selection, ...selection } });
    expect(refusal([s1, select(s2, { fixtures: ["other/"] }), s3, s4])).toEqual(['fixtures (--fixtures) differ: ["fixtures/"] in report 1, report 3, report 4; ["other/"] in report 2']);
    expect(refusal([s1, s2, select(s3, { filters: ["t/m"] }), s4])).toEqual(['filters (--filter) differ: [] in report 1, report 2, report 4; ["t/m"] in report 3']);
    expect(refusal([s1, s2, s3, select(s4, { casesLoaded: 9 })])).toEqual(["cases loaded differ: 8 in report 1, report 2, report 3; 9 in report 4"]);
  });

  it("names every problem at once, in one message", () => {
    const [s1, s2] = all() as [SuiteResult, SuiteResult];
    const e = (() => {
      try {
        mergeResults([s1, { ...s2, engine: { ...s2.engine, name: "x" } }]);
      } catch (thrown) {
        return thrown as MergeError;
      }
      throw new Error("no refusal");
    })();
    expect(e.name).toBe("MergeError");
    expect(e.message).toBe('cannot merge the reports:\n  - shard 3/4, 4/4 missing\n  - engine names differ: "m" in report 1; "x" in report 2');
  });

  it("carries load errors and warnings through; any load error makes the merged run red", () => {
    const [s1, s2, s3, s4] = all() as [SuiteResult, SuiteResult, SuiteResult, SuiteResult];
    const broken = (r: SuiteResult, loadErrors: readonly string[], warnings: readonly string[]): SuiteResult => ({ ...r, loadErrors, warnings });
    const merged = mergeResults([
      broken(s1, ["a.json: not valid JSON"], ["w1"]),
      broken(s2, ["a.json: not valid JSON"], []),
      broken(s3, ["a.json: not valid JSON", "b.json: case t/x/001: no weights"], ["w2", "w1"]),
      s4,
    ]);
    expect(merged.loadErrors).toEqual(["a.json: not valid JSON", "b.json: case t/x/001: no weights"]);
    expect(merged.warnings).toEqual(["w1", "w2"]);
    expect([merged.conformant, merged.verdict]).toEqual([false, "not-conformant"]);
    expect(merged.exitCode).not.toBe(0);
    // A report written before the field existed has no load errors.
    const { loadErrors: _, ...old } = s4;
    expect(mergeResults([s1, s2, s3, old as SuiteResult]).loadErrors).toEqual([]);
  });
});
