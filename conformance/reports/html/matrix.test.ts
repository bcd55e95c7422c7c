import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../package-paths.ts";
import { VERDICT_WORDS } from "../../run-verdict.ts";
import { hostileResult } from "../../testing/hostile-run.ts";
import { countStatuses, type CaseVerdict, type SuiteResult } from "../../verdict.ts";
import { fromJsonReport } from "../json.ts";
import { toMatrixHtml } from "./matrix.ts";
import { toneOf } from "./tone.ts";

const RESULTS = join(packageRoot(), "results", "engines");
const files = readdirSync(RESULTS).filter((f) => f.endsWith(".json")).sort();
const committed = files.map((f) => fromJsonReport(readFileSync(join(RESULTS, f), "utf8"), f));

/** The family cells of the page: row family, column engine, tone class, the counts text and the link. */
function cells(page: string): { family: string; engine: number; tone: string; text: string; href: string | null }[] {
  const out: { family: string; engine: number; tone: string; text: string; href: string | null }[] = [];
  for (const row of page.matchAll(/<tr><th scope="row"><code>([^<]+)<\/code><\/th>(.*?)<\/tr>/g)) {
    [...row[2]!.matchAll(/<td class="cell (\w+)"[^>]*>(.*?)<\/td>/g)].forEach((m, engine) => {
      const href = /<a href="#([^"]+)">/.exec(m[2]!)?.[1] ?? null;
      out.push({ family: row[1]!, engine, tone: m[1]!, text: m[2]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim(), href });
    });
  }
  return out;
}

describe("the engine matrix", () => {
  const page = toMatrixHtml(committed, files);

  it("has a cell per family and engine of the committed results, each linking to its details", () => {
    const families = [...new Set(committed.flatMap((r) => r.cases.map((v) => v.family)))]; // a verdict's own family (gradient cases: lstm/gradients/<family>)
    const all = cells(page);
    expect(all).toHaveLength(families.length * committed.length);
    expect(new Set(all.map((c) => c.family))).toEqual(new Set(families));
    const ids = new Set([...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    for (const c of all) expect(ids.has(c.href!), `${c.family} / engine ${c.engine}: #${c.href}`).toBe(true);
  });

  it("each cell is its family's results: passed/cases and the tone of tone.ts", () => {
    for (const c of cells(page)) {
      const vs = committed[c.engine]!.cases.filter((v) => v.family === c.family);
      const counts = countStatuses(vs);
      expect(c.text.startsWith(`${counts.pass}/${vs.length}`), `${c.family} / ${files[c.engine]}: ${c.text}`).toBe(true);
      expect(c.tone).toBe(toneOf(counts));
    }
    const tfjs = files.indexOf("tfjs.json");
    expect(cells(page).find((c) => c.engine === tfjs && c.family === "gru/outputs")?.tone).toBe("unsupported");
  });

  it("each engine's verdict is its report's own, in the words of run-verdict.ts", () => {
    const heads = [...page.matchAll(/<th class="engine ([\w-]+)" scope="col">.*?<span class="small verdict-word">([^<]+)<\/span><\/th>/g)];
    expect(heads.map((m) => m[1])).toEqual(committed.map((r) => r.verdict));
    expect(heads.map((m) => m[2])).toEqual(committed.map((r) => `${VERDICT_WORDS[r.verdict]}, level ${r.level}`));
  });

  it("one failing case turns its cell red however many pass, and the details say why", () => {
    const reference = committed[files.indexOf("reference.json")]!;
    const broken: CaseVerdict = { ...reference.cases[0]!, status: "fail", message: "output 0 (output): max abs 1e-1 <b>bold</b>" };
    const result: SuiteResult = { ...reference, cases: [broken, ...reference.cases.slice(1)] };
    const one = toMatrixHtml([result]);
    const cell = cells(one).find((c) => c.family === broken.family)!;
    expect(cell.tone).toBe("fail");
    expect(one).toContain(`${broken.id}`);
    expect(one).toContain("max abs 1e-1 &lt;b&gt;bold&lt;/b&gt;");
    expect(cells(toMatrixHtml([reference])).find((c) => c.family === broken.family)!.tone).toBe("pass");
  });

  it("engine strings are escaped; two columns of one engine are told apart by their file", async () => {
    const hostile = await hostileResult();
    const two = toMatrixHtml([hostile, hostile], ["a.json", "b.json"]);
    expect(two).not.toMatch(/<script>alert|<img /);
    expect(two).toContain("evil&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(two).toMatch(/\(a\.json\)<\/h2>[\s\S]*\(b\.json\)<\/h2>/);
    expect(() => toMatrixHtml([])).toThrow(/at least one report/);
  });
});
