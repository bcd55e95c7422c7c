import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../package-paths.ts";
import { main } from "./report.ts";

const reference = join(packageRoot(), "results", "engines", "reference.json");
const tfjs = join(packageRoot(), "results", "engines", "tfjs.json");

async function report(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("keras-rnn-conformance report", () => {
  it("writes the engine matrix of several reports, and the HTML report of one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "krc-report-"));
    const matrix = await report("--matrix", reference, tfjs, "--out", join(dir, "m", "matrix.html"));
    expect(matrix).toMatchObject({ code: 0, err: "" });
    expect(readFileSync(join(dir, "m", "matrix.html"), "utf8")).toContain("2 engine(s) × ");
    const one = await report(reference);
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/<h1 class="verdict">CONFORMANT — level core<\/h1>/);
  });

  it("refuses what it cannot do, saying what and why (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "krc-report-"));
    writeFileSync(join(dir, "old.json"), JSON.stringify({ reportVersion: 1 }));
    expect(await report()).toMatchObject({ code: 2, err: expect.stringMatching(/at least one JSON report/) });
    expect(await report(reference, tfjs)).toMatchObject({ code: 2, err: expect.stringMatching(/2 reports given: .*--matrix/) });
    expect(await report(join(dir, "missing.json"))).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read report .*missing\.json/) });
    expect(await report("--matrix", join(dir, "old.json"))).toMatchObject({ code: 2, err: expect.stringMatching(/old\.json: not a keras-rnn-conformance JSON report of version 2/) });
    expect(await report("--matrix", reference, "--out", dir)).toMatchObject({ code: 2, err: expect.stringMatching(/cannot write/) });
    expect(await report("--bogus")).toMatchObject({ code: 2, err: expect.stringMatching(/--bogus/) });
    expect((await report("--help")).out).toMatch(/^Usage: keras-rnn-conformance report/);
  });
});

describe("--report html through the CLI", () => {
  it("a failing run writes the page next to its other reports, with the run's verdict", async () => {
    const { main: cli } = await import("../cli.ts");
    const dir = mkdtempSync(join(tmpdir(), "krc-report-"));
    let err = "";
    const code = await cli(["--engine", "mutant:gate-order-iofc", "--fixtures", join(packageRoot(), "fixtures", "keras3", "lstm", "worked_example.json"), "--properties", "0", "--report", "html", "--out", join(dir, "r.html"), "--report", "json", "--out", join(dir, "r.json")], {
      out: () => undefined,
      err: (t) => (err += t),
      isTTY: false,
    });
    expect(code, err).toBe(1);
    const html = readFileSync(join(dir, "r.html"), "utf8");
    expect(html).toMatch(/<h1 class="verdict">NOT CONFORMANT — level none<\/h1>/);
    expect(html.match(/<section class="case"/g)).toHaveLength(1);
    expect(html).toContain("<svg");
    // the JSON report carries the detail the page was drawn from, and `report` redraws the same cards from it
    const again = await report(join(dir, "r.json"));
    expect(again.out.match(/<section class="case"/g)).toHaveLength(1);
    const detail = (JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as { cases: { detail: { grids: { outputName: string }[] } }[] }).cases[0]!.detail;
    expect(detail.grids.map((g) => g.outputName)).toEqual(["output", "h", "c"]);
  });
});
