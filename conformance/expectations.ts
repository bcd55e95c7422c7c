/**
 * The expectations file an engine's author keeps (spec/adapter.md §5): which cases are known to
 * fail, or are to be skipped, and why.
 *
 *     # comment
 *     lstm/activations/hard_sigmoid   fail  we use the Keras 2 hard_sigmoid; tracked in #12
 *     lstm/stateful                   skip  no stateful layers in our API
 *
 * One entry per line: an id or id prefix (whole segments, as `--filter`), `fail` or `skip`, and a
 * reason (required). The most specific (longest) matching entry applies.
 */
import { matchesIdPattern } from "./select.ts";
import type { AppliedExpectation } from "./verdict.ts";

export interface ExpectationEntry extends AppliedExpectation {
  /** 1-based line number in the file. */
  readonly line: number;
}

export interface Expectations {
  readonly file: string;
  readonly entries: readonly ExpectationEntry[];
}

export interface ParsedExpectations {
  readonly expectations: Expectations;
  /** `file:line: message`, one per bad line. */
  readonly errors: readonly string[];
}

export function parseExpectations(text: string, file: string): ParsedExpectations {
  const entries: ExpectationEntry[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/(^|\s)#.*$/, "").trim();
    if (content === "") return;
    const m = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(content);
    if (m === null) {
      errors.push(`${file}:${line}: expected "<id-or-prefix> <fail|skip> <reason>", got "${content}"`);
      return;
    }
    const [, pattern, kind, reason] = m as unknown as [string, string, string, string | undefined];
    if (kind !== "fail" && kind !== "skip") {
      errors.push(`${file}:${line}: the second field must be "fail" or "skip", got "${kind}"`);
      return;
    }
    if (reason === undefined || reason.trim() === "") {
      errors.push(`${file}:${line}: "${pattern} ${kind}" needs a reason (why it fails or is skipped)`);
      return;
    }
    const before = seen.get(pattern);
    if (before !== undefined) {
      errors.push(`${file}:${line}: "${pattern}" is already listed on line ${before}`);
      return;
    }
    seen.set(pattern, line);
    entries.push({ pattern, kind, reason: reason.trim(), line });
  });
  return { expectations: { file, entries }, errors };
}

/** The entry that applies to `id`: the longest matching pattern. */
export function expectationFor(expectations: Expectations | undefined, id: string): ExpectationEntry | undefined {
  let best: ExpectationEntry | undefined;
  for (const e of expectations?.entries ?? []) {
    if (matchesIdPattern(id, e.pattern) && (best === undefined || e.pattern.length > best.pattern.length)) best = e;
  }
  return best;
}

/** Warnings for entries that match none of `ids` (stale entries hide nothing, but mislead). */
export function unmatchedExpectations(expectations: Expectations | undefined, ids: readonly string[]): string[] {
  return (expectations?.entries ?? [])
    .filter((e) => !ids.some((id) => matchesIdPattern(id, e.pattern)))
    .map((e) => `${expectations!.file}:${e.line}: "${e.pattern}" matches no case; remove it or fix the id`);
}
