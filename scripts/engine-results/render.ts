/**
 * The README's "Engines on the corpus" block, rendered from JSON reports: results in a table
 * generated from reports, each non-pass explained. A pure function of the reports, so a test can
 * re-render the committed reports and catch a stale README.
 */
import { CELL_LIST } from "../../conformance/cells.ts";
import { VERDICT_WORDS } from "../../conformance/run-verdict.ts";
import { matchesIdPattern } from "../../conformance/select.ts";
import { countStatuses, type CaseVerdict, type SuiteResult } from "../../conformance/verdict.ts";

export const BLOCK_START = "<!-- engine-results:start -->";
export const BLOCK_END = "<!-- engine-results:end -->";
export const REGENERATE = "npx tsx scripts/engine-results.ts";

export interface EngineResult {
  /** Row label (the report's file name). */
  readonly name: string;
  readonly report: SuiteResult;
  /** The expectations file the run used, named where known failures are listed. */
  readonly expectations?: string;
  /** One sentence on what the engine is or cannot express. */
  readonly note?: string;
}

/** Above this many ids (or collapsed prefixes) a group's list folds into a `<details>`. */
const INLINE_IDS = 4;
const UNSUPPORTED_PREFIX = "engine cannot run this case: ";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}

/** The general part of a one-line message: what comes before the first ": " (the details of one case follow it). */
function firstClause(message: string): string {
  const i = message.indexOf(": ");
  return i < 0 ? message : message.slice(0, i);
}

/**
 * The ids as few entries as possible: a prefix (whole segments) replaces its ids when every case of
 * the report under it is in the list, e.g. `lstm/options/activation_hard_sigmoid` (2).
 */
export function collapseIds(ids: readonly string[], allIds: readonly string[]): string[] {
  const inList = new Set(ids);
  const done = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    if (done.has(id)) continue;
    const segments = id.split("/");
    let entry = `\`${id}\``;
    let covered = [id];
    for (let n = 1; n < segments.length; n++) {
      const prefix = segments.slice(0, n).join("/");
      const under = allIds.filter((other) => matchesIdPattern(other, prefix));
      if (under.length > 1 && under.every((other) => inList.has(other))) {
        entry = `\`${prefix}\` (${under.length})`;
        covered = under;
        break;
      }
    }
    for (const c of covered) done.add(c);
    out.push(entry);
  }
  return out;
}

export interface Group {
  readonly heading: string;
  readonly verdicts: CaseVerdict[];
}

function groupBy(verdicts: readonly CaseVerdict[], key: (v: CaseVerdict) => string): Map<string, CaseVerdict[]> {
  const groups = new Map<string, CaseVerdict[]>();
  for (const v of verdicts) {
    const k = key(v);
    const list = groups.get(k);
    if (list) list.push(v);
    else groups.set(k, [v]);
  }
  return groups;
}

/** "diagnosed as `x`" when the suite's diagnosis (conformance/diagnose.ts) found the same mistake. */
function diagnosisNote(verdicts: readonly CaseVerdict[]): string {
  const byHypothesis = groupBy(verdicts.filter((v) => v.diagnosis !== null), (v) => v.diagnosis!.hypothesis);
  if (byHypothesis.size === 0) return "";
  const parts = [...byHypothesis.entries()].map(([h, vs]) => `\`${h}\`${vs.length < verdicts.length ? ` (${vs.length} of ${verdicts.length})` : ""}`);
  return `; the suite's diagnosis: ${parts.join(", ")}`;
}

/** Every non-pass of one report, grouped by why (the route table, scripts/route-table/render.ts, groups them the same way). */
export function nonPassGroups(report: SuiteResult): Group[] {
  const groups: Group[] = [];
  const of = (status: CaseVerdict["status"]) => report.cases.filter((v) => v.status === status);

  for (const [reason, vs] of groupBy(of("fail"), (v) => (v.diagnosis ? `diagnosed as \`${v.diagnosis.hypothesis}\`: ${v.diagnosis.explanation}` : "no known porting mistake explains it"))) {
    groups.push({ heading: `${plural(vs.length, "failure")} — ${reason}`, verdicts: vs });
  }
  for (const [reason, vs] of groupBy(of("unexpected-pass"), (v) => v.expectation?.reason ?? "")) {
    groups.push({ heading: `${plural(vs.length, "unexpected pass", "unexpected passes")} — listed as failing ("${reason}") yet passed: the expectations entry is stale`, verdicts: vs });
  }
  for (const [reason, vs] of groupBy(of("error"), (v) => cell(v.message))) {
    groups.push({ heading: `${plural(vs.length, "error")} — ${reason}`, verdicts: vs });
  }
  for (const [reason, vs] of groupBy(of("known-failure"), (v) => v.expectation?.reason ?? "")) {
    groups.push({ heading: `${plural(vs.length, "known failure")} — ${reason}${diagnosisNote(vs)}`, verdicts: vs });
  }
  // Unsupported for want of a declared feature: one group, with the features counted (as the console report does).
  const unsupported = of("unsupported");
  const byFeature = unsupported.filter((v) => v.missingFeatures.length > 0);
  if (byFeature.length > 0) {
    const counts = new Map<string, number>();
    for (const v of byFeature) for (const f of v.missingFeatures) counts.set(f, (counts.get(f) ?? 0) + 1);
    const list = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([f, n]) => `\`${f}\` (${n})`);
    groups.push({ heading: `${byFeature.length} unsupported — needs a feature the engine does not declare: ${list.join(", ")}`, verdicts: byFeature });
  }
  const byMessage = groupBy(unsupported.filter((v) => v.missingFeatures.length === 0), (v) => firstClause(v.message.startsWith(UNSUPPORTED_PREFIX) ? v.message.slice(UNSUPPORTED_PREFIX.length) : v.message));
  for (const [reason, vs] of byMessage) groups.push({ heading: `${vs.length} unsupported — the engine cannot express the case: ${reason}`, verdicts: vs });
  for (const [reason, vs] of groupBy(of("skip"), (v) => v.expectation?.reason ?? "")) {
    groups.push({ heading: `${vs.length} skipped — ${reason}`, verdicts: vs });
  }
  return groups;
}

