/**
 * The README's "Routes out of Keras" block (spec/porting.md §17), rendered from the committed route
 * reports and evidence files: route × family with pass / fail / unsupported / error, the lowering
 * each converter chose (read from the converted files), the timings, and for each divergence what
 * the converter does instead, the evidence found inside the converted model, and the suite's
 * diagnosis. A pure function of the files, so a test can re-render them and catch a stale README.
 * The grouping of non-passes and the per-family rows are the engine table's (scripts/engine-results/render.ts).
 */
import { matchesIdPattern } from "../../conformance/select.ts";
import type { CaseVerdict } from "../../conformance/verdict.ts";
import { cellRows, formatSeconds, nonPassGroups, renderGroup } from "../engine-results/render.ts";
import type { CaseEvidence, RouteResult } from "./routes.ts";

export const ROUTE_MARKERS: readonly [string, string] = ["<!-- route-table:start -->", "<!-- route-table:end -->"];
export const REGENERATE = "npm run routes";
export const RENDER_ONLY = "npx tsx scripts/route-table.ts --render-only";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The lowering's kind, without the counts and sizes that vary per case: what a pass exercised. */
export function loweringKind(lowering: string): string {
  const body = lowering
    .replace(/^lowering: /, "")
    .replace(/ \((opset \d+, )?\d+ (nodes|ops)\)/g, "")
    // tflite_graph.py lists the variable ops and the TF ops kept: the kind is that there are some.
    .replace(/variables: VAR_HANDLE ×\d+, ASSIGN_VARIABLE ×\d+, READ_VARIABLE ×\d+/g, "variables")
    .replace(/TF ops kept: [^;]*/g, "TF ops kept");
  return body
    .split(/, |; /)
    .map((p) => p.replace(/ ×\d+/g, ""))
    .filter((p, i, all) => p !== "" && all.indexOf(p) === i)
    .join(" + ");
}

/** "ONNX LSTM node: 60 passes, 2 failures; ONNX Loop: …" — the lowerings of the cases that ran. */
export function loweringSummary(verdicts: readonly CaseVerdict[], evidence: ReadonlyMap<string, CaseEvidence>): string {
  const kinds = new Map<string, { pass: number; other: number }>();
  for (const v of verdicts) {
    const e = evidence.get(v.id);
    if (e === undefined || (v.status !== "pass" && v.status !== "fail" && v.status !== "known-failure")) continue;
    const k = loweringKind(e.lowering);
    const n = kinds.get(k) ?? { pass: 0, other: 0 };
    if (v.status === "pass") n.pass++;
    else n.other++;
    kinds.set(k, n);
  }
  return [...kinds.entries()]
    .sort((a, b) => b[1].pass + b[1].other - (a[1].pass + a[1].other))
    .map(([k, n]) => `${k} — ${n.pass} passed${n.other > 0 ? `, ${n.other} failed` : ""}`)
    .join("; ");
}

function timings(result: RouteResult): string {
  const ran = result.report.cases.map((v) => result.evidence.get(v.id)).filter((e): e is CaseEvidence => e !== undefined);
  const convert = median(ran.map((e) => e.convert_s));
  const run = median(ran.map((e) => e.run_s));
  const build = median(ran.map((e) => e.build_s));
  if (convert === null || run === null || build === null) return "no case reached the converter";
  const total = ran.reduce((s, e) => s + e.convert_s, 0);
  return `median per case: build ${build.toFixed(2)} s, convert ${convert.toFixed(2)} s, run ${(run * 1000).toFixed(1)} ms; converting took ${total.toFixed(0)} s over ${ran.length} cases`;
}

/** The evidence of a group's failing cases, said once: the first case's lines (they name that case's model). */
function evidenceLines(verdicts: readonly CaseVerdict[], evidence: ReadonlyMap<string, CaseEvidence>): string[] {
  const first = verdicts.map((v) => evidence.get(v.id)).find((e) => e !== undefined && e.evidence.length > 0);
  if (first === undefined) return [];
  return [`  - evidence, inside the converted model of \`${first.case}\` (${cell(first.lowering)}): ${first.evidence.map((e) => cell(e)).join(" — ")}`];
}

const UNSUPPORTED_PREFIX = "engine cannot run this case: ";

