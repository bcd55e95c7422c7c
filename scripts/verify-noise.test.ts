// `fixtures:verify`'s noise rule (spec/tolerance.md §6), run on the generator's own comparison code:
// a cross-CPU difference within half a case's tolerance is noise, anything more is a mismatch.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

function classify(regenerated: number[], committed: number[], tolerance: { atol: number; rtol: number } | null): { exact: string[]; noise: string[] } {
  const script = `
import json, sys
sys.path.insert(0, "scripts")
from keras_fixtures.verify import Diff, compare_json, noise_bound, NOISE_ATOL, NOISE_RTOL
a, b, tol = json.loads(sys.argv[1])
d = Diff()
compare_json(a, b, "/data", d, bound=noise_bound({"tolerance": tol}) if tol else (NOISE_ATOL, NOISE_RTOL))
print(json.dumps({"exact": d.exact, "noise": d.noise}))`;
  const r = spawnSync("bash", ["scripts/keras-env.sh", "python", "-c", script, JSON.stringify([regenerated, committed, tolerance])], { cwd: root, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { exact: string[]; noise: string[] };
}

describe("fixtures:verify noise bound", () => {
  const tol = { atol: 1e-5, rtol: 1e-5 };
  it("identical values are neither", () => {
    expect(classify([0.5, -1.25], [0.5, -1.25], tol)).toEqual({ exact: [], noise: [] });
  });
  it("a difference within half the case's tolerance is noise (the 4.1e-6 seen across CPUs)", () => {
    expect(classify([0.5, -1.25], [0.5, -1.2500041], tol)).toMatchObject({ exact: [] });
    expect(classify([0.5, -1.25], [0.5, -1.2500041], tol).noise).toHaveLength(1);
  });
  it("a difference beyond half the case's tolerance is a mismatch", () => {
    expect(classify([0.5, -1.25], [0.5, -1.25002], tol).exact).toHaveLength(1);
  });
  it("without a case tolerance the bound is 1e-6 + 1e-6·|e|", () => {
    expect(classify([0.5], [0.5000005], null).exact).toEqual([]);
    expect(classify([0.5], [0.500004], null).exact).toHaveLength(1);
  });
});
