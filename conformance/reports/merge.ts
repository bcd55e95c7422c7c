/**
 * Merging the JSON reports of shards (`--shard k/n`) into one result for the whole run
 * (spec/adapter.md §6.3). Counts, level and verdict are recomputed from the merged verdicts.
 *
 * A merged report speaks for the whole run, so merging refuses — with a `MergeError` naming what is
 * wrong — any set of reports that is not exactly the shards of one run: a shard missing or given
 * twice, shard counts mixed, an unsharded report among shards, or reports of different engines,
 * suite versions, fixtures, filters or property settings. A green merge of an incomplete set would
 * be a green CI gate for cases that never ran.
 */
import type { ConformanceLevel } from "../levels.ts";
import { judgeRun } from "../run-verdict.ts";
import { countStatuses, type SuiteResult } from "../verdict.ts";
import { terminalLine } from "./escape.ts";

/** Reports that cannot be merged. The CLI prints the message and exits 1. */
export class MergeError extends Error {
  /** One sentence per problem, as in the message. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? `cannot merge the reports: ${problems[0]}` : `cannot merge the reports:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "MergeError";
    this.problems = problems;
  }
}

interface Report {
  readonly result: SuiteResult;
  /** How messages name the report: its file, or `report <n>`. */
  readonly name: string;
}

/** Reports written before `loadErrors` existed lack it. */
const loadErrorsOf = (r: SuiteResult): readonly string[] => (r as { loadErrors?: readonly string[] }).loadErrors ?? [];

/** A set, sorted: the order in which features, fixtures or filters were given carries no meaning. */
const asSet = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

/**
 * `what differ: A in a.json, b.json; B in c.json` when the reports do not all agree on `value`.
 * Values are compared and shown as JSON: unambiguous (`"a b"` is not `"a", "b"`), and an engine
 * string's control characters are shown as `\u001b` rather than acted on by the terminal the CLI
 * prints to; terminalLine removes what JSON leaves as it is (C1 controls, bidi overrides).
 */
