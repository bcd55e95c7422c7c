import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
    expect(await cli("--bogus")).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option --bogus \(see --help\)/) });
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
    const out = tmp();
    const r = await cli("--fixtures", dir, "--properties", "0", "--no-diagnose", "--report", "json", "--out", join(out, "r.json"), "--report", "badge", "--out", join(out, "b.json"));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/fixture error: .*u\.json: not valid JSON/);
    expect(r.out).toMatch(/^t\s+0\s+1/m); // the good case ran (and failed: tiny cases hold random values)
    // the load error is in every report, and merging that report is not green either (spec/adapter.md §4.3)
    const report = fromJsonReport(readFileSync(join(out, "r.json"), "utf8"));
    expect(report).toMatchObject({ conformant: false, exitCode: 2 });
    expect(report.loadErrors[0]).toMatch(/u\.json: not valid JSON/);
    expect(JSON.parse(readFileSync(join(out, "b.json"), "utf8"))).toMatchObject({ color: "red" });
    expect((await cli("merge", join(out, "r.json"))).code).toBe(2);
  });

  it("a load error with every loaded case passing is still exit 2 and red", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "lstm"));
    writeFileSync(join(dir, "lstm", "broken.json"), "{ broken");
    const out = join(tmp(), "r.json");
    const r = await cli("--fixtures", join(import.meta.dirname, "..", "fixtures", "keras3", "lstm", "outputs.json"), "--fixtures", dir, "--properties", "0", "--report", "json", "--out", out);
    expect(r.code).toBe(2);
    const report = fromJsonReport(readFileSync(out, "utf8"));
    expect(report.counts.pass).toBe(report.cases.length);
    expect(report).toMatchObject({ verdict: "not-conformant", conformant: false, exitCode: 2 });
  });

  it("skipping everything is never green: NO EVIDENCE, exit 1, red badge", async () => {
    const dir = tmp();
    // every case of every cell skipped
    const every = "lstm skip not today\ngru skip not today\nsimple_rnn skip not today\nbidirectional skip not today\n";
    writeFileSync(join(dir, "skip-lstm.txt"), every);
    writeFileSync(join(dir, "skip-all.txt"), `${every}property/agrees-with-reference skip slow\n`);
    const ref = await cli("--properties", "0", "--expectations", join(dir, "skip-lstm.txt"), "--report", "badge", "--out", join(dir, "b.json"));
    expect(ref.code).toBe(1);
    expect(ref.out).toMatch(/^NO EVIDENCE, NOT CONFORMANT — level none — 0 passed/m);
    expect(JSON.parse(readFileSync(join(dir, "b.json"), "utf8"))).toMatchObject({ message: expect.stringMatching(/^no evidence/), color: "red" });
    // an all-zeros engine with the one property that always catches it skipped: the rest (fixture-anchored) catch it, or nothing is shown
    const zeros = await cli("--engine", join(import.meta.dirname, "mutants", "hostile", "zeros.ts"), "--properties", "20", "--expectations", join(dir, "skip-all.txt"), "--level", "none");
    expect(zeros.code).toBe(1);
    expect(zeros.out).not.toMatch(/^CONFORMANT/m);
    expect((await cli("--filter", "property/agrees-with-reference", "--properties", "5")).code).toBe(1); // properties alone are no evidence
  });

  it("a run at no level is AS EXPECTED, exit 1, unless --level none", async () => {
    const masking = ["--filter", "lstm/masking/end", "--properties", "0"];
    const r = await cli(...masking);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^AS EXPECTED, NOT CONFORMANT — level none \(no core case was selected\)/m);
    expect((await cli(...masking, "--level", "none")).code).toBe(0);
  });

  it("an unknown option names the closest known one", async () => {
    expect(await cli("--filtr", "lstm")).toMatchObject({ code: 2, err: "keras-rnn-conformance: unknown option --filtr; did you mean --filter? (see --help)\n" });
  });

  it("checks --out targets and --timeout before running anything", async () => {
    const dir = tmp();
    const started = performance.now();
    expect(await cli("--report", "json", "--out", dir)).toMatchObject({ code: 2, err: expect.stringMatching(/--out .* is a directory/) });
    expect(await cli("--report", "json", "--out", join(dir, "a.json"), "--report", "junit", "--out", join(dir, "a.json"))).toMatchObject({ code: 2, err: expect.stringMatching(/given twice/) });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await cli("--timeout", String(2 ** 31))).toMatchObject({ code: 2, err: expect.stringMatching(/--timeout must be between 1 and 2147481647 ms/) });
    expect(await cli("--timeout", "0")).toMatchObject({ code: 2 });
  });

  it("merge refuses an incomplete or repeated set of shards (exit 1) and judges the whole at --level core", async () => {
    const dir = tmp();
    const shard = async (k: number) => {
      const out = join(dir, `s${k}.json`);
      await cli(...FAST, "--shard", `${k}/4`, "--report", "json", "--out", out);
      return out;
    };
    const s1 = await shard(1);
    expect(await cli("merge", s1)).toMatchObject({ code: 1, err: expect.stringMatching(/shard 2\/4, 3\/4, 4\/4 missing/) });
    expect(await cli("merge", s1, s1)).toMatchObject({ code: 1, err: expect.stringMatching(/given more than once/) });
    const all = [s1, await shard(2), await shard(3), await shard(4)];
    expect((await cli("merge", ...all)).code).toBe(0);
    expect((await cli("merge", ...all, "--level", "full")).code).toBe(1);
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
