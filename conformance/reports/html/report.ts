/**
 * `--report html` (spec/adapter.md §6.4): one page a porter opens from disk to *see* a failure. The
 * verdict and level as a banner (the run's own verdict, run-verdict.ts: this page decides nothing),
 * counts per family, the problems grouped by diagnosis, and for the first failing cases a card each:
 * heatmaps of |engine − Keras| / tolerance over time step × unit per output, the worst unit over
 * time against Keras with the first divergence marked, the case's config and the command that
 * reruns it. Then known failures, unsupported and skipped cases with their reasons, and the
 * properties with their counterexamples.
 *
 * Every string the suite did not write — engine name and messages, fixture ids and descriptions,
 * expectation reasons — goes through `h` (escape.ts); the page's CSP runs no other script (page.ts).
 */
import { LEVEL_DESCRIPTIONS } from "../../levels.ts";
import { VERDICT_WORDS } from "../../run-verdict.ts";
import type { UnitSeries } from "../../failure-detail.ts";
import type { CaseVerdict, PropertyResult, SuiteResult } from "../../verdict.ts";
import { diagnosisNote, formatError, groupByReason, groupHeadline, problemGroups, problemVerdicts, reasonOf, summariseFamilies, verdictLine } from "../summary.ts";
import { chartRenderer, heatmapSpec, seriesSpec, type ChartRenderer } from "./charts.ts";
import { commandBlock, filterBox, h, htmlPage } from "./page.ts";
import { toneOf } from "./tone.ts";

export interface HtmlReportOptions {
  /** Failing cases shown as cards with their charts, at most (default 20); the rest are rows of the tables. */
  readonly maxCards?: number;
  /** Characters of a property's counterexample shown, at most (default 20 000). */
  readonly maxCounterexample?: number;
  /** The chart renderer (default: vega-lite + vega). */
  readonly charts?: ChartRenderer;
}

export const DEFAULT_MAX_CARDS = 20;

const STATUS_WORDS: Readonly<Record<CaseVerdict["status"], string>> = {
  pass: "passed",
  fail: "failed",
  error: "error",
  unsupported: "unsupported",
  skip: "skipped",
  "known-failure": "known failure",
  "unexpected-pass": "unexpected pass",
};

const firstLine = (s: string): string => s.split("\n")[0] ?? "";
/** A float32 value as a person reads it: 7 significant digits, which tell float32 values apart. */
const num = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(7))) : String(x));

function banner(result: SuiteResult): string {
  const reasons = result.reasons.length > 0 ? `<ul>${result.reasons.map((r) => `<li>${h(r)}</li>`).join("")}</ul>` : "";
  // what a porter reads first: what the failures share (spec/adapter.md §4.2)
  const groups = problemGroups(result).map((g) => `<li><strong>${h(groupHeadline(g, result))}</strong>${g.explanation !== null ? ` — ${h(g.explanation)}` : ""}</li>`);
  const summary = groups.length > 0 ? `<ul class="groups">${groups.join("")}</ul>` : "";
  return `<header class="banner ${result.verdict}" id="verdict">
<h1 class="verdict">${h(VERDICT_WORDS[result.verdict])} — level ${h(result.level)}</h1>
<p><strong>${h(result.engine.name)}</strong> ${h(result.engine.version)} · required level ${h(result.requiredLevel)} · exit code ${result.exitCode}</p>
<p class="small" id="verdict-line">${h(verdictLine(result))}</p>
<p class="small muted">Level ${h(result.level)}: ${h(LEVEL_DESCRIPTIONS[result.level])}.</p>
${reasons}${summary}
</header>`;
}

/** A count cell; zeros are greyed, so that the counts that matter stand out. */
const count = (n: number): string => `<td class="n${n === 0 ? " zero" : ""}">${n}</td>`;

function familyTable(result: SuiteResult): string {
  const rows = summariseFamilies(result).map((f) => {
    const c = f.counts;
    return `<tr class="${toneOf(c)}"><td>${h(f.family)}</td>${[f.total, c.pass, c.fail + c["unexpected-pass"], c.error, c["known-failure"], c.unsupported, c.skip].map(count).join("")}<td class="n">${h(formatError(f.worstMaxAbs))}</td></tr>`;
  });
  const c = result.counts;
  const total = `<tr><th>total</th><th class="n">${result.cases.length}</th><th class="n">${c.pass}</th><th class="n">${c.fail + c["unexpected-pass"]}</th><th class="n">${c.error}</th><th class="n">${c["known-failure"]}</th><th class="n">${c.unsupported}</th><th class="n">${c.skip}</th><th></th></tr>`;
  return `<h2 id="families">Cases per family</h2>
<table id="family-table"><thead><tr><th>family</th><th class="n">cases</th><th class="n">passed</th><th class="n">failed</th><th class="n">errors</th><th class="n">known failures</th><th class="n">unsupported</th><th class="n">skipped</th><th class="n">worst abs error</th></tr></thead>
<tbody>${rows.join("\n")}</tbody><tfoot>${total}</tfoot></table>
<p class="small muted">failed includes unexpected passes (a case listed as failing that passed). Properties are the family <code>property</code>.</p>`;
}

