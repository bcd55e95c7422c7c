/**
 * The console report (spec/adapter.md §6): the failures grouped by diagnosis first (spec/adapter.md
 * §4.2: "151 of 155 failing cases: gate-order:iofc"), then a few of each group in full with what to
 * do about them, the known failures, unsupported and skipped cases with their reasons, then a
 * summary table per family and the conformance level. Progress lines are written only on a TTY.
 */
import { LEVEL_DESCRIPTIONS, outOfScope } from "../levels.ts";
import type { CaseVerdict, SuiteResult } from "../verdict.ts";
import { indentContinuation, terminalLine, terminalText } from "./escape.ts";
import {
  compactIds,
  diagnosisNote,
  formatError,
  groupByReason,
  exampleVerdicts,
  groupHeadline,
  problemGroups,
  reasonOf,
  summariseFamilies,
  verdictLine,
  type ProblemGroup,
} from "./summary.ts";

/** Pads columns; the first column left-aligned, the others right-aligned. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join("  ").trimEnd()).join("\n");
}

/** float32 values need at most 9 significant digits; 7 are enough to read. */
function formatValue(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(7))) : String(x);
}

/**
 * A verdict in a few indented lines: what, why, where, how to rerun. The message may hold an
 * engine's error text, stderr or traceback: its terminal controls are removed and its lines indented,
 * so that only the status line starts at column 0. The other strings may quote engine values too.
 */
export function formatVerdict(v: CaseVerdict): string {
  const lines = [`${v.status.toUpperCase()} ${terminalLine(v.id)}  (${terminalLine(v.description)})`, `  ${indentContinuation(terminalText(v.message), "    ")}`];
  if (v.diagnosis) lines.push(`  diagnosis: ${terminalLine(v.diagnosis.explanation)} [${terminalLine(v.diagnosis.hypothesis)}]`);
  const d = v.firstDivergence;
  if (d) lines.push(`  first divergence: step ${d.timestep}, batch ${d.batch}, unit ${d.unit}${d.call > 0 ? `, call ${d.call}` : ""}: ${formatValue(d.actual)} where Keras has ${formatValue(d.expected)} (${d.source})`);
  else if (v.firstDivergenceNote) lines.push(`  first divergence: none (${terminalLine(v.firstDivergenceNote)})`);
  if (v.status !== "error" && v.tolerance) lines.push(`  tolerance: atol ${v.tolerance.atol}, rtol ${v.tolerance.rtol} (${terminalLine(v.tolerance.source)}); file ${terminalLine(v.file)}`);
  if (v.reproduce) lines.push(`  reproduce: ${terminalLine(v.reproduce)}`);
  return lines.join("\n");
}

/** How many unsupported cases need each missing feature. */
function unsupportedSummary(result: SuiteResult): string | null {
  const byFeature = new Map<string, number>();
  for (const v of result.cases) for (const f of v.missingFeatures) byFeature.set(f, (byFeature.get(f) ?? 0) + 1);
  if (byFeature.size === 0) return null;
  const parts = [...byFeature.entries()].sort((a, b) => b[1] - a[1]).map(([f, n]) => `${terminalLine(f)} (${n})`);
  return `${result.counts.unsupported} case(s) unsupported; the engine lacks: ${parts.join(", ")}`;
}

export interface ConsoleOptions {
  /** Print at most this many problem verdicts in full (default 20). */
  readonly maxProblems?: number;
  /** Of each group of problems sharing a diagnosis, print at most this many in full (default 3). */
  readonly examplesPerGroup?: number;
}

/** `lstm/masking/start (2), lstm/long (4)`: ids counted by case name or family, terminal-safe. */
const idList = (verdicts: readonly CaseVerdict[]): string => compactIds(verdicts.map((v) => v.id)).map(([id, n]) => `${terminalLine(id)} (${n})`).join(", ");

/** The group's headline and explanation, and which hypotheses some of its cases cannot tell from it. */
function groupLines(group: ProblemGroup, result: SuiteResult): string[] {
  const lines = [`  ${terminalLine(groupHeadline(group, result))}`];
  if (group.explanation) lines.push(`    ${terminalLine(group.explanation)}`);
  if (group.alternatives.length > 0) lines.push(`    on some of them indistinguishable from: ${group.alternatives.map(([id, n]) => `${terminalLine(id)} (${n})`).join(", ")}`);
  return lines;
}

