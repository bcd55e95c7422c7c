/**
 * Markdown (spec/adapter.md §6) for CI summaries, e.g. `--report markdown --out "$GITHUB_STEP_SUMMARY"`:
 * the verdict, the table per family, then each problem folded in a `<details>`. GitHub renders HTML
 * in it, so every string we did not write — above all the engine's — goes through escape.ts: inline
 * text as character references, multi-line text in a code block it cannot close.
 */
import { LEVEL_DESCRIPTIONS } from "../levels.ts";
import type { SuiteResult } from "../verdict.ts";
import { formatVerdict } from "./console.ts";
import { markdownCodeBlock, markdownCodeSpan, markdownInline as text } from "./escape.ts";
import { formatError, problemVerdicts, summariseFamilies, verdictLine } from "./summary.ts";

export function toMarkdown(result: SuiteResult, maxProblems = 50): string {
  const out: string[] = [];
  const icon = result.conformant ? "✅" : "❌";
  out.push(`## ${icon} Keras LSTM conformance: ${text(result.engine.name)} ${text(result.engine.version)}`, "");
  out.push(`**Level: ${result.level}** — ${LEVEL_DESCRIPTIONS[result.level]}.`, "");
  out.push(verdictLine(result), "");
  out.push("| family | passed | failed | unsupported | errors | skipped | known | worst abs err |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const f of summariseFamilies(result)) {
    const c = f.counts;
    out.push(`| ${text(f.family)} | ${c.pass} | ${c.fail + c["unexpected-pass"]} | ${c.unsupported} | ${c.error} | ${c.skip} | ${c["known-failure"]} | ${formatError(f.worstMaxAbs)} |`);
  }
  out.push("");
  const problems = problemVerdicts(result);
  if (problems.length > 0) {
    out.push(`### Problems (${problems.length})`, "");
    for (const v of problems.slice(0, maxProblems)) {
      // The summary line starts an HTML block that the blank line after it ends: one line, references only.
      out.push(`<details><summary><code>${text(v.id)}</code> — ${v.status}${v.diagnosis ? `: ${text(v.diagnosis.explanation)}` : ""}</summary>`, "", markdownCodeBlock(formatVerdict(v)), "", "</details>", "");
    }
    if (problems.length > maxProblems) out.push(`… and ${problems.length - maxProblems} more in the JSON report.`, "");
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
