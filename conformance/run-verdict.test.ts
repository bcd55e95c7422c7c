import { describe, expect, it } from "vitest";
import { judgeRun, type RunInput } from "./run-verdict.ts";

const core = (status: string) => ({ status, core: true });
const other = (status: string) => ({ status, core: false });
const evidence = { status: "pass", evidence: true };
const trivial = { status: "pass", evidence: false };

function run(over: Partial<RunInput>): RunInput {
  return { cases: [core("pass"), other("pass")], properties: [evidence], loadErrors: [], strictExpectations: true, requiredLevel: "core", ...over };
}

describe("what a green run means (spec/adapter.md §4.3)", () => {
  it("evidence, nothing wrong, every case and an evidence property passed: CONFORMANT at level full, exit 0", () => {
    expect(judgeRun(run({}))).toMatchObject({ verdict: "conformant", level: "full", exitCode: 0, conformant: true, reasons: [] });
  });

  it("properties a trivial engine satisfies count toward no level", () => {
    expect(judgeRun(run({ properties: [trivial] }))).toMatchObject({ verdict: "conformant", level: "core", exitCode: 0 });
    expect(judgeRun(run({ properties: [] }))).toMatchObject({ level: "core" });
  });

  it("every case skipped or a known failure is NO EVIDENCE (exit 1), whatever --level says", () => {
    for (const requiredLevel of ["none", "core", "full"] as const) {
      for (const cases of [[core("skip"), other("skip")], [core("known-failure")], [other("unsupported")], []]) {
        expect(judgeRun(run({ cases, requiredLevel }))).toMatchObject({ verdict: "no-evidence", exitCode: 1, conformant: false });
      }
    }
  });

  it("property results alone are no evidence", () => {
    expect(judgeRun(run({ cases: [], properties: [evidence] }))).toMatchObject({ verdict: "no-evidence", exitCode: 1 });
  });

  it("a run that meets its expectations without reaching core is AS EXPECTED, exit 1 unless --level none", () => {
    const cases = [core("known-failure"), other("pass")];
    expect(judgeRun(run({ cases }))).toMatchObject({ verdict: "as-expected", level: "none", exitCode: 1, conformant: false });
    expect(judgeRun(run({ cases, requiredLevel: "none" }))).toMatchObject({ verdict: "as-expected", exitCode: 0, conformant: false });
    expect(judgeRun(run({ cases: [other("pass")] })).reasons[0]).toMatch(/no core case was selected/);
  });

  it("a failure, an error, an unexpected pass (strict), a failed property or an unsupported core case is NOT CONFORMANT", () => {
    for (const over of [
      { cases: [core("pass"), other("fail")] },
      { cases: [core("pass"), other("error")] },
      { cases: [core("pass"), other("unexpected-pass")] },
      { properties: [evidence, { status: "fail", evidence: false }] },
      { properties: [{ status: "error", evidence: true }] },
      { cases: [core("unsupported"), other("pass")] },
    ]) {
      expect(judgeRun(run({ ...over, requiredLevel: "none" }))).toMatchObject({ verdict: "not-conformant", exitCode: 1, conformant: false });
    }
    expect(judgeRun(run({ cases: [core("pass"), other("unexpected-pass")], strictExpectations: false }))).toMatchObject({ verdict: "conformant", level: "core" });
  });

  it("a fixture that did not load makes the run red with exit 2, even when every case passed", () => {
    expect(judgeRun(run({ loadErrors: ["a.json: /cases/0/units: must be integer"] }))).toMatchObject({ verdict: "not-conformant", exitCode: 2, conformant: false });
  });

  it("--level full on a core-level run is exit 1 with the reason", () => {
    const j = judgeRun(run({ properties: [], requiredLevel: "full" }));
    expect(j).toMatchObject({ verdict: "conformant", level: "core", exitCode: 1 });
    expect(j.reasons).toEqual(["--level full required, reached core"]);
  });
});