/** The first divergence in a line, or why there is none. */
function divergenceText(v: CaseVerdict): string {
  const d = v.firstDivergence;
  if (d === null) return v.firstDivergenceNote ?? "–";
  return `step ${d.timestep} (batch ${d.batch}, unit ${d.unit}${d.call > 0 ? `, call ${d.call + 1}` : ""}): engine ${num(d.actual)}, Keras ${num(d.expected)} (${d.source})`;
}

function problemTables(result: SuiteResult, cardIds: ReadonlyMap<CaseVerdict, string>): string {
  const groups = problemGroups(result);
  if (groups.length === 0) return "";
  const sections = groups.map((g, i) => {
    const alternatives = g.alternatives.length > 0 ? `<p class="small">On some of these cases indistinguishable from ${g.alternatives.map(([id, n]) => `<code>${h(id)}</code> (${n})`).join(", ")}.</p>` : "";
    const rows = g.verdicts.map((v) => {
      const card = cardIds.get(v);
      const id = card !== undefined ? `<a href="#${card}"><code>${h(v.id)}</code></a>` : `<code>${h(v.id)}</code>`;
      return `<tr class="fail"><td>${id}</td><td>${h(STATUS_WORDS[v.status])}</td><td class="n">${h(formatError(v.maxAbs))}</td><td>${h(divergenceText(v))}</td><td>${h(firstLine(v.message))}</td></tr>`;
    });
    return `<h3>${h(g.title)} — ${g.verdicts.length} case(s)</h3>
${g.explanation !== null ? `<p>${h(g.explanation)}</p>` : ""}${alternatives}
${filterBox(`problems-${i}`, "filter these cases")}
<table id="problems-${i}"><thead><tr><th>case</th><th>status</th><th class="n">max abs</th><th>first divergence</th><th>what happened</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>`;
  });
  return `<h2 id="problems">Problems (${problemVerdicts(result).length}), grouped by diagnosis</h2>\n${sections.join("\n")}`;
}

/** The cases shown in full: problems in group order, those with a detail (charts) first. */
function cardVerdicts(result: SuiteResult, max: number): CaseVerdict[] {
  const ordered = problemGroups(result).flatMap((g) => g.verdicts);
  return [...ordered.filter((v) => v.detail !== undefined), ...ordered.filter((v) => v.detail === undefined)].slice(0, max);
}

function configText(v: CaseVerdict): string {
  if (v.detail === undefined) return "";
  return `<details><summary>config (${v.detail.layers.map((l) => h(l.className)).join(" → ")})</summary><pre>${h(JSON.stringify(v.detail.layers, null, 1))}</pre></details>`;
}

async function charts(v: CaseVerdict, renderer: ChartRenderer, cardId: string): Promise<string> {
  const detail = v.detail;
  if (detail === undefined) {
    const why = v.status === "error" ? "the engine returned no outputs to compare" : v.maxAbs === null ? "the outputs could not be compared (shape or count)" : "only the first failing cases of a run carry the values to plot (spec/adapter.md §6.4)";
    return `<p class="muted small">No charts: ${h(why)}.</p>`;
  }
  const figures: string[] = [];
  const calls = new Set(detail.grids.map((g) => g.call)).size;
  // the plot over time first: it is where a porter sees the error start and grow
  if (detail.series !== null) figures.push(await seriesFigure(v, detail.series, calls, renderer, cardId));
  else if (detail.seriesNote !== undefined) figures.push(`<p class="muted small">No plot over time: ${h(detail.seriesNote)}.</p>`);
  for (const [i, grid] of detail.grids.entries()) {
    const where = `${calls > 1 ? `call ${grid.call + 1}, ` : ""}output ${grid.output} (${grid.outputName})`;
    const cut = grid.timesteps !== null && grid.rows < grid.timesteps ? `, first ${grid.rows} of ${grid.timesteps} steps` : "";
    const nonFinite = grid.nonFinite > 0 ? `; ${grid.nonFinite} NaN/Inf value(s)` : "";
    figures.push(`<figure class="heatmap" id="${cardId}-grid-${i}"><figcaption>${h(where)}: |engine − Keras| / tolerance, largest over the batch${h(cut)}${h(nonFinite)}</figcaption>${await renderer.svg(heatmapSpec(grid))}</figure>`);
  }
  return `<div class="charts">${figures.join("\n")}</div>`;
}

