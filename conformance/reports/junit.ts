/**
 * JUnit XML (spec/adapter.md §6), the format CI systems read: one `<testsuite>` per family, one
 * `<testcase>` per case or property. fail and unexpected-pass (under strict expectations) are
 * `<failure>`, error is `<error>`, and unsupported, skip and known-failure are `<skipped>` — never
 * counted as passes. Engine text is XML-escaped (escape.ts), and stripped of terminal controls too,
 * because CI tools echo JUnit messages to their logs.
 */
import type { CaseVerdict, PropertyResult, SuiteResult } from "../verdict.ts";
import { formatVerdict } from "./console.ts";
import { terminalLine, terminalText, xmlEscape as escapeXml } from "./escape.ts";

type Outcome = { kind: "pass" } | { kind: "failure" | "error" | "skipped"; type: string; message: string; details: string };

function caseOutcome(v: CaseVerdict, strict: boolean): Outcome {
  switch (v.status) {
    case "pass":
      return { kind: "pass" };
    case "fail":
      return { kind: "failure", type: "fail", message: v.message, details: formatVerdict(v) };
    case "error":
      return { kind: "error", type: "error", message: v.message, details: formatVerdict(v) };
    case "unexpected-pass":
      return strict ? { kind: "failure", type: "unexpected-pass", message: v.message, details: formatVerdict(v) } : { kind: "pass" };
    default:
      return { kind: "skipped", type: v.status, message: v.message, details: "" };
  }
}

function propertyOutcome(p: PropertyResult): Outcome {
  const details = [terminalText(p.message ?? ""), p.counterexample !== undefined ? `counterexample: ${JSON.stringify(p.counterexample)}` : ""].filter(Boolean).join("\n");
  if (p.status === "pass") return { kind: "pass" };
  if (p.status === "unsupported" || p.status === "skip" || p.status === "known-failure") return { kind: "skipped", type: p.status, message: p.message ?? p.status, details: "" };
  return { kind: p.status === "fail" ? "failure" : "error", type: p.status, message: p.message ?? p.status, details };
}

interface Entry {
  readonly classname: string;
  readonly name: string;
  readonly timeMs: number;
  readonly outcome: Outcome;
}

function testcase(e: Entry): string {
  const head = `    <testcase classname="${escapeXml(e.classname)}" name="${escapeXml(e.name)}" time="${(e.timeMs / 1000).toFixed(3)}"`;
  if (e.outcome.kind === "pass") return `${head}/>`;
  const message = escapeXml(terminalText(e.outcome.message).split("\n")[0]!);
  const inner =
    e.outcome.kind === "skipped"
      ? `<skipped message="${escapeXml(e.outcome.type)}: ${message}"/>`
      : `<${e.outcome.kind} type="${escapeXml(e.outcome.type)}" message="${message}">${escapeXml(e.outcome.details)}</${e.outcome.kind}>`;
  return `${head}>\n      ${inner}\n    </testcase>`;
}

export function toJunitXml(result: SuiteResult): string {
  const entries: Entry[] = [
    ...result.cases.map((v) => ({ classname: v.family, name: v.id, timeMs: v.timeMs, outcome: caseOutcome(v, result.strictExpectations) })),
    ...result.properties.map((p) => ({ classname: "property", name: p.id, timeMs: p.timeMs ?? 0, outcome: propertyOutcome(p) })),
  ];
  const families = [...new Set(entries.map((e) => e.classname))];
  const count = (es: readonly Entry[], kind: Outcome["kind"]) => es.filter((e) => e.outcome.kind === kind).length;
  const suites = families.map((family) => {
    const es = entries.filter((e) => e.classname === family);
    const time = es.reduce((t, e) => t + e.timeMs, 0) / 1000;
    return [
      `  <testsuite name="${escapeXml(family)}" tests="${es.length}" failures="${count(es, "failure")}" errors="${count(es, "error")}" skipped="${count(es, "skipped")}" time="${time.toFixed(3)}">`,
      ...es.map(testcase),
      "  </testsuite>",
    ].join("\n");
  });
  const name = `keras-rnn-conformance ${result.suite.version}: ${result.engine.name} ${result.engine.version}`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escapeXml(terminalLine(name))}" tests="${entries.length}" failures="${count(entries, "failure")}" errors="${count(entries, "error")}" skipped="${count(entries, "skipped")}" time="${(result.durationMs / 1000).toFixed(3)}" timestamp="${escapeXml(result.startedAt)}">`,
    ...suites,
    `</testsuites>`,
    "",
  ].join("\n");
}
