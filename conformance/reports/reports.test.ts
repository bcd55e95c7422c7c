import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import type { FixtureCase, LayerCase } from "../case.ts";
import type { Engine, EngineOutputs } from "../engine.ts";
import { parseExpectations } from "../expectations.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { specFile } from "../package-paths.ts";
import { runSuite } from "../runner.ts";
import { tinyCase, tinyFixtureFile, writeTinyCorpus } from "../testing/tiny-fixture.ts";
import type { SuiteResult } from "../verdict.ts";
import { toBadge } from "./badge.ts";
import { formatConsoleReport } from "./console.ts";
import { fromJsonReport, toJsonReport } from "./json.ts";
import { toJunitXml } from "./junit.ts";
import { toMarkdown } from "./markdown.ts";
import { MergeError, mergeResults } from "./merge.ts";
import { corpusCases, lstmOnly } from "../mutants/gallery-cases.ts";
import { engine as gateOrderIofc } from "../mutants/gate-order-iofc.ts";
import type { CaseVerdict, Diagnosis } from "../verdict.ts";

/** A result with every status: pass, fail (NaN), error, unsupported, skip, known-failure, unexpected-pass, and properties. */
async function mixedResult(): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), "krc-rep-"));
  writeTinyCorpus(dir, {
    "a.json": tinyFixtureFile("t/a", [
      tinyCase({ id: "t/a/pass/001" }),
      tinyCase({ id: "t/a/nan/001" }),
      tinyCase({ id: "t/a/throws/001" }),
      tinyCase({ id: "t/a/backwards/001", goBackwards: true }),
    ]),
    "b.json": tinyFixtureFile("t/b", [tinyCase({ id: "t/b/skip/001" }), tinyCase({ id: "t/b/known/001" }), tinyCase({ id: "t/b/fixed/001" })]),
  });
  const { cases } = loadFixtureDir(dir);
  const byId = new Map<string, FixtureCase>(cases.map((c) => [c.id, c]));
  const engine: Engine = {
    name: "mixed",
    version: "0.0.1",
    features: ["activation:tanh", "recurrent_activation:sigmoid"],
    run(c: LayerCase): EngineOutputs {
      if (c.id.includes("throws")) throw new Error("<boom> & \"quotes\"");
      const out = byId.get(c.id)!.expected.map((e) => e.outputs.map((t) => ({ shape: [...t.shape], data: Float32Array.from(t.data) })));
      if (c.id.includes("nan") || c.id.includes("known")) out[0]![0]!.data[1] = NaN;
      return out;
    },
  };
  const { expectations } = parseExpectations("t/b/skip skip not ours\nt/b/known fail known bug\nt/b/fixed fail was broken", "exp.txt");
  const result = await runSuite(engine, cases, { diagnose: false, expectations });
  return {
    ...result,
    properties: [
      { id: "property/batch-rows-independent", status: "pass", runs: 10, seed: 1, referenceChecked: false, evidence: false, specSection: "spec/lstm.md §5" },
      { id: "property/reference-agreement", status: "fail", runs: 3, seed: 1, referenceChecked: true, evidence: true, specSection: "spec/lstm.md §2", message: "differs", counterexample: { id: "x/001" } },
      {
        id: "property/masked-step-holds-state", status: "known-failure", runs: 4, seed: 1, referenceChecked: false, evidence: false, specSection: "spec/lstm.md §3.5.2",
        message: "known failure (zeros past the length): differs", expectation: { kind: "fail", pattern: "property/masked-step-holds-state", reason: "zeros past the length" },
      },
    ],
  };
}

let result: SuiteResult;
beforeAll(async () => {
  result = await mixedResult();
});

