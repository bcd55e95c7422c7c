import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import type { FixtureCase, LayerCase } from "../case.ts";
import type { Engine, EngineOutputs } from "../engine.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { runSuite } from "../runner.ts";
import { tinyCase, tinyFixtureFile, writeTinyCorpus } from "../testing/tiny-fixture.ts";
import type { SuiteResult } from "../verdict.ts";
import { formatConsoleReport } from "./console.ts";
import { markdownCodeBlock, markdownCodeSpan, markdownInline, terminalLine, terminalText, xmlEscape } from "./escape.ts";
import { toJunitXml } from "./junit.ts";
import { toMarkdown } from "./markdown.ts";
import { verdictLine } from "./summary.ts";

describe("escape.ts", () => {
  it("terminal text keeps lines but no sequence or control a terminal would act on", () => {
    expect(terminalText("a\u001b[31mred\u001b[0m b")).toBe("ared b");
    expect(terminalText("\u001b]0;title\u0007x\u001b]8;;http://x\u001b\\y")).toBe("xy");
    expect(terminalText("\u009b2Kx\u001b7y\u001b(Bz")).toBe("xyz");
    expect(terminalText("one\r\ntwo\rthree\n")).toBe("one\ntwo\nthree\n");
    expect(terminalText("ab\bc\u0000\u007f\u0085\u202eevil\tok")).toBe("abcevil\tok");
    expect(terminalText("a lone \u001b")).toBe("a lone ");
    expect(terminalLine("one\ntwo\r\tthree")).toBe("one two three");
  });

  it("Markdown inline text is one line of character references, readable where nothing is special", () => {
    expect(markdownInline("lstm/return_sequences 0.1.0")).toBe("lstm/return&#95;sequences 0.1.0");
    expect(markdownInline("<img src=x> | *a* `b` [c](d) & # $x$ \\ ~e~ 'f' \"g\"")).toBe(
      "&lt;img src=x&gt; &#124; &#42;a&#42; &#96;b&#96; &#91;c&#93;(d) &amp; &#35; &#36;x&#36; &#92; &#126;e&#126; &#39;f&#39; &quot;g&quot;",
    );
    expect(markdownInline("a\n# CONFORMANT\r\n\u001b[2Kb")).toBe("a &#35; CONFORMANT b");
  });

  it("a Markdown code block or span is longer than any backtick run it holds", () => {
    expect(markdownCodeBlock("plain")).toBe("```\nplain\n```");
    expect(markdownCodeBlock("a\n```\nb ````` c")).toBe("``````\na\n```\nb ````` c\n``````");
    expect(markdownCodeSpan("id")).toBe("`id`");
    expect(markdownCodeSpan("a``b")).toBe("```a``b```");
    expect(markdownCodeSpan("`x")).toBe("`` `x ``");
  });

  it("XML text escapes the five specials and drops what XML 1.0 forbids", () => {
    expect(xmlEscape(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(xmlEscape("tab\tlf\ncr\r")).toBe("tab\tlf\ncr\r");
    expect(xmlEscape("a\u0000b\u001bc\u000bd\ufffee\uffff")).toBe("abcde");
    // A lone surrogate is dropped; a pair (an astral character) is kept.
    expect(xmlEscape("x\ud800y\udc00z😀")).toBe("xyz😀");
  });
});

/** Everything an engine might put into a report to fake a verdict or inject markup. */
const EVIL = [
  "````",
  "```",
  "</details>",
  "<img src=x onerror=alert(1)>",
  "# CONFORMANT — level full",
  "| a | b |",
  "<script>alert(1)</script>",
  "\u001b[2K\r\u001b[32mCONFORMANT\u001b[0m",
].join("\n");
/** What lets text move the cursor or rewrite a line: ESC, CSI (8-bit), CR. Matching them is the point. */
// eslint-disable-next-line no-control-regex
const REWRITES_TERMINAL = /[\u001b\u009b\r]/;
const EVIL_NAME = "evil\n# CONFORMANT — level full <img src=x onerror=alert(1)> | ``` \u001b[1A\r";

async function evilResult(): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), "krc-escape-"));
  writeTinyCorpus(dir, { "e.json": tinyFixtureFile("t/e", [tinyCase({ id: "t/e/pass/001" }), tinyCase({ id: "t/e/nan/001" }), tinyCase({ id: "t/e/throws/001" })]) });
  const { cases } = loadFixtureDir(dir);
  const byId = new Map<string, FixtureCase>(cases.map((c) => [c.id, c]));
  const engine: Engine = {
    name: EVIL_NAME,
    version: "1.0 </details>",
    features: ["activation:tanh", "recurrent_activation:sigmoid"],
    run(c: LayerCase): EngineOutputs {
      if (c.id.includes("throws")) throw new Error(EVIL);
      const out = byId.get(c.id)!.expected.map((e) => e.outputs.map((t) => ({ shape: [...t.shape], data: Float32Array.from(t.data) })));
      if (c.id.includes("nan")) out[0]![0]!.data[0] = NaN;
      return out;
    },
  };
  const result = await runSuite(engine, cases, { diagnose: false });
  return {
    ...result,
    // A failing case whose message and reproduce quote the engine (stderr, engine arguments).
    cases: result.cases.map((v) => (v.status === "fail" ? { ...v, message: `${v.message}\n${EVIL}`, reproduce: `${v.reproduce ?? ""} ${EVIL}` } : v)),
    properties: [{ id: "property/reference-agreement", status: "error", runs: 1, seed: 1, referenceChecked: true, evidence: true, specSection: "spec/lstm.md §2", message: EVIL }],
    warnings: [`expectation for ${EVIL}`],
  };
}

