/**
 * Merging the JSON reports of shards (`--shard k/n`) into one result for the whole run
 * (spec/adapter.md §6.3). Counts, level and verdict are recomputed from the merged verdicts.
 */
import { levelReached } from "../levels.ts";
import { countStatuses, isConformant, type PropertyResult, type SuiteResult } from "../verdict.ts";

export function mergeResults(results: readonly SuiteResult[]): SuiteResult {
  if (results.length === 0) throw new Error("nothing to merge");
  const first = results[0]!;
  for (const r of results) {
    if (r.engine.name !== first.engine.name || r.engine.version !== first.engine.version) {
      throw new Error(`cannot merge reports of different engines: ${first.engine.name} ${first.engine.version} and ${r.engine.name} ${r.engine.version}`);
    }
  }
  const seen = new Set<string>();
  const cases = results.flatMap((r) => r.cases).filter((v) => (seen.has(v.id) ? false : (seen.add(v.id), true)));
  const duplicates = results.reduce((n, r) => n + r.cases.length, 0) - cases.length;
  const propertiesById = new Map<string, PropertyResult>();
  for (const p of results.flatMap((r) => r.properties)) if (!propertiesById.has(p.id)) propertiesById.set(p.id, p);
  const properties = [...propertiesById.values()];
  const strict = results.every((r) => r.strictExpectations);
  const warnings = [...new Set(results.flatMap((r) => r.warnings))];
  if (duplicates > 0) warnings.push(`${duplicates} case(s) appeared in more than one report; the first verdict was kept`);
  const shards = results.map((r) => r.selection.shard).filter((s) => s !== null);
  const count = shards[0]?.count;
  if (count !== undefined && (shards.length !== count || new Set(shards.map((s) => s.index)).size !== count)) {
    warnings.push(`merged ${shards.length} shard report(s) of a ${count}-way split: some shards are missing or repeated`);
  }
  return {
    suite: first.suite,
    engine: first.engine,
    startedAt: results.map((r) => r.startedAt).sort()[0]!,
    // Shards run in parallel: the run took as long as the slowest one.
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    selection: {
      fixtures: [...new Set(results.flatMap((r) => r.selection.fixtures))],
      filters: [...new Set(results.flatMap((r) => r.selection.filters))],
      shard: null,
      casesLoaded: Math.max(...results.map((r) => r.selection.casesLoaded)),
      propertyRuns: Math.max(...results.map((r) => r.selection.propertyRuns)),
      seed: first.selection.seed,
    },
    cases,
    properties,
    counts: countStatuses(cases),
    level: levelReached({ cases, properties }),
    conformant: isConformant(cases, properties, strict),
    strictExpectations: strict,
    warnings,
  };
}
