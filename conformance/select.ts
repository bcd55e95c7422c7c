/**
 * Choosing which cases to run: id filters and shards (spec/adapter.md §7).
 *
 * Ids are path-like, so a filter selects a subtree on whole segments: `lstm/mask` matches
 * `lstm/mask` and `lstm/mask/...` but never `lstm/masking/...`. The same rule matches expectations
 * entries (conformance/expectations.ts).
 */

/** Whether `pattern` (an id or an id prefix on whole segments; a trailing `/` is allowed) selects `id`. */
export function matchesIdPattern(id: string, pattern: string): boolean {
  const p = pattern.endsWith("/") ? pattern.slice(0, -1) : pattern;
  return p === "" || id === p || id.startsWith(`${p}/`);
}

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Parses `k/n` (1 ≤ k ≤ n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard must be k/n with 1 <= k <= n, e.g. 2/4; got "${text}"`);
  }
  return { index, count };
}

/** FNV-1a, 32 bit: a case stays in its shard when other cases are added or removed. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Whether case `id` belongs to `shard`. Deterministic: it depends on the id alone. */
export function inShard(id: string, shard: Shard | null): boolean {
  return shard === null || hashId(id) % shard.count === shard.index - 1;
}

/** The cases matching any of `filters` (all when there are none) and falling in `shard`. */
export function selectCases<C extends { readonly id: string }>(cases: readonly C[], filters: readonly string[], shard: Shard | null): C[] {
  return cases.filter((c) => (filters.length === 0 || filters.some((f) => matchesIdPattern(c.id, f))) && inShard(c.id, shard));
}