function disagreement(what: string, reports: readonly Report[], value: (r: SuiteResult) => unknown): string | null {
  const groups = new Map<string, string[]>();
  for (const { result, name } of reports) {
    const key = JSON.stringify(value(result));
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  if (groups.size <= 1) return null;
  return `${what} differ: ${[...groups].map(([key, names]) => `${terminalLine(key)} in ${names.join(", ")}`).join("; ")}`;
}

/** What is wrong with the shard structure: missing, repeated, mixed counts, unsharded among sharded. */
function shardProblems(reports: readonly Report[]): string[] {
  const sharded = reports.filter((r) => r.result.selection.shard !== null);
  const unsharded = reports.filter((r) => r.result.selection.shard === null);
  const names = (rs: readonly Report[]): string => rs.map((r) => r.name).join(", ");
  if (sharded.length > 0 && unsharded.length > 0) {
    return [`${names(unsharded)} ${unsharded.length === 1 ? "is" : "are"} unsharded and cannot be merged with shard reports (${names(sharded)}): an unsharded report is a whole run`];
  }
  if (unsharded.length > 1) return [`${unsharded.length} unsharded reports (${names(unsharded)}): each is a whole run, and a run merges only with itself`];
  if (sharded.length === 0) return [];
  const counts = disagreement("shard counts", sharded, (r) => r.selection.shard!.count);
  if (counts !== null) return [counts];
  const n = sharded[0]!.result.selection.shard!.count;
  const problems: string[] = [];
  const byIndex = new Map<number, Report[]>();
  for (const r of sharded) {
    const k = r.result.selection.shard!.index;
    byIndex.set(k, [...(byIndex.get(k) ?? []), r]);
  }
  for (const [k, rs] of byIndex) {
    if (!Number.isInteger(k) || k < 1 || k > n) problems.push(`${names(rs)}: shard ${k}/${n} is not a shard of a ${n}-way split`);
    else if (rs.length > 1) problems.push(`shard ${k}/${n} appears ${rs.length === 2 ? "twice" : `${rs.length} times`}: ${names(rs)}`);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !byIndex.has(k));
  if (missing.length > 0) problems.push(`shard ${missing.map((k) => `${k}/${n}`).join(", ")} missing`);
  return problems;
}

/** Whether a report records its property settings: the CLI runs properties in shard 1 only, and the others record none. */
const ranProperties = (r: SuiteResult): boolean => r.selection.propertyRuns > 0 || r.selection.seed !== null;

/** Everything that says the reports are not of one run: engine, suite, selection, options. */
function consistencyProblems(reports: readonly Report[]): string[] {
  const withProperties = reports.filter((r) => ranProperties(r.result));
  return [
    disagreement("engine names", reports, (r) => r.engine.name),
    disagreement("engine versions", reports, (r) => r.engine.version),
    disagreement("engine features", reports, (r) => asSet(r.engine.features)),
    disagreement("suite versions", reports, (r) => r.suite.version),
    disagreement("fixtures (--fixtures)", reports, (r) => asSet(r.selection.fixtures)),
    disagreement("filters (--filter)", reports, (r) => asSet(r.selection.filters)),
    disagreement("cases loaded", reports, (r) => r.selection.casesLoaded),
    disagreement("property seeds (--seed)", withProperties, (r) => r.selection.seed),
    disagreement("property run counts (--properties)", withProperties, (r) => r.selection.propertyRuns),
    disagreement("strict expectations (--no-strict-expectations)", reports, (r) => r.strictExpectations),
  ].filter((p) => p !== null);
}

/** Ids (of cases or of properties) found in more than one report: shards are disjoint. */
function duplicateIds(what: string, reports: readonly Report[], ids: (r: SuiteResult) => readonly string[]): string | null {
  const firstIn = new Map<string, string>();
  const repeated: string[] = [];
  for (const { result, name } of reports) {
    for (const id of new Set(ids(result))) {
      const first = firstIn.get(id);
      if (first === undefined) firstIn.set(id, name);
      else repeated.push(`${terminalLine(id)} (${first} and ${name})`);
    }
  }
  if (repeated.length === 0) return null;
  const more = repeated.length > 3 ? `, and ${repeated.length - 3} more` : "";
  return `${repeated.length} ${what} id(s) appear in more than one report: ${repeated.slice(0, 3).join(", ")}${more}`;
}

/**
 * The result of the whole run from the reports of its shards, or a single report as it is. `sources`
 * name the reports in messages (their files); by default `report 1`, `report 2`, …
 * Throws `MergeError` when the reports are not exactly the shards of one run. The level the merged
 * run must reach is the merge's own (`merge --level`, default core): a shard speaks only for its
 * cases, so shards run at `--level none` by default and the merge is the gate (spec/adapter.md §6.3).
 */
export function mergeResults(results: readonly SuiteResult[], sources?: readonly string[], requiredLevel: ConformanceLevel = "core"): SuiteResult {
  if (results.length === 0) throw new MergeError(["no report given"]);
  const reports = results.map((result, i) => ({ result, name: terminalLine(sources?.[i] ?? `report ${i + 1}`) }));
  const repeatedFiles = [...new Set(reports.map((r) => r.name).filter((name, i, all) => all.indexOf(name) !== i))];
  const problems = [
    ...repeatedFiles.map((name) => `${name} is given more than once`),
    ...shardProblems(reports),
    ...consistencyProblems(reports),
    duplicateIds("case", reports, (r) => r.cases.map((v) => v.id)),
    duplicateIds("property", reports, (r) => r.properties.map((p) => p.id)),
  ].filter((p) => p !== null);
  if (problems.length > 0) throw new MergeError(problems);

  const first = results[0]!;
  const cases = results.flatMap((r) => r.cases);
  const properties = results.flatMap((r) => r.properties);
  // Every shard loads the whole corpus, so each reports the same load errors: keep each once.
  const loadErrors = [...new Set(results.flatMap(loadErrorsOf))];
  const warnings = [...new Set(results.flatMap((r) => r.warnings))];
  const propertySettings = results.find(ranProperties)?.selection ?? first.selection;
  const judgement = judgeRun({ cases, properties, loadErrors, strictExpectations: first.strictExpectations, requiredLevel });
  return {
    suite: first.suite,
    engine: first.engine,
    startedAt: results.map((r) => r.startedAt).sort()[0]!,
    // Shards run in parallel: the run took as long as the slowest one.
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    selection: { ...first.selection, shard: null, propertyRuns: propertySettings.propertyRuns, seed: propertySettings.seed },
    cases,
    properties,
    counts: countStatuses(cases),
    level: judgement.level,
    verdict: judgement.verdict,
    conformant: judgement.conformant,
    requiredLevel,
    exitCode: judgement.exitCode,
    reasons: judgement.reasons,
    loadErrors,
    strictExpectations: first.strictExpectations,
    warnings,
  };
}
