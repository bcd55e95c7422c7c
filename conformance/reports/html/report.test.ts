import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { RUN_VERDICTS, VERDICT_WORDS } from "../../run-verdict.ts";
import { HOSTILE_NAME, hostileResult } from "../../testing/hostile-run.ts";
import type { SuiteResult } from "../../verdict.ts";
import { chartRenderer, ratioBucket, type ChartRenderer } from "./charts.ts";
import { toHtmlReport } from "./report.ts";

let result: SuiteResult;
let renderer: ChartRenderer;
let html: string;
beforeAll(async () => {
  result = await hostileResult();
  renderer = await chartRenderer();
  html = await toHtmlReport(result, { charts: renderer });
});

/** The page's text with its one script element and the SVG charts removed. */
const withoutOurs = (page: string): string => page.replace(/<script>[\s\S]*?<\/script>/, "").replace(/<svg[\s\S]*?<\/svg>/g, "");

/** Every tag of the page as the browser's tokenizer sees one: a raw `<` and a letter (escaped text has `&lt;`). */
const rawTags = (page: string): { name: string; attributes: string }[] => [...page.matchAll(/<\/?([a-zA-Z][\w-]*)([^<>]*)>/g)].map((m) => ({ name: m[1]!.toLowerCase(), attributes: m[2]! }));

/** The elements the report writes (outside its SVG charts). */
const OUR_TAGS = new Set("html head meta title style body script header h1 h2 h3 p strong span ul li nav a table thead tbody tfoot tr th td code pre section div dl dt dd figure figcaption details summary button input footer br".split(" "));

