/**
 * How well the diagnosis names two mistakes at once (spec/adapter.md §4.2): every pair of gallery
 * mutants that can be combined (index.ts `composeMutants`) is run on cases where *both* flaws are
 * observable — each flaw alone fails the case, and the pair's outputs differ from each flaw's alone —
 * and counts as right when the diagnosis names exactly that pair (as its hypothesis or an
 * indistinguishable alternative).
 */
import type { FixtureCase } from "../case.ts";
import { diagnose, diagnosisNames, matchWithin, type DiagnoseOptions } from "../diagnose.ts";
import type { EngineOutputs } from "../engine.ts";
import { composeMutants, mathMutants, type MutantEntry } from "./index.ts";

export interface PairVerdict {
  readonly name: string;
  readonly expectedHypothesis: string;
  /** Case id → the diagnosis given (null: none), for the cases checked. */
  readonly diagnoses: Readonly<Record<string, string | null>>;
  readonly right: number;
}

export interface PairRate {
  /** Pairs of gallery mutants that can be combined. */
  readonly combinable: number;
  /** Of those, pairs with at least one case where both flaws are observable. */
  readonly checked: readonly PairVerdict[];
  /** Cases checked, over all pairs, and how many were diagnosed as exactly the pair. */
  readonly cases: number;
  readonly right: number;
  readonly rate: number;
  readonly ms: number;
}

const expectedOf = (c: FixtureCase): EngineOutputs => c.expected.map((e) => e.outputs);

/** A small deterministic hash, to spread each pair's sample over the eligible cases. */
function hash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/**
 * Judges every combinable pair of math mutants of `gallery` (the LSTM's by default; one cell's, as
 * `mutantsOfCell` lists them) on up to `perPair` cases each, chosen among the cases where both flaws
 * are observable (spread by a hash of the pair's name, so that a run is reproducible). `eligible`
 * narrows the cases considered (e.g. to keep the test fast).
 */
export async function judgePairs(
  cases: readonly FixtureCase[],
  perPair: number,
  eligible: (c: FixtureCase) => boolean = () => true,
  options: DiagnoseOptions = {},
  gallery: readonly MutantEntry[] = mathMutants,
): Promise<PairRate> {
  const start = performance.now();
  const pool = cases.filter(eligible);
  // Each mutant's outputs on every case, and where it fails. A case it cannot run (kernels swapped
  // where their shapes differ) is an error, not a failure: no diagnosis is due there, alone or in a pair.
  const single = new Map<MutantEntry, Map<FixtureCase, EngineOutputs>>();
  const runs = async (m: MutantEntry, c: FixtureCase): Promise<EngineOutputs | null> => {
    try {
      return await m.engine.run(c);
    } catch {
      return null;
    }
  };
  for (const m of gallery) {
    const failing = new Map<FixtureCase, EngineOutputs>();
    for (const c of pool) {
      const out = await runs(m, c);
      if (out && matchWithin(out, expectedOf(c), c.tolerance) === null) failing.set(c, out);
    }
    single.set(m, failing);
  }
  let combinable = 0;
  const checked: PairVerdict[] = [];
  for (const [i, a] of gallery.entries()) {
    for (const b of gallery.slice(i + 1)) {
      const pair = composeMutants(a, b);
      if (!pair) continue;
      combinable++;
      const both = pool.filter((c) => single.get(a)!.has(c) && single.get(b)!.has(c));
      const offset = hash(pair.name) % Math.max(1, both.length);
      const diagnoses: Record<string, string | null> = {};
      let right = 0;
      for (const c of [...both.slice(offset), ...both.slice(0, offset)]) {
        if (Object.keys(diagnoses).length >= perPair) break;
        const out = await pair.engine.run(c);
        const differs = (other: EngineOutputs): boolean => matchWithin(out, other, c.tolerance) === null;
        if (!differs(expectedOf(c)) || !differs(single.get(a)!.get(c)!) || !differs(single.get(b)!.get(c)!)) continue;
        const d = await diagnose(pair.engine, c, out, options);
        diagnoses[c.id] = d?.hypothesis ?? null;
        if (diagnosisNames(d, pair.expectedHypothesis!)) right++;
      }
      if (Object.keys(diagnoses).length > 0) checked.push({ name: pair.name, expectedHypothesis: pair.expectedHypothesis!, diagnoses, right });
    }
  }
  const total = checked.reduce((n, v) => n + Object.keys(v.diagnoses).length, 0);
  const right = checked.reduce((n, v) => n + v.right, 0);
  return { combinable, checked, cases: total, right, rate: total === 0 ? 0 : right / total, ms: performance.now() - start };
}

/** The rate in a line, and every pair not always diagnosed right, for the project's notes. */
export function pairRateReport(r: PairRate): string {
  const lines = [
    `pair diagnosis: ${r.right}/${r.cases} cases (${(100 * r.rate).toFixed(1)} %) named exactly the pair, over ${r.checked.length} of ` +
      `${r.combinable} combinable mutant pairs (the others have no case where both flaws are observable), ${(r.ms / 1000).toFixed(1)} s`,
    ...r.checked
      .filter((v) => v.right < Object.keys(v.diagnoses).length)
      .map((v) => `  ${v.name} (expected ${v.expectedHypothesis}): ${Object.entries(v.diagnoses).map(([id, d]) => `${id} → ${d ?? "none"}`).join("; ")}`),
  ];
  return lines.join("\n");
}
