/**
 * Escaping for the reports. An engine controls much of the text a report shows — its name, version
 * and features, what it throws, its protocol errors, tracebacks and stderr — and a report must show
 * that text without letting it act as markup or as terminal control: an engine must not be able to
 * print a fake verdict, close our `<details>`, inject HTML into a GitHub step summary, make the
 * JUnit XML unreadable, or rewrite a terminal line to hide a failure. Every report escapes the
 * strings it did not write itself through this module.
 */

/**
 * ANSI / VT escape sequences: CSI (`ESC [ … final`, and its 8-bit form U+009B), string sequences
 * (OSC, DCS, PM, APC, SOS — ended by BEL or `ESC \`), and the short `ESC [intermediates] final`
 * forms. Removed whole, so that no `[31m` residue is left once ESC itself is removed.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[ -/]*[0-~]/g;

/**
 * What remains that a terminal acts on rather than prints: C0 controls except tab and newline
 * (CR, backspace and a lone ESC rewrite what is on screen), DEL, C1 controls, and the bidirectional
 * overrides that display text in an order other than the one it has.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text safe to print on a terminal, lines kept. A lone CR becomes a newline rather than vanishing:
 * progress output written with `\r` stays readable, but cannot overwrite the line before it.
 */
export function terminalText(s: string): string {
  return s.replace(TERMINAL_SEQUENCE, "").replace(/\r\n?/g, "\n").replace(TERMINAL_CONTROL, "");
}

/** {@link terminalText} on one line: line breaks and tabs collapse to a space. */
export function terminalLine(s: string): string {
  return terminalText(s).replace(/[\n\t]+/g, " ");
}

/** Each line after the first indented, so that engine text never starts a line of ours at column 0. */
export function indentContinuation(s: string, indent: string): string {
  return s.split("\n").join(`\n${indent}`);
}

/**
 * Characters that are markup in GitHub Markdown text, written as character references, which
 * CommonMark treats as literal text. References rather than backslashes because they also work in
 * the raw HTML of a `<details>` summary line, where a backslash would be shown. `<`, `>`, `&` keep
 * HTML (live on GitHub) and entities from forming, `|` keeps table cells apart, `*_~` emphasis,
 * `` ` `` code spans, `[]` links and images, `#` a heading's closing sequence, `$` GitHub's math,
 * `\` escapes, and the quotes attribute values.
 */
const MARKDOWN_REFERENCES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "|": "&#124;",
  "*": "&#42;",
  _: "&#95;",
  "~": "&#126;",
  "`": "&#96;",
  "[": "&#91;",
  "]": "&#93;",
  "#": "&#35;",
  $: "&#36;",
  "\\": "&#92;",
};

/**
 * Text for an inline position in Markdown — a heading, a table cell, a list item, a `<summary>`:
 * one line (a line break could start a heading or end the HTML block), no terminal controls, and
 * every markup character as a character reference. Not for use inside a code span or code block,
 * where references are shown as typed.
 */
export function markdownInline(s: string): string {
  return terminalLine(s).replace(/[&<>"'|*_~`[\]#$\\]/g, (ch) => MARKDOWN_REFERENCES[ch]!);
}

/** The longest run of backticks in `s`. */
function longestBacktickRun(s: string): number {
  return Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length));
}

/**
 * An inline code span around `s`, on one line. Its delimiter is longer than any backtick run inside
 * (CommonMark §6.1), and padded with spaces when `s` starts or ends with a backtick. Not for table
 * cells: GFM splits cells at `|` even inside code.
 */
export function markdownCodeSpan(s: string): string {
  const text = terminalLine(s);
  const fence = "`".repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * A fenced code block holding `s` verbatim (terminal controls removed). Its fence is longer than any
 * backtick run inside (CommonMark §4.5: only a fence at least as long closes it), so no line of `s`
 * can end the block and be read as Markdown or HTML.
 */
export function markdownCodeBlock(s: string): string {
  const text = terminalText(s);
  const fence = "`".repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${fence}\n${text}\n${fence}`;
}

/**
 * Characters XML 1.0 does not allow at all, even as references (XML 1.0 §2.2): C0 controls other
 * than tab, LF and CR, lone surrogates (the `u` flag matches only unpaired ones) and U+FFFE/U+FFFF.
 */
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff]/gu;

/** Text for XML character data or a quoted attribute value: illegal characters removed, `& < > " '` escaped. */
export function xmlEscape(s: string): string {
  return s.replace(XML_ILLEGAL, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/**
 * Text for HTML character data or a quoted attribute value (the HTML report, spec/adapter.md §6.4):
 * terminal controls and bidirectional overrides removed as for a terminal (an override would show a
 * verdict's words in another order), characters XML forbids removed, and `& < > " '` as references,
 * so engine text can neither open a tag nor leave an attribute. Line breaks stay (for `<pre>`).
 */
export function htmlEscape(s: string): string {
  return xmlEscape(terminalText(s));
}