describe("the HTML report", () => {
  it("the run is what the tests need: failures with details, an error, a known failure, an unsupported case", () => {
    expect(result.cases.map((v) => [v.id, v.status, v.detail !== undefined])).toEqual([
      ["t/html/ok/001", "pass", false],
      ["t/html/off/001", "fail", true],
      ["t/html/last/001", "fail", true],
      ["t/html/throws/001", "error", false],
      ["t/html/known/001", "known-failure", false],
      ["t/html/backwards/001", "unsupported", false],
    ]);
    expect(result.verdict).toBe("not-conformant");
  });

  it("the banner says the run's own verdict, in the words of run-verdict.ts, and nothing else does", async () => {
    const banner = /<h1 class="verdict">([^<]*)<\/h1>/.exec(html)?.[1];
    expect(banner).toBe(`${VERDICT_WORDS["not-conformant"]} — level none`);
    // the page decides nothing: whatever the result says is what the banner says
    for (const verdict of RUN_VERDICTS) {
      const page = await toHtmlReport({ ...result, verdict, level: "core" }, { charts: renderer });
      expect(/<h1 class="verdict">([^<]*)<\/h1>/.exec(page)?.[1]).toBe(`${VERDICT_WORDS[verdict]} — level core`);
      expect(page).toContain(`<header class="banner ${verdict}"`);
    }
    expect(withoutOurs(html).match(/<h1/g)).toHaveLength(1);
  });

  it("engine strings are text: no element, attribute, script or bidi override of theirs", () => {
    const page = withoutOurs(html);
    const tags = rawTags(page);
    expect(tags.filter((t) => !OUR_TAGS.has(t.name))).toEqual([]);
    expect(tags.filter((t) => /\son\w+\s*=/i.test(t.attributes))).toEqual([]);
    expect(tags.filter((t) => t.name === "script")).toHaveLength(0);
    expect(page).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    // eslint-disable-next-line no-control-regex -- finding them is the point
    expect(page).not.toMatch(/[\u0000\u001b\u009b\r]|[\ud800-\udfff]/u);
    expect(page).not.toContain('"CONFORMANT"');
    // …and they are all there, escaped
    expect(page).toContain("evil&lt;script&gt;alert(1)&lt;/script&gt; &quot;CONFORMANT&quot;");
    expect(page).toContain("&lt;img src=&quot;https://example.invalid/x.png&quot; onerror=&quot;alert(1)&quot;&gt;");
    expect(page).toContain("&lt;/pre&gt;&lt;/section&gt;&lt;h1 class=&quot;verdict&quot;&gt;CONFORMANT — level full&lt;/h1&gt;");
    expect(html).toContain(`<title>${VERDICT_WORDS["not-conformant"]} — evil&lt;script&gt;`);
    expect(HOSTILE_NAME).toContain("<script>");
  });

  it("loads nothing: a CSP of default-src 'none' runs only our script, by its hash; no src, link or url()", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toMatch(/^default-src 'none';/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(csp).toContain(`script-src 'sha256-${createHash("sha256").update(script).digest("base64")}'`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(rawTags(html).filter((t) => /\s(src|srcset|poster|data|action|formaction)\s*=|\shref\s*=\s*"(?!#)/i.test(t.attributes))).toEqual([]);
    expect(html).not.toMatch(/url\(|@import|<link/i);
    // the only http(s) URLs are SVG's namespace names, which nothing fetches, and the engine's, as text
    expect([...new Set(html.match(/https?:\/\/[\w./-]+/g))].sort()).toEqual(["http://www.w3.org/1999/xlink", "http://www.w3.org/2000/svg", "https://example.invalid/x.png"]);
  });

  it("every failing case with a detail has a heatmap per output and a plot over time, with titled axes", () => {
    const cards = [...html.matchAll(/<section class="case" id="(case-\d+)" data-case="([^"]+)">([\s\S]*?)<\/section>/g)];
    expect(cards.map((m) => m[2])).toEqual(["t/html/off/001", "t/html/last/001", "t/html/throws/001"]);
    const svgs = (body: string): string[] => [...body.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    const [off, last, thrown] = cards.map((m) => m[3]!);
    // off: output, h, c heatmaps + series; last: the same, its series from the re-run
    expect(svgs(off!)).toHaveLength(4);
    expect(svgs(last!)).toHaveLength(4);
    expect(svgs(thrown!)).toHaveLength(0);
    expect(thrown).toContain("No charts: the engine returned no outputs to compare");
    for (const svg of [...svgs(off!), ...svgs(last!)]) {
      expect(svg).toMatch(/aria-label="X-axis titled '(unit|time step[^']*)'/);
      expect(svg).toMatch(/aria-label="Y-axis titled '(time step|last step|value)[^']*'/);
    }
    expect(off).toContain("first divergence");
    expect(last).toContain("time step (re-run with return_sequences)");
    expect(renderer.warnings).toEqual([]);
  });

  it("the heatmap colours the right cells: within the tolerance green, the engine's drift from step 2 on in unit 1 red", async () => {
    const grid = result.cases.find((v) => v.id === "t/html/off/001")!.detail!.grids[0]!;
    expect(grid).toMatchObject({ outputName: "output", timesteps: 6, rows: 6, units: 3 });
    const outside = grid.toleranceRatio.flatMap((r, k) => (r > 1 ? [[Math.floor(k / 3), k % 3]] : []));
    expect(outside).toEqual([2, 3, 4, 5].map((t) => [t, 1]));
    expect(ratioBucket(0)).toBe("0 (equal)");
    expect(ratioBucket(1)).toBe("0.1–1× (within)");
    expect(ratioBucket(1.0001)).toBe("1–10× (outside)");
    expect(ratioBucket(Infinity)).toBe("NaN / Inf");
    expect(ratioBucket(NaN)).toBe("NaN / Inf");
  });

  it("each card has the case's config and the command that reruns it; the rest are rows of the tables", async () => {
    expect(html).toContain("<summary>config (LSTM)</summary>");
    const command = /<pre id="case-0-reproduce">([^<]*)<\/pre>/.exec(html)?.[1];
    expect(command).toMatch(/^npx keras-rnn-conformance --engine \.\/evil\.ts --filter t\/html\/off\/001 /);
    expect(html).toContain('data-copy="case-0-reproduce"');
    const capped = await toHtmlReport(result, { charts: renderer, maxCards: 1 });
    expect(capped.match(/<section class="case" id="case-/g)).toHaveLength(1);
    expect(capped).toContain("Failing cases in detail (1 of 3)");
    for (const id of ["t/html/off/001", "t/html/last/001", "t/html/throws/001"]) expect(capped).toContain(`<code>${id}</code>`);
  });

  it("counts per family, known failures, unsupported cases and properties with their reasons and counterexample", () => {
    const row = /<tr class="(\w+)"><td>t\/html<\/td>(.*?)<\/tr>/.exec(html)!;
    expect(row[1]).toBe("fail");
    // cases, passed, failed, errors, known failures, unsupported, skipped
    expect([...row[2]!.matchAll(/<td class="n[^"]*">([^<]*)<\/td>/g)].map((m) => m[1]).slice(0, 7)).toEqual(["6", "1", "2", "1", "1", "1", "0"]);
    expect(html).toContain('<h2 id="known">Known failures (1)</h2>');
    expect(html).toContain('<h2 id="unsupported">Unsupported (1)</h2>');
    expect(html).toContain("needs a feature the engine does not declare: go_backwards");
    expect(html).toContain('<h3><code>property/agrees-with-reference</code> — fail (seed 1)</h3>');
    expect(html).toMatch(/<pre class="counterexample">\{\n &quot;format_version&quot;: 1,/);
    expect(html).toContain("--fixtures /tmp/counterexamples/agrees-with-reference.json --properties 0");
    expect(html).toContain('<h2 id="warnings">Warnings (1)</h2>');
  });

  it("a passing run has a green banner, no problem section and no card", async () => {
    const passing: SuiteResult = { ...result, cases: result.cases.filter((v) => v.status === "pass"), properties: [], warnings: [], verdict: "conformant", level: "core", conformant: true, exitCode: 0, reasons: [] };
    const page = await toHtmlReport(passing, { charts: renderer });
    expect(page).toContain('<header class="banner conformant"');
    expect(page).not.toContain('id="problems"');
    expect(page).not.toContain('<section class="case"');
  });
});