export function renderGroup(group: Group, allIds: readonly string[]): string[] {
  const entries = collapseIds(group.verdicts.map((v) => v.id), allIds);
  if (entries.length <= INLINE_IDS) return [`- ${group.heading}: ${entries.join(", ")}`];
  return [`- ${group.heading}:`, `  <details><summary>${plural(group.verdicts.length, "case")}</summary>`, "", `  ${entries.join(", ")}`, "", "  </details>", ""];
}

function summaryCounts(report: SuiteResult): string {
  const c = report.counts;
  const parts = [
    c.fail + c["unexpected-pass"] > 0 ? plural(c.fail + c["unexpected-pass"], "failure") : "",
    c.error > 0 ? plural(c.error, "error") : "",
    c["known-failure"] > 0 ? plural(c["known-failure"], "known failure") : "",
    c.unsupported > 0 ? `${c.unsupported} unsupported` : "",
    c.skip > 0 ? `${c.skip} skipped` : "",
  ].filter((p) => p !== "");
  return parts.length === 0 ? `all ${report.cases.length} cases pass` : `${c.pass} of ${report.cases.length} pass; ${parts.join(", ")}`;
}

/** The run's verdict as the CLI prints it (conformance/run-verdict.ts, spec/adapter.md §4.3), with its reasons. */
function verdictNote(report: SuiteResult): string {
  const reasons = report.reasons.length > 0 ? `: ${report.reasons.map((r) => cell(r)).join("; ")}` : "";
  return ` Verdict: ${VERDICT_WORDS[report.verdict]}, level ${report.level}${reasons}.`;
}

