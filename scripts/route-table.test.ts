/**
 * The README's route table is generated (spec/porting.md §17): it must equal what the renderer makes
 * of the committed route reports and evidence, and the renderer must say what they hold — each
 * divergence with what the converter does instead, the evidence from inside the converted model and
 * the suite's diagnosis.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFixtureDir } from "../conformance/fixtures/load.ts";
import { defaultFixturesDir, packageRoot } from "../conformance/package-paths.ts";
import { inShard } from "../conformance/select.ts";
import type { CaseStatus, CaseVerdict, SuiteResult } from "../conformance/verdict.ts";
import { extractBlock } from "./engine-results/render.ts";
import { loweringKind, loweringSummary, optionCell, renderRouteTable, RENDER_ONLY, ROUTE_MARKERS } from "./route-table/render.ts";
import { loadCommittedRoutes, readEvidence, ROUTES, type CaseEvidence, type RouteResult } from "./route-table/routes.ts";

describe("README route table", () => {
  it("is what scripts/route-table.ts renders from results/routes/", () => {
    const readme = readFileSync(join(packageRoot(), "README.md"), "utf8");
    expect(extractBlock(readme, ROUTE_MARKERS).trim(), `the README's route table is stale: run \`${RENDER_ONLY}\``).toBe(renderRouteTable(loadCommittedRoutes()).trim());
  });

  it("comes from reports of the current corpus (every shipped inference case of the run's shard, no other), with evidence for every case that ran", () => {
    // The loader keeps gradient cases apart (gradientCases): outside a converted model's scope, the route table leaves them out.
    const corpus = loadFixtureDir(defaultFixturesDir()).cases.map((c) => c.id).sort();
    for (const { route, report, evidence } of loadCommittedRoutes()) {
      const shard = report.selection.shard;
      const want = corpus.filter((id) => inShard(id, shard));
      expect(report.cases.map((v) => v.id).sort(), `results/routes/${route.name}.json is from another corpus`).toEqual(want);
      for (const v of report.cases) if (v.status === "pass" || v.status === "fail") expect(evidence.has(v.id), `${route.name} ${v.id}: no evidence record`).toBe(true);
    }
  });

  it("has its controls pass every case they ran: the wrapper is not what fails", () => {
    for (const { route, report } of loadCommittedRoutes().filter((r) => r.route.control)) {
      expect(report.counts.fail + report.counts.error, `${route.name}: the control failed or errored`).toBe(0);
      expect(report.counts.pass, `${route.name}: the control passed nothing`).toBeGreaterThan(0);
    }
  });

  it("has every converter failure on a case its control passed: a failure the control shares would be the wrapper's", () => {
    const routes = loadCommittedRoutes();
    for (const { route, report } of routes.filter((r) => !r.route.control)) {
      const control = routes.find((r) => r.route.name === (route.controlledBy ?? "keras-model"))!.report;
      for (const v of report.cases.filter((c) => c.status === "fail" || c.status === "error")) {
        expect(control.cases.find((c) => c.id === v.id)?.status, `${route.name} ${v.id}: its control ${control.engine.name} did not pass it`).toBe("pass");
      }
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
    timeMs: 1,
    firstDivergence: null,
    diagnosis: null,
    ...extra,
  };
}

function evidence(id: string, lowering: string, lines: string[] = []): CaseEvidence {
  return { case: id, lowering, evidence: lines, build_s: 0.1, convert_s: 1.5, run_s: 0.002 };
}

const cases = [
  verdict("lstm/a/001", "pass"),
  verdict("lstm/stateful/001", "fail", { message: "call 2: max abs 1e-1", diagnosis: { hypothesis: "stateful-not-carried", explanation: "a stateful layer starts every call from zeros", maxAbs: 0 } }),
  verdict("gru/m/001", "unsupported", { message: "engine cannot run this case: tf2onnx refused: ValueError: no" }),
  verdict("simple_rnn/a/001", "error", { message: "engine threw: boom" }),
];
const toy: RouteResult = {
  route: { name: "toy-route", what: "toy → runtime", needed: "a signature", divergences: [{ pattern: "lstm/stateful", instead: "freezes the state to zeros" }] },
  report: {
    suite: { name: "keras-rnn-conformance", version: "9.9.9" },
    engine: { name: "toy-route", version: "toy 1.0", features: [] },
    durationMs: 12345,
    selection: { fixtures: [], filters: [], shard: null, casesLoaded: 4, propertyRuns: 0, seed: null },
    cases,
    properties: [],
    counts: { pass: 1, fail: 1, unsupported: 1, error: 1, skip: 0, "known-failure": 0, "unexpected-pass": 0 },
    warnings: [],
    reasons: [],
  } as unknown as SuiteResult,
  evidence: new Map([
    ["lstm/a/001", evidence("lstm/a/001", "lowering: ONNX LSTM node ×1 (opset 15, 5 nodes)")],
    ["lstm/stateful/001", evidence("lstm/stateful/001", "lowering: ONNX LSTM node ×1 (opset 15, 4 nodes)", ["state evidence: LSTM initial_h = constant c [1, 2, 4] all zeros"])],
  ]),
};

describe("renderRouteTable", () => {
  const md = renderRouteTable([toy]);

  it("writes route × family with pass, fail, unsupported, error and the corpus time", () => {
    expect(md).toContain("| route | cases | passed | failed | unsupported | errors | corpus time |");
    expect(md).toContain("| toy-route | LSTM (`lstm/*`) | 1 | 1 | 0 | 0 | 12.3 s |");
    expect(md).toContain("|  | GRU (`gru/*`) | 0 | 0 | 1 | 0 |  |");
    expect(md).toContain("|  | SimpleRNN (`simple_rnn/*`) | 0 | 0 | 0 | 1 |  |");
  });

  it("says per route what it is, its timings, what the wrapper needed and the lowerings the passes and failures exercised", () => {
    expect(md).toContain("**toy-route** — toy → runtime. 1 of 4 pass; 1 fail, 1 unsupported, 1 errors. Version: toy 1.0.");
    expect(md).toContain("median per case: build 0.10 s, convert 1.50 s, run 2.0 ms");
    expect(md).toContain("What the wrapper needed: a signature.");
    expect(md).toContain("- lowering (read from the converted files): ONNX LSTM node — 1 passed, 1 failed");
  });

  it("gives each divergence what the converter does instead, the evidence from inside the converted model and the diagnosis", () => {
    const line = md.split("\n").find((l) => l.includes("`lstm/stateful/001`"))!;
    expect(line).toContain("what the converter does instead: freezes the state to zeros");
    expect(line).toContain("diagnosed as `stateful-not-carried`");
    expect(md).toContain("  - evidence, inside the converted model of `lstm/stateful/001` (lowering: ONNX LSTM node ×1 (opset 15, 4 nodes)): state evidence: LSTM initial_h = constant c [1, 2, 4] all zeros");
    expect(md).toContain("- 1 unsupported — the engine cannot express the case: tf2onnx refused: `gru/m/001`");
    expect(md).toContain('  - in its words: "tf2onnx refused: ValueError: no" (1)');
    expect(md).toContain("- 1 error — engine threw: boom: `simple_rnn/a/001`");
  });

  it("names every route of routes.ts once", () => {
    expect(new Set(ROUTES.map((r) => r.name)).size).toBe(ROUTES.length);
  });
});

describe("optionCell", () => {
  it("says kept only when every case that ran passed, lost with the count when any failed, refused when none ran", () => {
    expect(optionCell([verdict("a/1", "pass"), verdict("a/2", "pass"), verdict("a/3", "unsupported")])).toBe("kept (2); 1 refused");
    expect(optionCell([verdict("a/1", "pass"), verdict("a/2", "fail")])).toBe("**lost** in 1 of 2");
    expect(optionCell([verdict("a/1", "unsupported"), verdict("a/2", "unsupported")])).toBe("refused (2)");
    expect(optionCell([verdict("a/1", "pass"), verdict("a/2", "error")])).toBe("kept (1); 1 errors");
    expect(optionCell([])).toBe("—");
  });
});

describe("loweringKind and loweringSummary", () => {
  it("drop the counts and sizes that vary per case", () => {
    expect(loweringKind("lowering: ONNX Loop ×2, ReverseSequence ×1 (opset 15, 57 nodes)")).toBe("ONNX Loop + ReverseSequence");
    expect(loweringKind("lowering: fused UNIDIRECTIONAL_SEQUENCE_LSTM ×1 (9 ops)")).toBe("fused UNIDIRECTIONAL_SEQUENCE_LSTM");
    expect(loweringKind("lowering: WHILE ×1, variables: VAR_HANDLE ×2, ASSIGN_VARIABLE ×2, READ_VARIABLE ×2 (12 ops)")).toBe("WHILE + variables");
    expect(loweringKind("lowering: ONNX Loop ×1 (opset 15, 33 nodes); OpenVINO: TensorIterator ×1")).toBe("ONNX Loop + OpenVINO: TensorIterator");
  });

  it("counts only cases that ran (unsupported and errored cases exercised nothing)", () => {
    expect(loweringSummary(cases, toy.evidence)).toBe("ONNX LSTM node — 1 passed, 1 failed");
  });
});

describe("readEvidence", () => {
  it("keeps each case's first record (the runner's reruns for the first divergence come after it)", () => {
    const text = [evidence("a/001", "lowering: first"), evidence("a/001", "lowering: rerun")].map((e) => JSON.stringify(e)).join("\n");
    expect(readEvidence(text, "f.jsonl").get("a/001")?.lowering).toBe("lowering: first");
  });

  it("names the file, line and field of a bad record", () => {
    expect(() => readEvidence("{not json", "f.jsonl")).toThrow(/f\.jsonl:1: not JSON/);
    expect(() => readEvidence(JSON.stringify({ ...evidence("a", "l"), convert_s: "1" }), "f.jsonl")).toThrow(/f\.jsonl:1: field convert_s is not a number/);
    expect(() => readEvidence(JSON.stringify({ ...evidence("a", "l"), evidence: "x" }), "f.jsonl")).toThrow(/field evidence is not a list/);
  });
});