/** The lines of `md` outside fenced code blocks (CommonMark §4.5: only a fence as long as the opening one closes it). */
function outsideCode(md: string): string[] {
  const lines: string[] = [];
  let open: number | null = null;
  for (const line of md.split("\n")) {
    const fence = /^ {0,3}(`{3,})([^`]*)$/.exec(line);
    if (open === null && fence) open = fence[1]!.length;
    else if (open !== null && fence && fence[1]!.length >= open && fence[2]!.trim() === "") open = null;
    else if (open === null) lines.push(line);
  }
  expect(open, "every code block is closed").toBeNull();
  return lines;
}

/** The contents of the fenced code blocks of `md`. */
function codeBlocks(md: string): string[] {
  return [...md.matchAll(/^(`{3,})\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]!);
}

let result: SuiteResult;
beforeAll(async () => {
  result = await evilResult();
});

describe("engine text in reports", () => {
  it("the run is what the test needs: a failure, an error, engine text everywhere", () => {
    expect(result.cases.map((v) => v.status)).toEqual(["pass", "fail", "error"]);
    expect(result.conformant).toBe(false);
    expect(result.cases[2]!.message).toContain("</details>");
  });

  it("Markdown: one verdict banner, ours; engine text only in code blocks or as references", () => {
    const md = toMarkdown(result);
    const outside = outsideCode(md);
    // The only headings are ours.
    const headings = outside.filter((l) => /^ {0,3}#{1,6}(\s|$)/.test(l));
    expect(headings.map((h) => h.replace(/:.*/, ""))).toEqual(["## ❌ Keras LSTM conformance", "### Problems (2)", "### Properties (1 failing)"]);
    // Exactly one line states a verdict, and it is the real one.
    const banners = outside.filter((l) => /^[\s>#*_-]*([A-Z]+[ ,]+)*CONFORMANT\b/.test(l));
    expect(banners).toEqual([verdictLine(result)]);
    expect(banners[0]).toMatch(/NOT CONFORMANT/);
    // No HTML but our own tags, and each <details> closed once.
    const text = outside.join("\n").replace(/^> /gm, "");
    expect(text.replace(/<\/?(details|summary|code|sub)>/g, "")).not.toMatch(/[<>]/);
    expect(text.match(/<details>/g)).toHaveLength(2);
    expect(text.match(/<\/details>/g)).toHaveLength(2);
    // Pipes outside the table are references; table rows have their 9 cell borders.
    for (const line of outside) expect(line.startsWith("|") ? line.split("|").length - 1 : line.includes("|") ? -1 : 0, line).toBeOneOf([0, 9]);
    expect(outside[0]).toContain("evil &#35; CONFORMANT — level full &lt;img src=x onerror=alert(1)&gt; &#124; &#96;&#96;&#96;");
    // The engine's text is all there, verbatim, inside the code blocks.
    const blocks = codeBlocks(md);
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      for (const line of ["````", "```", "</details>", "<img src=x onerror=alert(1)>", "# CONFORMANT — level full", "| a | b |", "<script>alert(1)</script>"]) expect(block).toContain(`${line}\n`);
    }
    expect(md).not.toMatch(REWRITES_TERMINAL);
  });

  it("JUnit: well-formed XML with the engine's text intact", () => {
    const xml = toJunitXml(result);
    expect(XMLValidator.validate(xml)).toBe(true);
    type Case = { name: string; failure?: { message: string; "#text": string }; error?: { message: string; "#text": string } };
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseTagValue: false, parseAttributeValue: false, trimValues: false }).parse(xml) as {
      testsuites: { name: string; testsuite: { testcase: Case | Case[] }[] };
    };
    expect(parsed.testsuites.name).toContain("evil # CONFORMANT — level full <img src=x onerror=alert(1)> | ```");
    const testcases = parsed.testsuites.testsuite.flatMap((s) => (Array.isArray(s.testcase) ? s.testcase : [s.testcase]));
    const failure = testcases.find((c) => c.name === "t/e/nan/001")!.failure!;
    const error = testcases.find((c) => c.name === "t/e/throws/001")!.error!;
    expect(error.message).toBe("engine threw: Error: ````");
    for (const details of [failure["#text"], error["#text"]]) {
      for (const line of ["```", "</details>", "<img src=x onerror=alert(1)>", "# CONFORMANT — level full", "| a | b |", "<script>alert(1)</script>", "CONFORMANT"]) expect(details).toContain(line);
    }
    expect(xml).not.toMatch(REWRITES_TERMINAL);
  });

  it("console: no escape sequence or CR from the engine, and engine text never starts a line", () => {
    const text = formatConsoleReport(result);
    expect(text).not.toMatch(REWRITES_TERMINAL);
    const lines = text.split("\n");
    expect(lines.filter((l) => /^([A-Z]+[ ,]+)*CONFORMANT\b/.test(l))).toEqual([verdictLine(result)]);
    expect(lines.filter((l) => /^(#|<|\||`)/.test(l))).toEqual([]);
    expect(text).toContain("    # CONFORMANT — level full");
    expect(text).toMatch(/^engine: evil # CONFORMANT — level full <img src=x onerror=alert\(1\)> \| ```\s+1\.0 <\/details> — keras-rnn-conformance/m);
  });
});