/** The converters' refusals in their own words, each once with its count: the group's heading keeps only the clause before the first colon. */
function refusalWords(verdicts: readonly CaseVerdict[]): string {
  const counts = new Map<string, number>();
  for (const v of verdicts) {
    const m = v.message.startsWith(UNSUPPORTED_PREFIX) ? v.message.slice(UNSUPPORTED_PREFIX.length) : v.message;
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([m, n]) => `"${cell(m)}" (${n})`);
  return `  - in its words: ${words.slice(0, 6).join("; ")}${words.length > 6 ? `; and ${words.length - 6} more` : ""}`;
}

function divergenceOf(result: RouteResult, v: CaseVerdict): string | undefined {
  return result.route.divergences.find((d) => d.pattern === "" || matchesIdPattern(v.id, d.pattern))?.instead;
}

/** A shard is a deterministic part of the corpus (`--shard`): said, so that its counts are not read as the corpus's. */
function partial(result: RouteResult): string {
  const s = result.report.selection.shard;
  return s ? ` **Partial run**: shard ${s.index}/${s.count} of the corpus (${result.report.cases.length} of ${result.report.selection.casesLoaded} cases)${result.route.partial ? ` — ${result.route.partial}` : ""}.` : "";
}

function routeSection(result: RouteResult): string[] {
  const { route, report } = result;
  const c = report.counts;
  const out = [
    `**${route.name}** — ${route.what}. ${c.pass} of ${report.cases.length} pass; ${c.fail + c["unexpected-pass"]} fail, ${c.unsupported} unsupported, ${c.error} errors. ` +
      `Version: ${cell(report.engine.version)}. Timings: ${timings(result)}. What the wrapper needed: ${route.needed}.${partial(result)}`,
    "",
  ];
  const lowerings = loweringSummary(report.cases, result.evidence);
  if (lowerings !== "") out.push(`- lowering (read from the converted files): ${lowerings}`);
  const allIds = report.cases.map((v) => v.id);
  for (const group of nonPassGroups(report)) {
    const lines = renderGroup(group, allIds);
    const failing = group.verdicts.filter((v) => v.status === "fail" || v.status === "known-failure");
    if (failing.length > 0) {
      const instead = divergenceOf(result, failing[0]!);
      if (instead !== undefined) lines[0] = lines[0]!.replace(" — ", ` — what the converter does instead: ${cell(instead)}; `);
    }
    out.push(...lines);
    const refused = group.verdicts.filter((v) => v.status === "unsupported" && v.missingFeatures.length === 0);
    if (refused.length > 0) out.splice(out.length - (lines.length > 1 ? 1 : 0), 0, refusalWords(refused));
    if (failing.length > 0) {
      const ev = evidenceLines(failing, result.evidence);
      // After a folded list the evidence follows its </details>; inline, it follows the line.
      if (ev.length > 0) out.splice(out.length - (lines.length > 1 ? 1 : 0), 0, ...ev);
    }
  }
  for (const w of report.warnings) out.push(`- note: ${cell(w)}`);
  if (out[out.length - 1] !== "") out.push("");
  return out;
}

/** The Keras options of the matrix, in a porter's order; a case counts under every option it needs (its features). */
const OPTIONS: readonly (readonly [string, (f: readonly string[]) => boolean])[] = [
  ["default layer (tanh, sigmoid; no mask, state or stack)", (f) => !f.some((x) => /^(mask|masking_layer|initial_state|stateful|stacked|go_backwards|use_bias_false|zero_output_for_mask|gru:reset_after_false)$/.test(x) || /^(recurrent_)?activation:(?!tanh$|sigmoid$)/.test(x))],
  ["another activation", (f) => f.some((x) => /^(recurrent_)?activation:(?!tanh$|sigmoid$)/.test(x))],
  ["`go_backwards`", (f) => f.includes("go_backwards")],
  ["`mask=`", (f) => f.includes("mask")],
  ["Masking layer", (f) => f.includes("masking_layer")],
  ["`zero_output_for_mask`", (f) => f.includes("zero_output_for_mask")],
  ["`initial_state`", (f) => f.includes("initial_state")],
  ["`return_state`", (f) => f.includes("return_state")],
  ["stack", (f) => f.includes("stacked")],
  ["`stateful`", (f) => f.includes("stateful")],
  ["GRU `reset_after=False`", (f) => f.includes("gru:reset_after_false")],
  ["Bidirectional", (f) => f.includes("bidirectional")],
  ["tf-keras model", (f) => f.includes("dialect:tf-keras")],
];

