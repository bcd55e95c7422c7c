/**
 * The engine matrix (spec/adapter.md §6.4): several engines' JSON reports as one page — a row per
 * family (each verdict's `family`), a column per engine, each cell coloured by its cases'
 * results (tone.ts) and linking to what did not pass there and why. Each engine's verdict and level
 * are its own report's (run-verdict.ts); the page recomputes nothing.
 */
import { VERDICT_WORDS } from "../../run-verdict.ts";
import { CASE_STATUSES, countStatuses, type CaseStatus, type CaseVerdict, type SuiteResult } from "../../verdict.ts";
import { groupByReason, reasonOf } from "../summary.ts";
import { h, htmlPage } from "./page.ts";
import { TONE_WORDS, toneOf, type Tone } from "./tone.ts";

/** Cells in the order the README's engine table gives them; families of other prefixes follow. */
const CELL_ORDER = ["lstm", "gru", "simple_rnn"] as const;
const CELL_TITLES: Readonly<Record<string, string>> = { lstm: "LSTM", gru: "GRU", simple_rnn: "SimpleRNN", bidirectional: "Bidirectional" };

const cellOf = (family: string): string => family.split("/")[0]!;

/** Short words for the non-passing counts of a cell. */
const SHORT: readonly (readonly [CaseStatus, string])[] = [
  ["fail", "failed"],
  ["error", "errors"],
  ["unexpected-pass", "unexpected passes"],
  ["known-failure", "known"],
  ["unsupported", "unsupported"],
  ["skip", "skipped"],
];

function countsText(counts: Readonly<Record<CaseStatus, number>>, total: number): string {
  const rest = SHORT.filter(([s]) => counts[s] > 0).map(([s, w]) => `${counts[s]} ${w}`);
  return `<span class="n">${counts.pass}/${total}</span>${rest.length > 0 ? `<br><span class="small">${rest.join(" · ")}</span>` : ""}`;
}