function partialRun(report: SuiteResult): string {
  const s = report.selection;
  const bits = [
    s.fixtures.length > 0 ? `fixtures ${s.fixtures.join(", ")}` : "",
    s.filters.length > 0 ? `filters ${s.filters.join(", ")}` : "",
    s.shard ? `shard ${s.shard.index}/${s.shard.count}` : "",
  ].filter((b) => b !== "");
  return bits.length > 0 ? ` **Partial run** (${bits.join("; ")}).` : "";
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

interface CellRow {
  /** "LSTM (`lstm/*`)": the cell, and the cases counted under it. */
  readonly label: string;
  readonly counts: SuiteResult["counts"];
  /** Every case of the row is unsupported for want of its cell feature: the engine does not implement the cell. */
  readonly outOfScope: boolean;
}

/** Families that are not a cell's, by their first id segment: the Bidirectional wrapper's (spec/bidirectional.md). */
const WRAPPER_LABELS: Readonly<Record<string, string>> = { bidirectional: "Bidirectional" };

/**
 * One row per cell, by the first segment of the case ids (`lstm/`, `gru/`, `simple_rnn/`: the
 * corpus's families; a mixed stack counts under its family), in the cells' order; ids of any other
 * first segment get a row of their own after them.
 */
export function cellRows(report: SuiteResult): CellRow[] {
  const groups = groupBy(report.cases, (v) => v.id.split("/")[0]!);
  const known = CELL_LIST.map((d) => d.kind as string);
  const order = [...known.filter((k) => groups.has(k)), ...[...groups.keys()].filter((k) => !known.includes(k))];
  return order.map((kind) => {
    const verdicts = groups.get(kind)!;
    const descriptor = CELL_LIST.find((d) => d.kind === kind);
    const counts = countStatuses(verdicts);
    const outOfScope = descriptor !== undefined && verdicts.every((v) => v.status === "unsupported" && v.missingFeatures.includes(descriptor.feature));
    return { label: `${descriptor?.className ?? WRAPPER_LABELS[kind] ?? kind} (\`${kind}/*\`)`, counts, outOfScope };
  });
}

/** The block between the markers, markers excluded. */
export function renderEngineResults(results: readonly EngineResult[]): string {
  const out: string[] = [];
  const cases = distinct(results.map((r) => r.report.selection.casesLoaded));
  const propertyRuns = distinct(results.map((r) => r.report.selection.propertyRuns));
  const suites = distinct(results.map((r) => r.report.suite.version));
  const properties =
    propertyRuns.length === 1 && propertyRuns[0] === 0
      ? "and no property-based tests (`--properties 0`: they check random cases against the reference, not against Keras)"
      : `and the property-based tests (${propertyRuns.join(" / ")} runs each)`;
  out.push(
    `<!-- Generated by \`${REGENERATE}\` from results/engines/*.json — do not edit by hand. -->`,
    "",
    `Each engine ran the whole shipped corpus (${cases.join(" / ")} Keras fixture cases, keras-rnn-conformance ${suites.join(" / ")}) ${properties}. ` +
      "One row per cell: the cases whose id starts with its family (`lstm/`, `gru/`, `simple_rnn/`; a mixed stack counts under its family), and one for the Bidirectional wrapper over all three (`bidirectional/`). " +
      "*failed* includes unexpected passes; *known failures* are listed with a reason in the engine's expectations file; " +
      "*unsupported* cases need something the engine cannot express and are not run. " +
      "*Corpus time* is the report's `durationMs`: running and checking the cases, without loading the engine or starting its process. " +
      `Regenerate with \`${REGENERATE}\`; the JSON reports are in \`results/engines/\`.`,
    "",
  );
  const withSkips = results.some((r) => r.report.counts.skip > 0);
  out.push(
    `| engine | version | cases | passed | failed | known failures | unsupported | errors |${withSkips ? " skipped |" : ""} corpus time |`,
    `| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |${withSkips ? " ---: |" : ""} ---: |`,
  );
  for (const { name, report } of results) {
    cellRows(report).forEach((row, i) => {
      const c = row.counts;
      const first = i === 0;
      // A cell the engine does not implement: its cases are out of its scope (spec/adapter.md §4.3), not a result.
      const counts = row.outOfScope
        ? `— | — | — | ${c.unsupported} (cell not implemented) | — |${withSkips ? " — |" : ""}`
        : `${c.pass} | ${c.fail + c["unexpected-pass"]} | ${c["known-failure"]} | ${c.unsupported} | ${c.error} |${withSkips ? ` ${c.skip} |` : ""}`;
      out.push(`| ${first ? cell(name) : ""} | ${first ? cell(report.engine.version) : ""} | ${row.label} | ${counts} ${first ? formatSeconds(report.durationMs) : ""} |`);
    });
  }
  out.push("");
  for (const r of results) {
    const note = r.note ? ` ${r.note}` : "";
    const expectations = r.expectations && r.report.counts["known-failure"] + r.report.counts.skip + r.report.counts["unexpected-pass"] > 0 ? ` Known failures: \`${r.expectations}\`.` : "";
    out.push(`**${r.name}** — ${summaryCounts(r.report)}.${verdictNote(r.report)}${note}${expectations}${partialRun(r.report)}`, "");
    const allIds = r.report.cases.map((v) => v.id);
    const groups = nonPassGroups(r.report);
    for (const g of groups) out.push(...renderGroup(g, allIds));
    const badProperties = r.report.properties.filter((p) => p.status !== "pass");
    for (const p of badProperties) out.push(`- property \`${p.id}\` ${p.status}: ${cell(p.message ?? "")}`);
    for (const w of r.report.warnings) out.push(`- warning: ${cell(w)}`);
    if (groups.length > 0 || badProperties.length > 0 || r.report.warnings.length > 0) {
      if (out[out.length - 1] !== "") out.push("");
    }
  }
  return out.join("\n");
}

/** The text between the markers (exclusive), or an error saying which marker is missing. */
export function extractBlock(readme: string, markers: readonly [string, string] = [BLOCK_START, BLOCK_END]): string {
  const [startMarker, endMarker] = markers;
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < 0 || end < start) throw new Error(`README.md needs the markers ${startMarker} and ${endMarker}, in that order`);
  return readme.slice(start + startMarker.length, end);
}

/** The README with the block between the markers replaced. */
export function replaceBlock(readme: string, block: string, markers: readonly [string, string] = [BLOCK_START, BLOCK_END]): string {
  extractBlock(readme, markers);
  const start = readme.indexOf(markers[0]) + markers[0].length;
  const end = readme.indexOf(markers[1]);
  return `${readme.slice(0, start)}\n${block.trimEnd()}\n${readme.slice(end)}`;
}