describe("reports", () => {
  it("the run has every status", () => {
    expect(result.cases.map((v) => [v.id, v.status])).toEqual([
      ["t/a/pass/001", "pass"],
      ["t/a/nan/001", "fail"],
      ["t/a/throws/001", "error"],
      ["t/a/backwards/001", "unsupported"],
      ["t/b/skip/001", "skip"],
      ["t/b/known/001", "known-failure"],
      ["t/b/fixed/001", "unexpected-pass"],
    ]);
  });

  it("JSON validates against spec/report.schema.json, including non-finite numbers, and reads back", () => {
    const schema = JSON.parse(readFileSync(specFile("report.schema.json"), "utf8")) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const text = toJsonReport(result);
    const json: unknown = JSON.parse(text);
    expect(validate(json), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(text).toContain('"maxAbs": "Infinity"');
    const back = fromJsonReport(text);
    expect(back.cases[1]!.maxAbs).toBe(Infinity);
    expect(back.counts).toEqual(result.counts);
    // The schema is not vacuous: a wrong status is refused.
    const broken = JSON.parse(text) as { cases: { status: string }[] };
    broken.cases[0]!.status = "passed";
    expect(validate(broken)).toBe(false);
  });

  it("JUnit XML parses and counts failures, errors and skips as CI systems do", () => {
    const xml = toJunitXml(result);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as {
      testsuites: { tests: string; failures: string; errors: string; skipped: string; testsuite: { name: string; tests: string; testcase: unknown[] }[] };
    };
    const s = parsed.testsuites;
    // 7 cases + 3 properties; failures: nan, unexpected-pass, failing property; errors: throws; skipped: unsupported, skip, known, known property.
    expect([s.tests, s.failures, s.errors, s.skipped]).toEqual(["10", "3", "1", "4"]);
    expect(s.testsuite.map((t) => [t.name, t.tests])).toEqual([["t/a", "4"], ["t/b", "3"], ["property", "3"]]);
    expect(xml).toContain("&lt;boom&gt; &amp; &quot;quotes&quot;");
  });

  it("Markdown has the verdict, the family table and each problem", () => {
    const md = toMarkdown(result);
    expect(md).toMatch(/^## ❌ Keras LSTM conformance: mixed 0\.0\.1/);
    expect(md).toContain("| t/a | 1 | 1 | 1 | 1 | 0 | 0 | Inf |");
    expect(md).toContain("<code>t/a/nan/001</code> — fail");
    expect(md).toContain("`property/reference-agreement`");
  });

  it("the badge is a shields endpoint", () => {
    expect(toBadge(result)).toEqual({ schemaVersion: 1, label: "Keras LSTM conformance", message: "failing · 1/7 passed", color: "red" });
  });

  it("the console summary has the table, the level and the reproduction", () => {
    const text = formatConsoleReport(result);
    expect(text).toMatch(/family\s+passed\s+failed\s+unsupported\s+errors\s+skipped\s+known\s+worst abs err/);
    expect(text).toMatch(/^t\/b\s+0\s+1\s+0\s+0\s+1\s+1/m);
    expect(text).toContain("reproduce: npx keras-rnn-conformance --engine mixed --filter t/a/nan/001");
    expect(text).toContain("Conformance level: none");
    expect(text).toContain("1 case(s) unsupported; the engine lacks: go_backwards (1)");
    expect(text).toMatch(/NOT CONFORMANT/);
  });

  it("the verdict line counts properties by status, so an unsupported one is not read as ok", () => {
    expect(formatConsoleReport(result)).toContain("properties: 1 passed, 1 failed, 1 known failures of 3");
    const unsupported = { ...result, properties: [{ ...result.properties[0]!, status: "unsupported" as const }] };
    expect(formatConsoleReport(unsupported)).toContain("properties: 1 unsupported of 1");
  });

  it("a run that meets its expectations at no level says so, never CONFORMANT", () => {
    const noCore = { ...result, cases: result.cases.map((c) => ({ ...c, core: false })), verdict: "as-expected" as const, level: "none" as const };
    expect(formatConsoleReport(noCore)).toContain("AS EXPECTED, NOT CONFORMANT — level none (no core case was selected)");
    const knownCore = { ...result, verdict: "as-expected" as const, level: "none" as const };
    expect(formatConsoleReport(knownCore)).toMatch(/AS EXPECTED, NOT CONFORMANT — level none \(\d core case\(s\) .*known-failure/);
    expect(toBadge({ ...knownCore, exitCode: 1 })).toMatchObject({ message: "no level · 1/7 passed", color: "red" });
  });

  it("merging shard results gives the counts of the whole", () => {
    const half = (keep: (i: number) => boolean, index: number): SuiteResult => ({
      ...result,
      cases: result.cases.filter((_, i) => keep(i)),
      // as the CLI runs them: properties in shard 1 only
      properties: index === 1 ? result.properties : [],
      selection: { ...result.selection, shard: { index, count: 2 } },
    });
    const merged = mergeResults([fromJsonReport(toJsonReport(half((i) => i % 2 === 0, 1))), fromJsonReport(toJsonReport(half((i) => i % 2 === 1, 2)))]);
    expect(merged.counts).toEqual(result.counts);
    expect(merged.conformant).toBe(false);
    expect(merged.selection.shard).toBeNull();
    expect(() => mergeResults([half((i) => i % 2 === 0, 1)])).toThrow(MergeError);
  });
});

describe("summaries first: failures grouped by diagnosis (spec/adapter.md §4.2)", () => {
  const iofc: Diagnosis = { hypothesis: "gate-order:iofc", explanation: "your engine matches Keras if the gate blocks are read as i,o,f,c <ONNX>", maxAbs: 0.1 };
  /** `result` with its one failure replaced by 50 failures of one diagnosis and 3 undiagnosed ones (plus its error and unexpected pass). */
  function manyFailures(): SuiteResult {
    const fail = result.cases.find((v) => v.status === "fail")!;
    const copy = (k: number, diagnosis: Diagnosis | null): CaseVerdict => {
      const id = `t/a/${diagnosis ? "many" : "odd"}/${String(k).padStart(3, "0")}`;
      return { ...fail, id, reproduce: `npx keras-rnn-conformance --engine mixed --filter ${id}`, diagnosis };
    };
    const others = result.cases.filter((v) => v.status !== "fail");
    return { ...result, cases: [...Array.from({ length: 50 }, (_, k) => copy(k + 1, iofc)), ...Array.from({ length: 3 }, (_, k) => copy(k + 1, null)), ...others] };
  }

  it("the console opens with the groups, then shows a few of each in full and counts the rest", () => {
    const text = formatConsoleReport(manyFailures());
    expect(text.startsWith("Failures by diagnosis:\n  50 of 55 failing cases: gate-order:iofc\n    your engine matches Keras if the gate blocks are read as i,o,f,c <ONNX>\n")).toBe(true);
    expect(text).toContain("\n  3 of 55 failing cases: undiagnosed\n");
    expect(text).toContain("\n  1 of 55 failing cases: errors\n");
    expect(text).toContain("\n  1 of 55 failing cases: unexpected passes\n");
    expect(text.match(/^FAIL t\/a\/many\//gm)).toHaveLength(3);
    expect(text).toContain("… and 47 more with the diagnosis gate-order:iofc (see --report json): t/a/many (47)");
  });

  it("the console lists known failures, unsupported and skipped cases with their reasons", () => {
    const text = formatConsoleReport(result);
    expect(text).toContain("1 known failure(s), listed in the expectations file:\n  1 — known bug: t/b/known (1)");
    expect(text).toContain("1 case(s) unsupported; the engine lacks: go_backwards (1)\n  1 — needs a feature the engine does not declare: go_backwards: t/a/backwards (1)");
    expect(text).toContain("1 case(s) skipped by the expectations file:\n  1 — not ours: t/b/skip (1)");
  });

  it("Markdown opens with the groups, folds a few cases of each and lists the rest by name, in a few KB", () => {
    const md = toMarkdown(manyFailures());
    const afterVerdict = md.split("\n\n")[3]!;
    expect(afterVerdict.split("\n")).toEqual([
      "- **50 of 55 failing cases: gate-order:iofc** — your engine matches Keras if the gate blocks are read as i,o,f,c &lt;ONNX&gt;",
      "- **3 of 55 failing cases: undiagnosed**",
      "- **1 of 55 failing cases: errors**",
      "- **1 of 55 failing cases: unexpected passes**",
    ]);
    // two of each group in full, the rest named
    expect(md.match(/<details><summary><code>t\/a\/many\//g)).toHaveLength(2);
    expect(md).toContain("<details><summary>48 more</summary>\n\n<code>t/a/many</code> (48)\n\n</details>");
    expect(md.length).toBeLessThan(8000);
  });

  it("Markdown lists known failures, unsupported and skipped cases with their reasons", () => {
    const md = toMarkdown(result);
    expect(md).toContain("### Known failures (1)\n\n- 1 — known bug: <code>t/b/known</code> (1)");
    expect(md).toContain("### Unsupported (1)\n\n- 1 — needs a feature the engine does not declare: go&#95;backwards: <code>t/a/backwards</code> (1)");
    expect(md).toContain("### Skipped (1)\n\n- 1 — not ours: <code>t/b/skip</code> (1)");
  });

  it("a reason from the expectations file is escaped like engine text", () => {
    const evil = "<img src=x onerror=alert(1)> | `x` \u001b[31m# CONFORMANT";
    const known = result.cases.map((v) => (v.expectation && v.status === "known-failure" ? { ...v, expectation: { ...v.expectation, reason: evil } } : v));
    const md = toMarkdown({ ...result, cases: known });
    expect(md).toContain("- 1 — &lt;img src=x onerror=alert(1)&gt; &#124; &#96;x&#96; &#35; CONFORMANT: <code>t/b/known</code> (1)");
    expect(md).not.toContain("<img");
    const text = formatConsoleReport({ ...result, cases: known });
    expect(text).toContain("  1 — <img src=x onerror=alert(1)> | `x` # CONFORMANT: t/b/known (1)");
    expect(text).not.toContain("\u001b");
  });

  it("one mistake over the whole corpus: the Markdown report is a few KB, not one block per case", async () => {
    const { cases } = corpusCases("fixtures");
    const lstm = lstmOnly(cases);
    const run = await runSuite(gateOrderIofc, lstm);
    const md = toMarkdown(run);
    const failing = run.cases.filter((v) => v.status === "fail").length;
    console.log(`Markdown for mutant:gate-order-iofc over ${lstm.length} corpus cases: ${md.length} characters`);
    expect(failing).toBe(lstm.length);
    expect(md).toContain(`- **${failing} of ${failing} failing cases: gate-order:iofc** — your engine matches Keras if the gate blocks are read as i,o,f,c`);
    expect(md.match(/<details>/g)!.length).toBeLessThanOrEqual(3);
    expect(md.length).toBeLessThan(8000);
  });
});