async function seriesFigure(v: CaseVerdict, s: UnitSeries, calls: number, renderer: ChartRenderer, cardId: string): Promise<string> {
  const d = v.firstDivergence;
  const marker = d !== null && d.call === s.call ? { step: d.timestep, label: d.unit === s.unit && d.batch === s.batch ? "first divergence" : `first divergence (unit ${d.unit}, batch ${d.batch})` } : null;
  const where = `${calls > 1 ? `call ${s.call + 1}, ` : ""}${s.source === "sequence output" ? "output 0" : "h re-run with return_sequences"}`;
  return `<figure class="series" id="${cardId}-series"><figcaption>${h(where)}: the worst unit over time, Keras ± tolerance (band) and the engine</figcaption>${await renderer.svg(seriesSpec(s, marker))}</figure>`;
}

async function card(v: CaseVerdict, cardId: string, renderer: ChartRenderer): Promise<string> {
  const t = v.tolerance;
  const diagnosis = v.diagnosis
    ? `<dt>diagnosis</dt><dd><code>${h(v.diagnosis.hypothesis)}</code> — ${h(v.diagnosis.explanation)}${v.diagnosis.alternatives?.length ? ` (indistinguishable here from ${v.diagnosis.alternatives.map((a) => `<code>${h(a)}</code>`).join(", ")})` : ""}</dd>`
    : "";
  const worst = v.worst ? `<dt>worst element</dt><dd>${h(`${v.worst.outputName}[${v.worst.index.join(", ")}]${v.worst.call > 0 ? ` of call ${v.worst.call + 1}` : ""}: engine ${num(v.worst.actual)}, Keras ${num(v.worst.expected)}`)}</dd>` : "";
  return `<section class="case" id="${cardId}" data-case="${h(v.id)}">
<h3><code>${h(v.id)}</code> — ${h(STATUS_WORDS[v.status])}</h3>
<p class="small muted">${h(v.description)}</p>
<dl class="facts">
<dt>what happened</dt><dd>${h(firstLine(v.message))}</dd>
${diagnosis}
<dt>first divergence</dt><dd>${h(divergenceText(v))}</dd>
${worst}
<dt>tolerance</dt><dd>atol ${t.atol} + rtol ${t.rtol}·|Keras| (${h(t.source)})</dd>
<dt>features</dt><dd>${v.features.map((f) => `<code>${h(f)}</code>`).join(" ")}</dd>
<dt>fixture</dt><dd><code>${h(v.file)}</code></dd>
</dl>
${await charts(v, renderer, cardId)}
${configText(v)}
${v.message.includes("\n") ? `<details><summary>the whole message</summary><pre>${h(v.message)}</pre></details>` : ""}
${v.reproduce !== undefined ? `<p class="small">Rerun this case:</p>${commandBlock(`${cardId}-reproduce`, v.reproduce)}` : ""}
</section>`;
}

/** Known failures, unsupported and skipped cases, grouped by their reason. */
function notRunSections(result: SuiteResult): string {
  const sections: [string, string, CaseVerdict["status"]][] = [
    ["known", "Known failures", "known-failure"],
    ["unsupported", "Unsupported", "unsupported"],
    ["skipped", "Skipped", "skip"],
  ];
  return sections
    .map(([anchor, title, status]) => {
      const vs = result.cases.filter((v) => v.status === status);
      if (vs.length === 0) return "";
      const groups = groupByReason(vs, reasonOf).map(({ reason, verdicts }) => {
        const note = diagnosisNote(verdicts);
        return `<li><strong>${verdicts.length}</strong> — ${h(reason)}${note ? ` <span class="muted">(${h(note)})</span>` : ""}<details><summary>${verdicts.length} case(s)</summary><p class="small">${verdicts.map((v) => `<code>${h(v.id)}</code>`).join(", ")}</p></details></li>`;
      });
      return `<h2 id="${anchor}">${title} (${vs.length})</h2>\n<ul class="reasons">${groups.join("\n")}</ul>`;
    })
    .join("\n");
}

