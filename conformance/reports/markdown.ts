/**
 * Markdown (spec/adapter.md §6) for CI summaries, e.g. `--report markdown --out "$GITHUB_STEP_SUMMARY"`:
 * the verdict, the table per family, then each problem folded in a `<details>`.
 */
import { LEVEL_DESCRIPTIONS } from "../levels.ts";
import type { SuiteResult } from "../verdict.ts";
import { formatVerdict } from "./console.ts";
import { formatError, problemVerdicts, summariseFamilies, verdictLine } from "./summary.ts";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function toMarkdown(result: SuiteResult, maxProblems = 50): string {
  const out: string[] = [];
  const icon = result.conformant ? "✅" : "❌";
  out.push(`## ${icon} Keras LSTM conformance: ${result.engine.name} ${result.engine.version}`, "");
  out.push(`**Level: ${result.level}** — ${LEVEL_DESCRIPTIONS[result.level]}.`, "");
  out.push(verdictLine(result), "");
  out.push("| family | passed | failed | unsupported | errors | skipped | known | worst abs err |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const f of summariseFamilies(result)) {
    const c = f.counts;
    out.push(`| ${cell(f.family)} | ${c.pass} | ${c.fail + c["unexpected-pass"]} | ${c.unsupported} | ${c.error} | ${c.skip} | ${c["known-failure"]} | ${formatError(f.worstMaxAbs)} |`);
  }
  out.push("");
  const problems = problemVerdicts(result);
  if (problems.length > 0) {
    out.push(`### Problems (${problems.length})`, "");
    for (const v of problems.slice(0, maxProblems)) {
      out.push(`<details><summary><code>${v.id}</code> — ${v.status}${v.diagnosis ? `: ${cell(v.diagnosis.explanation)}` : ""}</summary>`, "", "```", formatVerdict(v), "```", "", "</details>", "");
    }
    if (problems.length > maxProblems) out.push(`… and ${problems.length - maxProblems} more in the JSON report.`, "");
  }
  const failedProperties = result.properties.filter((p) => p.status === "fail" || p.status === "error");
  if (failedProperties.length > 0) {
    out.push(`### Properties (${failedProperties.length} failing)`, "");
    for (const p of failedProperties) out.push(`- \`${p.id}\` (${p.specSection}, seed ${p.seed}): ${cell(p.message ?? p.status)}`);
    out.push("");
  }
  for (const w of result.warnings) out.push(`> warning: ${cell(w)}`);
  out.push(`<sub>keras-rnn-conformance ${result.suite.version}, ${result.cases.length} cases, ${(result.durationMs / 1000).toFixed(1)} s</sub>`, "");
  return out.join("\n");
}
