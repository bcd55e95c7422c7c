/**
 * The frame of the HTML pages (spec/adapter.md §6.4): one self-contained file that opens from disk.
 * Its Content-Security-Policy lets it load nothing at all — no script, style, font or image from
 * anywhere — and run only our own script, by its hash: even a string that escaped escaping could
 * neither run nor fetch. The page reads without script; the script adds copy buttons and filters.
 */
import { createHash } from "node:crypto";
import { htmlEscape } from "../escape.ts";

/** Engine, fixture and user text for HTML, as character data or a quoted attribute value. */
export const h = htmlEscape;

/** Copy buttons (`<button data-copy="<id>">`) copy the text of the element with that id; filters hide the rows of a table that do not match. */
const SCRIPT = `document.documentElement.classList.add("js");
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
  }
  button.textContent = "copied";
  setTimeout(() => { button.textContent = "copy"; }, 1500);
});
document.addEventListener("input", (event) => {
  const input = event.target instanceof Element ? event.target.closest("input[data-filter]") : null;
  if (!input) return;
  const query = input.value.trim().toLowerCase();
  for (const row of document.querySelectorAll("#" + input.dataset.filter + " tbody tr")) row.hidden = query !== "" && !row.textContent.toLowerCase().includes(query);
});
`;

const STYLE = `
:root { --pass: #2e7d32; --pass-bg: #e3f2e5; --partial-bg: #eef6e8; --fail: #c62828; --fail-bg: #fde7e7; --known: #a15c00; --known-bg: #fff1d6; --none: #616161; --none-bg: #eeeeee; --line: #d8dde3; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; color: #1d2329; margin: 0 auto; padding: 0 24px 48px; max-width: 1180px; }
h1 { font-size: 22px; margin: 0; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.banner { margin: 16px 0 8px; padding: 14px 18px; border-radius: 6px; border-left: 8px solid; }
.banner p { margin: 4px 0 0; }
.banner.conformant { background: var(--pass-bg); border-color: var(--pass); }
.banner.not-conformant { background: var(--fail-bg); border-color: var(--fail); }
.banner.as-expected { background: var(--known-bg); border-color: var(--known); }
.banner.no-evidence { background: var(--none-bg); border-color: var(--none); }
.verdict { letter-spacing: .02em; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f5f7f9; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } td.zero { color: #b5bcc3; }
ul.groups { margin: 8px 0 0; }
tr.fail td:first-child, td.fail { background: var(--fail-bg); }
tr.known td:first-child, td.known { background: var(--known-bg); }
tr.pass td:first-child, td.pass { background: var(--pass-bg); }
tr.partial td:first-child, td.partial { background: var(--partial-bg); }
tr.unsupported td:first-child, td.unsupported, td.empty { background: var(--none-bg); }
code, pre { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; max-height: 360px; }
.case { border: 1px solid var(--line); border-radius: 6px; padding: 4px 16px 12px; margin: 14px 0; }
.case h3 { font-size: 14px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
figure { margin: 6px 0; } figcaption { font-size: 12px; color: #444; margin-bottom: 2px; }
.cmd { display: flex; gap: 6px; align-items: flex-start; } .cmd pre { flex: 1; margin: 0; }
button { font: inherit; font-size: 12px; padding: 4px 10px; cursor: pointer; }
.js-only { display: none; } .js .js-only { display: inline-block; }
.muted { color: #5f6b76; } .small { font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; } dl.facts dt { color: #5f6b76; } dl.facts dd { margin: 0; }
input[data-filter] { font: inherit; padding: 3px 6px; width: 280px; margin: 4px 0; }
a { color: #0b57a4; }
.banner.info { background: #eef3f8; border-color: #0b57a4; }
.matrix .cell.fail, .matrix th.engine.not-conformant { background: var(--fail-bg); } .matrix .cell.known, .matrix th.engine.as-expected { background: var(--known-bg); }
.matrix .cell.pass, .matrix th.engine.conformant { background: var(--pass-bg); } .matrix .cell.partial { background: var(--partial-bg); }
.matrix .cell.unsupported, .matrix .cell.empty, .matrix th.engine.no-evidence { background: var(--none-bg); }
.matrix th.engine { text-align: center; } .matrix tr.cell-total th { border-top: 2px solid #9aa5b1; }
.matrix td.cell { text-align: center; min-width: 86px; font-variant-numeric: tabular-nums; }
.matrix td.cell a { color: inherit; text-decoration: none; display: block; }
.matrix td.cell.fail { color: var(--fail); font-weight: 600; } .matrix td.cell.pass { color: var(--pass); }
.swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; border: 1px solid var(--line); margin: 0 4px 0 10px; }
`;

const hash = (text: string): string => createHash("sha256").update(text).digest("base64");

/** A whole page: the title, then `body` (already HTML). */
export function htmlPage(title: string, body: string): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** A command with a copy button; `id` must be unique in the page. */
export function commandBlock(id: string, command: string): string {
  return `<div class="cmd"><pre id="${h(id)}">${h(command)}</pre><button type="button" class="js-only" data-copy="${h(id)}">copy</button></div>`;
}

/** A filter box for the table with id `tableId`. */
export function filterBox(tableId: string, placeholder: string): string {
  return `<input type="search" class="js-only" data-filter="${h(tableId)}" placeholder="${h(placeholder)}" aria-label="${h(placeholder)}">`;
}