/** Cases with an expectation or not run, grouped by reason: "4 — <reason> [the suite's diagnosis: x]: ids". */
function reasonLines(verdicts: readonly CaseVerdict[]): string[] {
  return groupByReason(verdicts, reasonOf).map(({ reason, verdicts: vs }) => {
    const note = diagnosisNote(vs);
    return `  ${vs.length} — ${terminalLine(reason)}${note ? ` [${terminalLine(note)}]` : ""}: ${idList(vs)}`;
  });
}

export function formatConsoleReport(result: SuiteResult, options: ConsoleOptions = {}): string {
  const out: string[] = [];
  const groups = problemGroups(result);
  if (groups.length > 0) out.push("Failures by diagnosis:", ...groups.flatMap((g) => groupLines(g, result)), "");
  const max = options.maxProblems ?? 20;
  const perGroup = options.examplesPerGroup ?? 3;
  let shown = 0;
  for (const g of groups) {
    const examples = exampleVerdicts(g.verdicts, Math.max(0, Math.min(perGroup, max - shown)));
    for (const v of examples) out.push(formatVerdict(v), "");
    shown += examples.length;
    const rest = g.verdicts.filter((v) => !examples.includes(v));
    if (rest.length > 0) out.push(`… and ${rest.length} more ${g.explanation ? `with the diagnosis ${terminalLine(g.title)}` : terminalLine(g.title)} (see --report json): ${idList(rest)}`, "");
  }
  const known = result.cases.filter((v) => v.status === "known-failure");
  if (known.length > 0) out.push(`${known.length} known failure(s), listed in the expectations file:`, ...reasonLines(known), "");
  for (const p of result.properties.filter((q) => q.status !== "pass")) {
    out.push(`${p.status.toUpperCase()} ${terminalLine(p.id)}  (${terminalLine(p.specSection)}, ${p.runs} runs, seed ${p.seed}${p.referenceChecked ? ", reference-checked" : ""})`);
    if (p.message) out.push(`  ${indentContinuation(terminalText(p.message), "    ")}`);
    out.push("");
  }
  const unsupported = unsupportedSummary(result);
  const notRun = result.cases.filter((v) => v.status === "unsupported");
  if (unsupported || notRun.length > 0) out.push(unsupported ?? `${notRun.length} case(s) unsupported:`, ...reasonLines(notRun), "");
  const skipped = result.cases.filter((v) => v.status === "skip");
  if (skipped.length > 0) out.push(`${skipped.length} case(s) skipped by the expectations file:`, ...reasonLines(skipped), "");
  for (const w of result.warnings) out.push(`warning: ${indentContinuation(terminalText(w), "  ")}`);
  if (result.warnings.length > 0) out.push("");

  const header = ["family", "passed", "failed", "unsupported", "errors", "skipped", "known", "worst abs err"];
  const rows = summariseFamilies(result).map((f) => [
    terminalLine(f.family),
    String(f.counts.pass),
    String(f.counts.fail + f.counts["unexpected-pass"]),
    String(f.counts.unsupported),
    String(f.counts.error),
    String(f.counts.skip),
    String(f.counts["known-failure"]),
    formatError(f.worstMaxAbs),
  ]);
  // The total adds every row, properties included.
  const sum = (col: number): string => String(rows.reduce((n, r) => n + Number(r[col]), 0));
  rows.push(["total", sum(1), sum(2), sum(3), sum(4), sum(5), sum(6), ""]);
  // "engine:" first, so that no name an engine picks (say "CONFORMANT — level full") starts a line.
  out.push(`engine: ${terminalLine(result.engine.name)} ${terminalLine(result.engine.version)} — keras-rnn-conformance ${terminalLine(result.suite.version)} — ${(result.durationMs / 1000).toFixed(1)} s`);
  out.push(formatTable([header, ...rows]));
  out.push("");
  const partial = result.selection.filters.length > 0 || result.selection.shard !== null ? " (of the selected cases only)" : "";
  out.push(`Conformance level: ${result.level}${partial} — ${LEVEL_DESCRIPTIONS[result.level]}`);
  // The level speaks for what the engine implements; say what that leaves out (levels.ts SCOPE_FEATURES).
  const scope = outOfScope(result);
  if (scope.length > 0) out.push(`Not judged (the engine does not implement them): ${scope.map((s) => `${s.feature} (${s.count})`).join(", ")}`);
  out.push(verdictLine(result));
  return out.join("\n");
}

/** A one-line progress indicator for a TTY (`\r`-overwritten). */
export function formatProgress(v: CaseVerdict, done: number, total: number): string {
  return `\r[${done}/${total}] ${v.status.padEnd(15)} ${terminalLine(v.id)}`.padEnd(80).slice(0, 100);
}
