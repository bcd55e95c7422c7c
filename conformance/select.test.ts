import { describe, expect, it } from "vitest";
import { inShard, matchesIdPattern, parseShard, selectCases } from "./select.ts";

describe("id filters", () => {
  it("match whole segments only", () => {
    expect(matchesIdPattern("lstm/mask/001", "lstm/mask")).toBe(true);
    expect(matchesIdPattern("lstm/mask/001", "lstm/mask/")).toBe(true);
    expect(matchesIdPattern("lstm/masking/001", "lstm/mask")).toBe(false);
    expect(matchesIdPattern("lstm/mask/001", "lstm/mask/001")).toBe(true);
    expect(matchesIdPattern("lstm/mask/0011", "lstm/mask/001")).toBe(false);
  });
  it("select a union of subtrees", () => {
    const ids = ["a/x/001", "a/y/001", "b/x/001"].map((id) => ({ id }));
    expect(selectCases(ids, ["a/x", "b"], null).map((c) => c.id)).toEqual(["a/x/001", "b/x/001"]);
    expect(selectCases(ids, [], null)).toHaveLength(3);
  });
});

describe("shards", () => {
  it("partition the cases: each id in exactly one shard", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `f/v/${String(i).padStart(3, "0")}`);
    const sizes = [1, 2, 3, 4].map((k) => ids.filter((id) => inShard(id, { index: k, count: 4 })).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(200);
    for (const n of sizes) expect(n).toBeGreaterThan(25);
    for (const id of ids) expect([1, 2, 3, 4].filter((k) => inShard(id, { index: k, count: 4 }))).toHaveLength(1);
  });
  it("parse k/n and refuse nonsense", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "2", "a/b", "1/0"]) expect(() => parseShard(bad)).toThrow(/--shard must be k\/n/);
  });
});
