/**
 * The gallery of hostile in-process engines (conformance/mutants/hostile/), each run through the
 * CLI as a user would (`--engine <module>`, so in a worker thread, spec/adapter.md §1.1), each with
 * the verdict it must get. Every requested report must be written, and none may be green for an
 * engine that did not answer correctly.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../cli.ts";
import { fromJsonReport } from "../reports/json.ts";
import type { SuiteResult } from "../verdict.ts";

const ONE_CASE = "lstm/sizes/input_dim_1/001";
const TWO_CASES = ["--filter", ONE_CASE, "--filter", "lstm/sizes/batch_8/002"];

interface Run {
  readonly code: number;
  readonly err: string;
  readonly report: SuiteResult;
  readonly badge: { message: string; color: string };
  readonly seconds: number;
}

async function runHostile(name: string, ...extra: string[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "krc-hostile-"));
  let err = "";
  const io: CliIO = { out: () => undefined, err: (t) => void (err += t), isTTY: false };
  const started = performance.now();
  const code = await main(
    ["--engine", join(import.meta.dirname, "hostile", `${name}.ts`), "--properties", "0", "--no-diagnose", "--report", "json", "--out", join(dir, "r.json"), "--report", "badge", "--out", join(dir, "badge.json"), ...extra],
    io,
  );
  const seconds = (performance.now() - started) / 1000;
  expect(existsSync(join(dir, "r.json")), `the JSON report of ${name} must be written; stderr: ${err}`).toBe(true);
  return { code, err, report: fromJsonReport(readFileSync(join(dir, "r.json"), "utf8")), badge: JSON.parse(readFileSync(join(dir, "badge.json"), "utf8")) as Run["badge"], seconds };
}

/** Not green, in every way a CI gate could read it. */
function expectRed(r: Run, status: "error" | "fail", message: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.report).toMatchObject({ conformant: false, exitCode: 1, verdict: "not-conformant" });
  expect(r.badge.color).toBe("red");
  for (const v of r.report.cases) {
    expect(v.status).toBe(status);
    expect(v.message).toMatch(message);
  }
}

describe("hostile in-process engines get the right verdict, and every report is written", () => {
  it("process.exit(0) inside run: an error per case, exit 1", async () => {
    const r = await runHostile("exit-zero", ...TWO_CASES);
    expectRed(r, "error", /ended its worker thread \(process\.exit\(0\)/);
    expect(r.report.cases).toHaveLength(2);
  });

  it("patching Math.abs and Number.isFinite while returning zeros: a failure, the judge's globals untouched", async () => {
    const r = await runHostile("patches-globals", ...TWO_CASES);
    expectRed(r, "fail", /max abs/);
    expect(Math.abs(-1)).toBe(1);
    expect(Number.isFinite(Infinity)).toBe(false);
  });

  it("a synchronous endless loop is stopped by the case timeout and the run goes on", async () => {
    const r = await runHostile("sync-hang", ...TWO_CASES, "--timeout", "700");
    expectRed(r, "error", /took more than 700 ms; the engine's worker was stopped/);
    expect(r.seconds).toBeLessThan(10);
  }, 20_000);

  it.each([
    ["throws-null-prototype", /^engine threw: a non-Error object with no prototype$/],
    ["throwing-getter", /^the engine's outputs cannot be read as plain data \(a non-Error object with no prototype\)/],
    ["proxy-outputs", /^the engine's outputs cannot be read as plain data \(DataCloneError: .* could not be cloned/],
    ["cyclic-outputs", /output|tensor/i],
  ])("%s: an error verdict with a readable message", async (name, message) => {
    const r = await runHostile(name, "--filter", ONE_CASE);
    expect(r.code).toBe(1);
    expect(r.report.cases[0]!.status).toMatch(/^(error|fail)$/);
    expect(r.report.cases[0]!.message).toMatch(message);
    expect(r.badge.color).toBe("red");
  });

  it("fake Float32Arrays: not outputs", async () => {
    const r = await runHostile("fake-typed-array", "--filter", ONE_CASE);
    expect(r.code).toBe(1);
    expect(r.report.cases[0]!.status).toMatch(/^(error|fail)$/);
    expect(r.report.cases[0]!.message).toMatch(/Float32Array/);
  });

  it.each(["background-throw", "unhandled-rejection"])("%s during a case fails that case; the run goes on", async (name) => {
    const r = await runHostile(name, ...TWO_CASES);
    expectRed(r, "error", /threw outside run\(\)|background/);
    expect(r.report.cases).toHaveLength(2);
  });

  it.each(["close-throws", "close-never-settles", "close-hangs"])("%s: the reports are written first, with the engine's verdict", async (name) => {
    const r = await runHostile(name, "--filter", ONE_CASE);
    expect(r.report.cases[0]!.status).toBe("pass");
    expect(r.err).toMatch(/close\(\)/);
    expect(r.seconds).toBeLessThan(15);
  }, 30_000);
});