/** kept (every case that ran passed), lost (some failed: how many), refused (none ran), with the counts. */
export function optionCell(verdicts: readonly CaseVerdict[]): string {
  const n = (s: CaseVerdict["status"]) => verdicts.filter((v) => v.status === s).length;
  const pass = n("pass");
  const fail = n("fail") + n("unexpected-pass") + n("known-failure");
  const error = n("error");
  const unsupported = n("unsupported");
  if (verdicts.length === 0) return "—";
  const rest = [unsupported > 0 ? `${unsupported} refused` : "", error > 0 ? `${error} errors` : ""].filter((x) => x !== "").join(", ");
  if (fail > 0) return `**lost** in ${fail} of ${pass + fail}${rest ? `; ${rest}` : ""}`;
  if (pass > 0) return `kept (${pass})${rest ? `; ${rest}` : ""}`;
  return error > 0 && unsupported === 0 ? `${error} errors` : `refused (${unsupported})${error > 0 ? `; ${error} errors` : ""}`;
}

export function optionMatrix(results: readonly RouteResult[]): string[] {
  const converters = results.filter((r) => !r.route.control);
  const out = [`| Keras option | ${converters.map((r) => cell(r.route.name)).join(" | ")} |`, `| --- |${converters.map(() => " --- |").join("")}`];
  for (const [label, has] of OPTIONS) {
    // A stateful case counts under `stateful` only: its failures would otherwise show under every option it also uses.
    const counted = (v: CaseVerdict) => has(v.features) && (label === "`stateful`" || !v.features.includes("stateful"));
    out.push(`| ${label} | ${converters.map((r) => optionCell(r.report.cases.filter(counted))).join(" | ")} |`);
  }
  return out;
}

/** The block between the markers, markers excluded. */
export function renderRouteTable(results: readonly RouteResult[]): string {
  // The inference cases of an unsharded run (routes.ts `inferenceOnly`: gradient cases are outside a converter's scope).
  const cases = Math.max(0, ...results.filter((r) => r.report.selection.shard === null).map((r) => r.report.cases.length));
  const out: string[] = [
    `<!-- Generated by \`${RENDER_ONLY}\` from results/routes/ — do not edit by hand. -->`,
    "",
    `Each route ran the shipped corpus (its ${cases} inference cases from real Keras, \`--properties 0\`; the gradient cases are outside a converted model's scope) as a converter engine ` +
      "(`conformance/engines/converters/`, spec/porting.md §17): the case's Keras model rebuilt, converted, and the converted model run on the case's calls. " +
      "*unsupported* means the converter (or the runtime's importer) refused the model, or the route cannot build it — its own words are below; " +
      "*lowering* is what the converter put in the file, read from the file. The two control rows are the same wrapper with the conversion switched off: " +
      `their passes are what make the other rows' failures the converters'. Rerun everything with \`${REGENERATE}\` (one route: \`npx tsx scripts/route-table.ts --only <route>\`; ` +
      `the table alone: \`${RENDER_ONLY}\`); the reports and evidence are in \`results/routes/\`.`,
    "",
    "Which route keeps which Keras option — *kept*: every case with the option that the route ran passed; *lost*: some failed; *refused*: the converter refused them all (counts of cases; a case counts under each option it uses, a stateful case under `stateful` only):",
    "",
    ...optionMatrix(results),
    "",
    "| route | cases | passed | failed | unsupported | errors | corpus time |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const { route, report } of results) {
    cellRows(report).forEach((row, i) => {
      const c = row.counts;
      out.push(`| ${i === 0 ? cell(route.name) : ""} | ${row.label} | ${c.pass} | ${c.fail + c["unexpected-pass"]} | ${c.unsupported} | ${c.error} | ${i === 0 ? formatSeconds(report.durationMs) : ""} |`);
    });
  }
  out.push("");
  for (const r of results) out.push(...routeSection(r));
  return out.join("\n");
}
