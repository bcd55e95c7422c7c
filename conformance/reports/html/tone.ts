/**
 * The colour a set of results gets in the HTML pages (spec/adapter.md §6.4): the family table of a
 * report and the cells of the engine matrix use the same rule, so a colour means the same on both.
 * Red wins over everything: one failure, error or unexpected pass is never hidden by passes.
 */
import type { CaseStatus } from "../../verdict.ts";

export type Tone = "fail" | "known" | "pass" | "partial" | "unsupported" | "empty";

export const TONE_WORDS: Readonly<Record<Tone, string>> = {
  fail: "a failure, error or unexpected pass",
  known: "known failures (listed in the expectations file), the rest passed or not run",
  pass: "every case passed",
  partial: "passed, some cases unsupported or skipped",
  unsupported: "nothing passed: unsupported or skipped",
  empty: "no case",
};

export function toneOf(counts: Readonly<Record<CaseStatus, number>>): Tone {
  if (counts.fail + counts.error + counts["unexpected-pass"] > 0) return "fail";
  if (counts["known-failure"] > 0) return "known";
  const notRun = counts.unsupported + counts.skip;
  if (counts.pass > 0) return notRun > 0 ? "partial" : "pass";
  return notRun > 0 ? "unsupported" : "empty";
}
