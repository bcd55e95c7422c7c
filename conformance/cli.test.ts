import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { HELP_TEXT } from "./cli-help.ts";
import { main, type CliIO } from "./cli.ts";
import { fromJsonReport } from "./reports/json.ts";
import { tinyCase, tinyFixtureFile, writeTinyCorpus } from "./testing/tiny-fixture.ts";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const io: CliIO = { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const tmp = () => mkdtempSync(join(tmpdir(), "krc-cli-"));
const FAST = ["--properties", "0", "--filter", "lstm/outputs"];

describe("keras-rnn-conformance CLI", () => {
  it("--help prints the help text", async () => {
    expect(await cli("--help")).toMatchObject({ code: 0, out: HELP_TEXT });
  });

  it("the reference is conformant; JSON and JUnit reports are written", async () => {
    const dir = tmp();
    // The JUnit report goes to a folder that does not exist yet, as in a fresh CI checkout.
    const r = await cli(...FAST, "--report", "json", "--out", join(dir, "r.json"), "--report", "junit", "--out", join(dir, "new", "r.xml"));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/CONFORMANT — level core/);
    const report = fromJsonReport(readFileSync(join(dir, "r.json"), "utf8"));
    expect(report.counts.pass).toBeGreaterThan(0);
    expect(report.counts.pass).toBe(report.cases.length);
    expect(readFileSync(join(dir, "new", "r.xml"), "utf8")).toMatch(/^<\?xml/);
  });

  it("harness mutants are selected by their gallery name", async () => {
    const r = await cli(...FAST, "--engine", "mutant:harness/nan", "--no-diagnose");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/non-finite/);
  });

  it("a mutant is not conformant (exit 1) and its failures carry a reproduction", async () => {
    const r = await cli(...FAST, "--engine", "mutant:gate-order-iofc", "--no-diagnose");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/reproduce: npx keras-rnn-conformance --engine mutant:gate-order-iofc --filter lstm\/outputs\//);
    expect(r.out).toMatch(/NOT CONFORMANT/);
  });

  it("loads a .ts engine module without a build step, as default, engine or createEngine()", async () => {
    const dir = tmp();
    const reference = pathToFileURL(join(process.cwd(), "conformance/engines/reference.ts")).href;
    writeFileSync(join(dir, "mine.ts"), `import { referenceEngine } from "${reference}";\nconst n: number = 1;\nexport function createEngine() { return { ...referenceEngine, name: "mine" + n }; }\n`);
    const r = await cli(...FAST, "--engine", join(dir, "mine.ts"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^engine: mine1 0\.1\.0/m);
    writeFileSync(join(dir, "bad.ts"), `export const engine = { name: "x" };\n`);
    const bad = await cli(...FAST, "--engine", join(dir, "bad.ts"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/export `engine` is not an engine: it has no string `version`/);
  });

  it("usage and load errors exit 2 with a message", async () => {
    expect(await cli("--bogus")).toMatchObject({ code: 2, err: expect.stringMatching(/Unknown option '--bogus'/) });
    expect(await cli("--engine", "nope")).toMatchObject({ code: 2, err: expect.stringMatching(/unknown engine "nope"/) });
    expect(await cli("--engine", "./missing.ts")).toMatchObject({ code: 2, err: expect.stringMatching(/engine module \.\/missing\.ts not found/) });
    expect(await cli("--fixtures", "/nonexistent/dir")).toMatchObject({ code: 2, err: expect.stringMatching(/not a directory/) });
    expect(await cli("--filter", "lstm/nothing-here", "--properties", "0")).toMatchObject({ code: 2, err: expect.stringMatching(/--filter lstm\/nothing-here matches no case and no property/) });
    expect(await cli("--filter", "property/no-such-property")).toMatchObject({ code: 2, err: expect.stringMatching(/--filter property\/no-such-property matches no case and no property/) });
    expect(await cli("--shard", "3/2")).toMatchObject({ code: 2, err: expect.stringMatching(/^keras-rnn-conformance: --shard must be k\/n/) });
    expect(await cli("--engine", "mutant:nope")).toMatchObject({ code: 2, err: expect.stringMatching(/no mutant named "nope"; mutants: gate-order-iofc/) });
    expect(await cli("frobnicate")).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "frobnicate"/) });
    expect(await cli("--report", "pdf")).toMatchObject({ code: 2 });
  });

  it("runs the good cases of a corpus with a malformed file, and exits 2", async () => {
    const dir = tmp();
    writeTinyCorpus(dir, { "t.json": tinyFixtureFile("t", [tinyCase({ id: "t/001" })]) });
    writeFileSync(join(dir, "u.json"), "{ broken");
    const r = await cli("--fixtures", dir, "--properties", "0", "--no-diagnose");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/fixture error: .*u\.json: not valid JSON/);
    expect(r.out).toMatch(/^t\s+0\s+1/m); // the good case ran (and failed: tiny cases hold random values)
  });

  it("--list shows the selected cases with their features", async () => {
    const r = await cli("--list", "--filter", "lstm/outputs", "--properties", "0");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lstm\/outputs\/\S+\/\d{3} {2}activation:tanh/m);
    expect(r.out).toMatch(/^\d+ case\(s\)$/m);
  });

  it("shards partition the cases, and merge joins their reports", async () => {
    const dir = tmp();
    const shards = [];
    for (const k of [1, 2, 3]) {
      const out = join(dir, `s${k}.json`);
      const r = await cli(...FAST, "--shard", `${k}/3`, "--report", "json", "--out", out);
      if (r.code === 2) continue; // an empty shard
      shards.push(out);
    }
    const whole = await cli(...FAST, "--list");
    const total = Number(/^(\d+) case/m.exec(whole.out)![1]);
    const merged = join(dir, "merged.json");
    const m = await cli("merge", ...shards, "--report", "json", "--out", merged);
    expect(m.code).toBe(0);
    const result = fromJsonReport(readFileSync(merged, "utf8"));
    expect(result.cases.length).toBe(total);
    expect(new Set(result.cases.map((c) => c.id)).size).toBe(total);
  });

  it("an expectations file with a missing reason is a usage error", async () => {
    const file = join(tmp(), "exp.txt");
    writeFileSync(file, "lstm/outputs fail\n");
    const r = await cli(...FAST, "--expectations", file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exp\.txt:1: "lstm\/outputs fail" needs a reason/);
  });
});
