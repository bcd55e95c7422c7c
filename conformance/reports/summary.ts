/**
 * Per-family tallies shared by the console, Markdown and JUnit reports, so that every report
 * counts the same way (spec/adapter.md §6).
 */
import { noLevelReason, VERDICT_WORDS } from "../run-verdict.ts";
import { CASE_STATUSES, type CaseStatus, type PropertyResult, type SuiteResult } from "../verdict.ts";

export interface FamilySummary {
  readonly family: string;
  readonly total: number;
  readonly counts: Readonly<Record<CaseStatus, number>>;
  /** Largest max-abs error over the family's compared cases (Infinity for a non-finite output); null if none compared. */
  readonly worstMaxAbs: number | null;
  readonly worstId: string | null;
}

/** One summary per family, in order of first appearance; properties form the family `property`. */
export function summariseFamilies(result: SuiteResult): FamilySummary[] {
  const rows = new Map<string, { counts: Record<CaseStatus, number>; total: number; worst: number | null; worstId: string | null }>();
  const row = (family: string) => {
    let r = rows.get(family);
    if (r === undefined) {
      r = { counts: Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>, total: 0, worst: null, worstId: null };
      rows.set(family, r);
    }
    return r;
  };
  for (const v of result.cases) {
    const r = row(v.family);
    r.counts[v.status]++;
    r.total++;
    if (v.maxAbs !== null && (r.worst === null || v.maxAbs > r.worst)) {
      r.worst = v.maxAbs;
      r.worstId = v.id;
    }
  }
  for (const p of result.properties) {
    const r = row("property");
    r.counts[p.status]++;
    r.total++;
  }
  return [...rows.entries()].map(([family, r]) => ({ family, total: r.total, counts: r.counts, worstMaxAbs: r.worst, worstId: r.worstId }));
}

/** `3.1e-7`, `Inf`, or `–`. */
export function formatError(x: number | null): string {
  if (x === null) return "–";
  if (!Number.isFinite(x)) return "Inf";
  return x === 0 ? "0" : x.toExponential(1);
}

/** Every verdict that needs the reader's attention: failures, errors and unexpected passes. */
export function problemVerdicts(result: SuiteResult) {
  return result.cases.filter((v) => v.status === "fail" || v.status === "error" || v.status === "unexpected-pass");
}

const PROPERTY_STATUS_WORDS: readonly (readonly [PropertyResult["status"], string])[] = [
  ["pass", "passed"],
  ["fail", "failed"],
  ["error", "errors"],
  ["unsupported", "unsupported"],
  ["skip", "skipped"],
  ["known-failure", "known failures"],
];

/** One line saying how the run ended. */
export function verdictLine(result: SuiteResult): string {
  const c = result.counts;
  const bits = [
    `${c.pass} passed`,
    `${c.fail} failed`,
    `${c.error} errors`,
    `${c.unsupported} unsupported`,
    `${c.skip} skipped`,
    `${c["known-failure"]} known failures`,
  ];
  if (c["unexpected-pass"] > 0) bits.push(`${c["unexpected-pass"]} unexpected passes`);
  if (result.properties.length > 0) {
    // Every status that occurred, so an unsupported property is never read as an ok one.
    const counted = PROPERTY_STATUS_WORDS.map(([status, word]) => [result.properties.filter((p) => p.status === status).length, word] as const);
    bits.push(`properties: ${counted.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`).join(", ")} of ${result.properties.length}`);
  }
  if (result.loadErrors.length > 0) bits.push(`${result.loadErrors.length} fixture load error(s)`);
  const level = result.verdict === "as-expected" ? `none (${noLevelReason(result)})` : result.level;
  return `${VERDICT_WORDS[result.verdict]} — level ${level} — ${bits.join(", ")}`;
}
