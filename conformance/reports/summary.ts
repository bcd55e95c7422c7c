/**
 * Per-family tallies shared by the console, Markdown and JUnit reports, so that every report
 * counts the same way (spec/adapter.md §6).
 */
import { noLevelReason, VERDICT_WORDS } from "../run-verdict.ts";
import { CASE_STATUSES, familyOf, type CaseStatus, type CaseVerdict, type PropertyResult, type SuiteResult } from "../verdict.ts";

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
export function problemVerdicts(result: SuiteResult): CaseVerdict[] {
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

/**
 * The problems of a run that share an explanation: a diagnosis (one mistake or a pair), or none —
 * `undiagnosed` failures, `errors`, `unexpected passes`. Reports open with these (spec/adapter.md §4.2).
 */
export interface ProblemGroup {
  /** The diagnosis id the cases share, or `undiagnosed`, `errors`, `unexpected passes`. */
  readonly title: string;
  /** The shared diagnosis's explanation, from a case that can tell it from every other hypothesis when there is one. */
  readonly explanation: string | null;
  readonly verdicts: readonly CaseVerdict[];
  /** Hypotheses that some of these cases cannot tell apart from the group's, with how many cases each. */
  readonly alternatives: readonly (readonly [string, number])[];
}

/** Titles of the groups without a diagnosis, in the order they come after the diagnosed ones. */
const UNEXPLAINED = ["undiagnosed", "errors", "unexpected passes"] as const;

function groupTitle(v: CaseVerdict): string {
  if (v.status === "error") return "errors";
  if (v.status === "unexpected-pass") return "unexpected passes";
  return v.diagnosis ? v.diagnosis.hypothesis : "undiagnosed";
}

/** The problem verdicts grouped by diagnosis: diagnosed groups by size, then undiagnosed failures, errors and unexpected passes. */
export function problemGroups(result: SuiteResult): ProblemGroup[] {
  const groups = new Map<string, CaseVerdict[]>();
  for (const v of problemVerdicts(result)) groups.set(groupTitle(v), [...(groups.get(groupTitle(v)) ?? []), v]);
  // diagnosed groups (indexOf −1) first
  const order = (title: string): number => (UNEXPLAINED as readonly string[]).indexOf(title);
  return [...groups.entries()]
    .sort(([a, va], [b, vb]) => order(a) - order(b) || vb.length - va.length)
    .map(([title, verdicts]) => {
      const diagnosed = verdicts.filter((v) => v.diagnosis);
      const clear = diagnosed.find((v) => !v.diagnosis!.alternatives?.length) ?? diagnosed[0];
      const counts = new Map<string, number>();
      for (const v of diagnosed) for (const alt of v.diagnosis!.alternatives ?? []) counts.set(alt, (counts.get(alt) ?? 0) + 1);
      return { title, explanation: clear ? clear.diagnosis!.explanation : null, verdicts, alternatives: [...counts.entries()] };
    });
}

/** Up to `n` of `verdicts` to show in full, from as many families as possible, in their order. */
export function exampleVerdicts(verdicts: readonly CaseVerdict[], n: number): CaseVerdict[] {
  const families = new Set<string>();
  const firsts = verdicts.filter((v) => !families.has(v.family) && families.add(v.family));
  const picked = new Set([...new Set([...firsts, ...verdicts])].slice(0, n));
  return verdicts.filter((v) => picked.has(v));
}

/** "151 of 155 failing cases: gate-order:iofc" — the count and what the group shares. */
export function groupHeadline(group: ProblemGroup, result: SuiteResult): string {
  return `${group.verdicts.length} of ${problemVerdicts(result).length} failing cases: ${group.title}`;
}

/** The verdicts grouped by a reason (an expectation's, a missing feature), in order of first appearance. */
export function groupByReason(verdicts: readonly CaseVerdict[], reasonOf: (v: CaseVerdict) => string): { reason: string; verdicts: CaseVerdict[] }[] {
  const groups = new Map<string, CaseVerdict[]>();
  for (const v of verdicts) groups.set(reasonOf(v), [...(groups.get(reasonOf(v)) ?? []), v]);
  return [...groups.entries()].map(([reason, vs]) => ({ reason, verdicts: vs }));
}

/** Why a case was not run (unsupported) or run under an expectation (known failure, skip). */
export function reasonOf(v: CaseVerdict): string {
  if (v.expectation) return v.expectation.reason;
  if (v.missingFeatures.length > 0) return `needs a feature the engine does not declare: ${v.missingFeatures.join(", ")}`;
  return v.message.replace(/^engine cannot run this case: /, "the engine cannot express the case: ");
}

/** The diagnoses of a group of known failures, when they have any: "the suite's diagnosis: x". */
export function diagnosisNote(verdicts: readonly CaseVerdict[]): string | null {
  const ids = [...new Set(verdicts.flatMap((v) => (v.diagnosis ? [v.diagnosis.hypothesis] : [])))];
  return ids.length === 0 ? null : `the suite's diagnosis: ${ids.join(", ")}`;
}

/**
 * Case ids in few words: counted per case name (the id without its number, `lstm/masking/start`),
 * or per family when that would still be more than `max` names.
 */
export function compactIds(ids: readonly string[], max = 12): [string, number][] {
  const count = (key: (id: string) => string): [string, number][] => {
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(key(id), (counts.get(key(id)) ?? 0) + 1);
    return [...counts.entries()];
  };
  const byName = count((id) => id.replace(/\/\d+$/, ""));
  return byName.length <= max ? byName : count(familyOf);
}