/** Families in cell order, then by name. */
function familiesOf(results: readonly SuiteResult[]): string[] {
  const all = [...new Set(results.flatMap((r) => r.cases.map((v) => v.family)))];
  const rank = (f: string): number => {
    const i = (CELL_ORDER as readonly string[]).indexOf(cellOf(f));
    return i < 0 ? CELL_ORDER.length : i;
  };
  return all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

interface Column {
  readonly result: SuiteResult;
  /** The engine as the page names it: name and version, and the file when two columns would read the same. */
  readonly label: string;
  readonly byFamily: ReadonlyMap<string, readonly CaseVerdict[]>;
}

function columns(results: readonly SuiteResult[], sources: readonly string[]): Column[] {
  const names = results.map((r) => `${r.engine.name} ${r.engine.version}`);
  return results.map((result, i) => {
    const byFamily = new Map<string, CaseVerdict[]>();
    for (const v of result.cases) byFamily.set(v.family, [...(byFamily.get(v.family) ?? []), v]);
    const twice = names.filter((n) => n === names[i]).length > 1;
    return { result, label: twice ? `${names[i]} (${sources[i] ?? `report ${i + 1}`})` : names[i]!, byFamily };
  });
}

const anchor = (engine: number, family: number): string => `e${engine}-f${family}`;

function header(cols: readonly Column[]): string {
  const th = cols.map((c, e) => {
    const r = c.result;
    return `<th class="engine ${r.verdict}" scope="col"><a href="#engine-${e}">${h(r.engine.name)}</a><br><span class="small">${h(r.engine.version)}</span><br><span class="small verdict-word">${h(VERDICT_WORDS[r.verdict])}, level ${h(r.level)}</span></th>`;
  });
  return `<thead><tr><th scope="col">family</th>${th.join("")}</tr></thead>`;
}

function cellRow(cols: readonly Column[], cell: string, families: readonly string[]): string {
  const tds = cols.map((c) => {
    const vs = families.flatMap((f) => c.byFamily.get(f) ?? []);
    const counts = countStatuses(vs);
    return `<th class="cell ${toneOf(counts)}">${vs.length === 0 ? "–" : countsText(counts, vs.length)}</th>`;
  });
  return `<tr class="cell-total"><th scope="row">${h(CELL_TITLES[cell] ?? cell)} (<code>${h(cell)}/*</code>)</th>${tds.join("")}</tr>`;
}

function familyRow(cols: readonly Column[], family: string, f: number): string {
  const tds = cols.map((c, e) => {
    const vs = c.byFamily.get(family) ?? [];
    const counts = countStatuses(vs);
    const tone: Tone = toneOf(counts);
    if (vs.length === 0) return `<td class="cell empty" title="${h(TONE_WORDS.empty)}">–</td>`;
    return `<td class="cell ${tone}" title="${h(TONE_WORDS[tone])}"><a href="#${anchor(e, f)}">${countsText(counts, vs.length)}</a></td>`;
  });
  return `<tr><th scope="row"><code>${h(family)}</code></th>${tds.join("")}</tr>`;
}

/** One engine's details: its verdict, then per family what did not pass, grouped by reason. */
function engineSection(c: Column, e: number, families: readonly string[]): string {
  const r = c.result;
  const reasons = r.reasons.length > 0 ? `<ul>${r.reasons.map((x) => `<li>${h(x)}</li>`).join("")}</ul>` : "";
  const parts = families.map((family, f) => {
    const vs = c.byFamily.get(family) ?? [];
    if (vs.length === 0) return "";
    const notPassed = vs.filter((v) => v.status !== "pass");
    const counts = countStatuses(vs);
    const rows = CASE_STATUSES.filter((s) => s !== "pass").flatMap((status) =>
      groupByReason(
        notPassed.filter((v) => v.status === status),
        (v) => (status === "fail" || status === "error" || status === "unexpected-pass" ? (v.diagnosis ? `diagnosis ${v.diagnosis.hypothesis}: ${v.diagnosis.explanation}` : (v.message.split("\n")[0] ?? "")) : reasonOf(v)),
      ).map(({ reason, verdicts }) => `<tr class="${status === "known-failure" ? "known" : status === "unsupported" || status === "skip" ? "unsupported" : "fail"}"><td>${h(status)}</td><td class="n">${verdicts.length}</td><td>${h(reason)}</td><td class="small">${verdicts.map((v) => `<code>${h(v.id)}</code>`).join(", ")}</td></tr>`),
    );
    const body = rows.length === 0 ? `<p class="small">All ${vs.length} case(s) passed.</p>` : `<table><thead><tr><th>status</th><th class="n">cases</th><th>reason</th><th>ids</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
    return `<section class="family-detail" id="${anchor(e, f)}"><h3><code>${h(family)}</code> — ${h(r.engine.name)}: ${counts.pass} of ${vs.length} passed</h3>${body}</section>`;
  });
  const c2 = r.counts;
  return `<section class="engine-detail" id="engine-${e}">
<h2>${h(c.label)}</h2>
<div class="banner ${r.verdict}"><p><strong class="verdict">${h(VERDICT_WORDS[r.verdict])}</strong> — level ${h(r.level)} · ${c2.pass} passed, ${c2.fail + c2["unexpected-pass"]} failed, ${c2.error} errors, ${c2["known-failure"]} known failures, ${c2.unsupported} unsupported, ${c2.skip} skipped of ${r.cases.length} · ${(r.durationMs / 1000).toFixed(2)} s</p>${reasons}</div>
${parts.join("\n")}
</section>`;
}

/** The matrix page of `results` (one JSON report per engine); `sources` name them (their files). */
export function toMatrixHtml(results: readonly SuiteResult[], sources: readonly string[] = []): string {
  if (results.length === 0) throw new Error("the engine matrix needs at least one report");
  const cols = columns(results, sources);
  const families = familiesOf(results);
  const rows: string[] = [];
  for (const cell of [...CELL_ORDER, ...new Set(families.map(cellOf).filter((x) => !(CELL_ORDER as readonly string[]).includes(x)))]) {
    const fs = families.filter((f) => cellOf(f) === cell);
    if (fs.length === 0) continue;
    rows.push(cellRow(cols, cell, fs));
    for (const f of fs) rows.push(familyRow(cols, f, families.indexOf(f)));
  }
  const legend = (["pass", "partial", "known", "unsupported", "fail"] as const).map((t) => `<span class="swatch ${t}" style="background: var(--${t === "unsupported" ? "none" : t}-bg)"></span>${h(TONE_WORDS[t])}`).join("");
  const suites = [...new Set(results.map((r) => r.suite.version))];
  const body = `<header class="banner info" id="matrix-banner"><h1>Engines on the corpus</h1>
<p>${results.length} engine(s) × ${families.length} families; keras-rnn-conformance ${suites.map(h).join(", ")}. A cell is passed/cases of that family; click it for what did not pass and why.</p></header>
<p class="small">${legend}</p>
<table class="matrix" id="matrix">${header(cols)}<tbody>${rows.join("\n")}</tbody></table>
${cols.map((c, e) => engineSection(c, e, families)).join("\n")}`;
  return htmlPage(`Engine matrix — keras-rnn-conformance`, body);
}