function propertySection(result: SuiteResult, maxCounterexample: number): string {
  if (result.properties.length === 0) return "";
  const tone = (p: PropertyResult): string => (p.status === "fail" || p.status === "error" ? "fail" : p.status === "pass" ? "pass" : p.status === "known-failure" ? "known" : "unsupported");
  const rows = result.properties.map((p) => `<tr class="${tone(p)}"><td><code>${h(p.id)}</code></td><td>${h(p.status)}</td><td class="n">${p.runs}</td><td>${h(p.specSection)}</td><td>${p.referenceChecked ? "reference" : "Keras fixtures"}</td><td>${h(firstLine(p.message ?? ""))}</td></tr>`);
  const failing = result.properties.filter((p) => p.status === "fail" || p.status === "error" || p.status === "known-failure");
  const details = failing.map((p, i) => {
    const json = p.counterexample !== undefined ? JSON.stringify(p.counterexample, null, 1) : "";
    const shown = json.length > maxCounterexample ? `${json.slice(0, maxCounterexample)}\n… (${json.length - maxCounterexample} more characters; the whole file is below)` : json;
    const file = p.counterexampleFile !== undefined ? `<p class="small">Saved as a fixture file; rerun it as a case by adding these options to this run's command:</p>${commandBlock(`property-${i}-rerun`, `--fixtures ${p.counterexampleFile} --properties 0`)}` : "";
    return `<section class="case property" id="property-${i}"><h3><code>${h(p.id)}</code> — ${h(p.status)} (seed ${p.seed})</h3>
<pre>${h(p.message ?? "")}</pre>
${json !== "" ? `<details open><summary>counterexample (shrunk)</summary><pre class="counterexample">${h(shown)}</pre></details>` : `<p class="muted small">No counterexample recorded.</p>`}
${file}
</section>`;
  });
  return `<h2 id="properties">Property-based tests (${result.properties.length})</h2>
<table id="property-table"><thead><tr><th>property</th><th>status</th><th class="n">runs</th><th>spec</th><th>oracle</th><th>message</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>
${details.join("\n")}`;
}

function listSection(id: string, title: string, items: readonly string[]): string {
  return items.length === 0 ? "" : `<h2 id="${id}">${title} (${items.length})</h2><ul>${items.map((w) => `<li><pre>${h(w)}</pre></li>`).join("")}</ul>`;
}

/** The HTML report of a run: a self-contained page (spec/adapter.md §6.4). */
export async function toHtmlReport(result: SuiteResult, options: HtmlReportOptions = {}): Promise<string> {
  const renderer = options.charts ?? (await chartRenderer());
  const cards = cardVerdicts(result, options.maxCards ?? DEFAULT_MAX_CARDS);
  const cardIds = new Map(cards.map((v, i) => [v, `case-${i}`] as const));
  const cardHtml: string[] = [];
  for (const [v, id] of cardIds) cardHtml.push(await card(v, id, renderer));
  const problems = problemVerdicts(result).length;
  const cardsSection =
    cards.length === 0
      ? ""
      : `<h2 id="cases">Failing cases in detail (${cards.length} of ${problems})</h2>
<p class="small muted">Heatmap colours: how many tolerances (atol + rtol·|Keras|, spec/tolerance.md) the engine is from Keras; green is within. ${cards.length < problems ? "The other failing cases are rows of the tables above." : ""}</p>
${cardHtml.join("\n")}`;
  const sections = [
    listSection("load-errors", "Fixtures that did not load", result.loadErrors),
    familyTable(result),
    problemTables(result, cardIds),
    cardsSection,
    notRunSections(result),
    propertySection(result, options.maxCounterexample ?? 20_000),
    listSection("warnings", "Warnings", result.warnings),
  ].join("\n");
  // a link for each section the page has, named by its heading
  const nav = [...sections.matchAll(/<h2 id="([\w-]+)">([^<(]+)/g)].map((m) => `<a href="#${m[1]}">${m[2]!.trim().replace(/,.*$/, "")}</a>`).join(" · ");
  const body = [
    banner(result),
    `<nav class="small">${nav}</nav>`,
    sections,
    `<footer class="small muted"><p>keras-rnn-conformance ${h(result.suite.version)} · started ${h(result.startedAt)} · ${(result.durationMs / 1000).toFixed(1)} s · ${result.cases.length} cases, ${result.selection.casesLoaded} loaded${result.selection.filters.length > 0 ? ` · filters ${result.selection.filters.map((f) => `<code>${h(f)}</code>`).join(" ")}` : ""}${result.selection.shard ? ` · shard ${result.selection.shard.index}/${result.selection.shard.count}` : ""} · charts by Vega-Lite, rendered to SVG when the report was written</p></footer>`,
  ];
  return htmlPage(`${VERDICT_WORDS[result.verdict]} — ${result.engine.name} ${result.engine.version} — keras-rnn-conformance`, body.filter((b) => b !== "").join("\n"));
}
