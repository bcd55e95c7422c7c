/**
 * The README's engine table is generated: it must equal what the renderer makes of the
 * committed reports, and the renderer must say what each report holds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFixtureDir } from "../conformance/fixtures/load.ts";
import { defaultFixturesDir, packageRoot } from "../conformance/package-paths.ts";
import type { CaseStatus, CaseVerdict, SuiteResult } from "../conformance/verdict.ts";
import { loadCommittedReports } from "./engine-results/engines.ts";
import { cellRows, collapseIds, extractBlock, renderEngineResults, replaceBlock, REGENERATE } from "./engine-results/render.ts";
import { stableReport } from "./engine-results/stable-report.ts";

describe("README engine results", () => {
  it("is what scripts/engine-results.ts renders from results/engines/*.json", () => {
    const readme = readFileSync(join(packageRoot(), "README.md"), "utf8");
    const rendered = renderEngineResults(loadCommittedReports());
    expect(extractBlock(readme).trim(), `the README's engine results are stale: run \`${REGENERATE}\` (or \`${REGENERATE} --render-only\`)`).toBe(rendered.trim());
  });

  it("comes from reports of the current corpus (every shipped case, no other)", () => {
    const loaded = loadFixtureDir(defaultFixturesDir());
    // every shipped case: the forward fixtures and the gradient cases (spec/gradients.md §5)
    const corpus = [...loaded.cases, ...(loaded.gradientCases ?? [])].map((c) => c.id).sort();
    for (const { name, report } of loadCommittedReports()) {
      expect(report.cases.map((v) => v.id).sort(), `results/engines/${name}.json is from another corpus: run \`${REGENERATE}\``).toEqual(corpus);
    }
  });
});

function verdict(id: string, status: CaseStatus, extra: Partial<CaseVerdict> = {}): CaseVerdict {
  return {
    id,
    family: id.split("/").slice(0, 2).join("/"),
    description: "",
    file: "f.json",
    status,
    message: "",
    features: [],
    missingFeatures: [],
    core: true,
    maxAbs: null,
    maxRel: null,
    worst: null,
    tolerance: { atol: 1e-5, rtol: 1e-5, source: "test" },
    timeMs: 1.4,
    firstDivergence: null,
    diagnosis: null,
    ...extra,
  };
}

function report(cases: CaseVerdict[], counts: Partial<SuiteResult["counts"]>): SuiteResult {
  return {
    suite: { name: "keras-rnn-conformance", version: "9.9.9" },
    engine: { name: "toy", version: "toy 1.2", features: [] },
    startedAt: "2026-01-01T00:00:00Z",
    durationMs: 1234.567,
    selection: { fixtures: [], filters: [], shard: null, casesLoaded: cases.length, propertyRuns: 0, seed: null },
    cases,
    properties: [],
    counts: { pass: 0, fail: 0, unsupported: 0, error: 0, skip: 0, "known-failure": 0, "unexpected-pass": 0, ...counts },
    level: "none",
    verdict: "as-expected",
    conformant: false,
    requiredLevel: "core",
    exitCode: 1,
    reasons: [],
    loadErrors: [],
    strictExpectations: true,
    warnings: ["expectations entry lstm/gone matches no case"],
  } as SuiteResult;
}

const hard = { kind: "fail" as const, pattern: "lstm/act", reason: "hard_sigmoid is 0.2x+0.5 here" };
const toy = report(
  [
    verdict("lstm/a/001", "pass"),
    verdict("lstm/act/001", "known-failure", { expectation: hard, diagnosis: { hypothesis: "hard-sigmoid:0.2x+0.5", explanation: "…", maxAbs: 0 } }),
    verdict("lstm/act/002", "known-failure", { expectation: hard }),
    verdict("lstm/m/001", "unsupported", { missingFeatures: ["mask"], message: "engine does not implement: mask" }),
    verdict("lstm/pad/001", "unsupported", { message: "engine cannot run this case: right padding only: row 0 (0011) is not" }),
    verdict("lstm/pad/002", "unsupported", { message: "engine cannot run this case: right padding only: row 2 (0111) is not" }),
    verdict("lstm/x/001", "fail", { message: "output 0: max abs 1e-1" }),
    verdict("lstm/y/001", "unexpected-pass", { expectation: { kind: "fail", pattern: "lstm/y", reason: "was broken" } }),
    verdict("lstm/z/001", "error", { message: "engine threw: TypeError: boom" }),
    verdict("gru/a/001", "pass"),
    verdict("gru/a/002", "unsupported", { missingFeatures: ["gru:reset_after_false"], message: "engine does not implement: gru:reset_after_false" }),
    verdict("simple_rnn/a/001", "unsupported", { missingFeatures: ["cell:simple_rnn"], message: "engine does not implement: cell:simple_rnn" }),
  ],
  { pass: 2, "known-failure": 2, unsupported: 5, fail: 1, "unexpected-pass": 1, error: 1 },
);

describe("renderEngineResults", () => {
  const md = renderEngineResults([{ name: "toy", report: toy, expectations: "toy.expectations", note: "A toy." }]);

  it("writes one table row per cell with its counts; failed includes unexpected passes; engine, version and corpus time on the first", () => {
    expect(md).toContain("| engine | version | cases | passed | failed | known failures | unsupported | errors | corpus time |");
    expect(md).toContain("| toy | toy 1.2 | LSTM (`lstm/*`) | 1 | 2 | 2 | 3 | 1 | 1.23 s |");
    expect(md).toContain("|  |  | GRU (`gru/*`) | 1 | 0 | 0 | 1 | 0 |  |");
    // every case of the cell unsupported for want of the cell: out of the engine's scope, no result
    expect(md).toContain("|  |  | SimpleRNN (`simple_rnn/*`) | — | — | — | 1 (cell not implemented) | — |  |");
    expect(md).toContain("12 Keras fixture cases, keras-rnn-conformance 9.9.9) and no property-based tests");
  });

  it("orders the cell rows LSTM, GRU, SimpleRNN, then any other family", () => {
    const r = report([verdict("simple_rnn/a/001", "pass"), verdict("other/a/001", "fail"), verdict("lstm/a/001", "pass"), verdict("gru/a/001", "pass")], { pass: 3, fail: 1 });
    expect(cellRows(r).map((row) => [row.label, row.counts.pass, row.counts.fail, row.outOfScope])).toEqual([
      ["LSTM (`lstm/*`)", 1, 0, false],
      ["GRU (`gru/*`)", 1, 0, false],
      ["SimpleRNN (`simple_rnn/*`)", 1, 0, false],
      ["other (`other/*`)", 0, 1, false],
    ]);
  });

  it("explains every non-pass, grouped by reason, after the run's verdict", () => {
    expect(md).toContain("**toy** — 2 of 12 pass; 2 failures, 1 error, 2 known failures, 5 unsupported. Verdict: AS EXPECTED, NOT CONFORMANT, level none. A toy. Known failures: `toy.expectations`.");
    expect(md).toContain("- 2 known failures — hard_sigmoid is 0.2x+0.5 here; the suite's diagnosis: `hard-sigmoid:0.2x+0.5` (1 of 2): `lstm/act` (2)");
    expect(md).toContain("- 3 unsupported — needs a feature the engine does not declare: `cell:simple_rnn` (1), `gru:reset_after_false` (1), `mask` (1): `lstm/m/001`, `gru/a/002`, `simple_rnn/a/001`");
    expect(md).toContain("- 2 unsupported — the engine cannot express the case: right padding only: `lstm/pad` (2)");
    expect(md).toContain("- 1 failure — no known porting mistake explains it: `lstm/x/001`");
    expect(md).toContain('- 1 unexpected pass — listed as failing ("was broken") yet passed');
    expect(md).toContain("- 1 error — engine threw: TypeError: boom: `lstm/z/001`");
    expect(md).toContain("- warning: expectations entry lstm/gone matches no case");
    // Each non-passing id appears exactly once in the explanations (possibly under a prefix).
    for (const id of ["lstm/m/001", "lstm/x/001", "lstm/y/001", "lstm/z/001", "gru/a/002", "simple_rnn/a/001"]) expect(md.split(`\`${id}\``).length - 1, id).toBe(1);
    expect(md).not.toContain("lstm/a/001");
    expect(md).not.toContain("gru/a/001");
  });

  it("says so when every case passes, and folds long id lists into <details>", () => {
    const allPass = report([verdict("lstm/a/001", "pass")], { pass: 1 });
    expect(renderEngineResults([{ name: "ok", report: { ...allPass, warnings: [] } }])).toContain("**ok** — all 1 cases pass. Verdict: AS EXPECTED, NOT CONFORMANT, level none.");
    const many = Array.from({ length: 6 }, (_, i) => verdict(`lstm/f${i}/001`, "unsupported", { missingFeatures: ["stateful"] }));
    const folded = renderEngineResults([{ name: "m", report: report([...many, verdict("lstm/p/001", "pass")], { unsupported: 6, pass: 1 }) }]);
    expect(folded).toContain("<details><summary>6 cases</summary>");
  });

  it("collapses ids into a prefix only when every case under it is listed", () => {
    const all = ["a/b/001", "a/b/002", "a/c/001", "a/c/002"];
    expect(collapseIds(["a/b/001", "a/b/002", "a/c/001"], all)).toEqual(["`a/b` (2)", "`a/c/001`"]);
    expect(collapseIds(all, all)).toEqual(["`a` (4)"]);
  });
});

describe("replaceBlock", () => {
  it("replaces only what is between the markers and refuses a README without them", () => {
    const readme = "# x\n<!-- engine-results:start -->\nold\n<!-- engine-results:end -->\ntail\n";
    expect(replaceBlock(readme, "new\n")).toBe("# x\n<!-- engine-results:start -->\nnew\n<!-- engine-results:end -->\ntail\n");
    expect(() => replaceBlock("# x\n", "new")).toThrow(/engine-results:start/);
  });
});

describe("stableReport", () => {
  it("rounds times to whole milliseconds and keeps everything else", () => {
    const s = stableReport(toy);
    expect(s.durationMs).toBe(1235);
    expect(s.cases.map((v) => v.timeMs)).toEqual(toy.cases.map(() => 1));
    expect({ ...s, durationMs: 0, cases: [] }).toEqual({ ...toy, durationMs: 0, cases: [] });
  });
});
