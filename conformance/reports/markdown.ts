/**
 * Markdown (spec/adapter.md §6) for CI summaries, e.g. `--report markdown --out "$GITHUB_STEP_SUMMARY"`.
 * A step summary must stay readable — a few KB, however many cases fail the same way: the verdict,
 * the failures grouped by diagnosis (spec/adapter.md §4.2), the table per family, then a few cases of
 * each group folded in `<details>` with the ids of the rest counted per case name, and the known
 * failures, unsupported and skipped cases with their reasons. GitHub renders HTML in it, so every
 * string we did not write — above all the engine's — goes through escape.ts: inline text as
 * character references, multi-line text in a code block it cannot close.
 */
import { LEVEL_DESCRIPTIONS } from "../levels.ts";
import type { CaseVerdict, SuiteResult } from "../verdict.ts";
import { formatVerdict } from "./console.ts";
import { markdownCodeBlock, markdownCodeSpan, markdownInline as text } from "./escape.ts";
import {
  compactIds,
  diagnosisNote,
  exampleVerdicts,
  formatError,
  groupByReason,
  groupHeadline,
  problemGroups,
  problemVerdicts,
  reasonOf,
  summariseFamilies,
  verdictLine,
} from "./summary.ts";

/** `lstm/masking/start` (2), …: ids counted by case name or family, each as inline text. */
const idList = (verdicts: readonly CaseVerdict[]): string => compactIds(verdicts.map((v) => v.id)).map(([id, n]) => `<code>${text(id)}</code> (${n})`).join(", ");

/** One case in full, folded: the summary line starts an HTML block that the blank line after it ends, so it is one line of references. */
function folded(v: CaseVerdict): string[] {
  const firstLine = v.message.split("\n")[0] ?? "";
  return [`<details><summary><code>${text(v.id)}</code> — ${v.status}: ${text(firstLine)}</summary>`, "", markdownCodeBlock(formatVerdict(v)), "", "</details>", ""];
}

/** Cases grouped by reason, one list item each: "4 — reason (the suite's diagnosis: x): ids". */
function reasonItems(verdicts: readonly CaseVerdict[]): string[] {
  return groupByReason(verdicts, reasonOf).map(({ reason, verdicts: vs }) => {
    const note = diagnosisNote(vs);
    return `- ${vs.length} — ${text(reason)}${note ? ` (${text(note)})` : ""}: ${idList(vs)}`;
  });
}

export interface MarkdownOptions {
  /** Show at most this many problem verdicts in full, over all groups (default 12). */
  readonly maxProblems?: number;
  /** Of each group of problems sharing a diagnosis, show at most this many in full (default 2). */
  readonly examplesPerGroup?: number;
}

export function toMarkdown(result: SuiteResult, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  const icon = result.conformant ? "✅" : "❌";
  out.push(`## ${icon} Keras LSTM conformance: ${text(result.engine.name)} ${text(result.engine.version)}`, "");
  out.push(`**Level: ${result.level}** — ${LEVEL_DESCRIPTIONS[result.level]}.`, "");
  out.push(verdictLine(result), "");
  const groups = problemGroups(result);
  for (const g of groups) out.push(`- **${text(groupHeadline(g, result))}**${g.explanation ? ` — ${text(g.explanation)}` : ""}`);
  if (groups.length > 0) out.push("");
  out.push("| family | passed | failed | unsupported | errors | skipped | known | worst abs err |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const f of summariseFamilies(result)) {
    const c = f.counts;
    out.push(`| ${text(f.family)} | ${c.pass} | ${c.fail + c["unexpected-pass"]} | ${c.unsupported} | ${c.error} | ${c.skip} | ${c["known-failure"]} | ${formatError(f.worstMaxAbs)} |`);
  }
  out.push("");
  if (groups.length > 0) {
    out.push(`### Problems (${problemVerdicts(result).length})`, "");
    const max = options.maxProblems ?? 12;
    const perGroup = options.examplesPerGroup ?? 2;
    let shown = 0;
    for (const g of groups) {
      const examples = exampleVerdicts(g.verdicts, Math.max(0, Math.min(perGroup, max - shown)));
      shown += examples.length;
      const alternatives = g.alternatives.length > 0 ? `; on some of them indistinguishable from ${g.alternatives.map(([id, n]) => `${markdownCodeSpan(id)} (${n})`).join(", ")}` : "";
      out.push(`**${markdownCodeSpan(g.title)}** — ${g.verdicts.length} case(s)${alternatives}${examples.length > 0 ? `; ${examples.length} in full:` : ""}`, "");
      for (const v of examples) out.push(...folded(v));
      const rest = g.verdicts.filter((v) => !examples.includes(v));
      if (rest.length > 0) out.push(`<details><summary>${rest.length} more</summary>`, "", idList(rest), "", "</details>", "");
    }
    out.push("Every case in full: `--report json`, or rerun one with its `reproduce` command.", "");
  }
  const sections: [string, CaseVerdict["status"]][] = [
    ["Known failures", "known-failure"],
    ["Unsupported", "unsupported"],
    ["Skipped", "skip"],
  ];
  for (const [title, status] of sections) {
    const vs = result.cases.filter((v) => v.status === status);
    if (vs.length > 0) out.push(`### ${title} (${vs.length})`, "", ...reasonItems(vs), "");
  }
  const failedProperties = result.properties.filter((p) => p.status === "fail" || p.status === "error");
  if (failedProperties.length > 0) {
    out.push(`### Properties (${failedProperties.length} failing)`, "");
    for (const p of failedProperties) out.push(`- ${markdownCodeSpan(p.id)} (${text(p.specSection)}, seed ${p.seed}): ${text(p.message ?? p.status)}`);
    out.push("");
  }
  for (const w of result.warnings) out.push(`> warning: ${text(w)}`);
  // Without a blank line the next line would continue the quote.
  if (result.warnings.length > 0) out.push("");
  out.push(`<sub>keras-rnn-conformance ${text(result.suite.version)}, ${result.cases.length} cases, ${(result.durationMs / 1000).toFixed(1)} s</sub>`, "");
  return out.join("\n");
}
