// The generator's user case list gives one clear line per problem and exit 2, never a traceback
// (issue 2, scripts/README.md "Your own cases"). Only validation runs: no Keras import, fast.
// Then what the generator wrote: the long-sequence family, run with the reference and a mutant.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FixtureCase, LayerCase } from "../conformance/case.ts";
import type { Engine, EngineOutputs } from "../conformance/engine.ts";
import { referenceEngine } from "../conformance/engines/reference.ts";
import { loadFixtureDir } from "../conformance/fixtures/load.ts";
import { defaultFixturesDir } from "../conformance/package-paths.ts";
import { runSuite } from "../conformance/runner.ts";
import type { Tensor } from "../conformance/tensor.ts";
import { policyTolerance } from "../conformance/tolerance-policy.ts";

const python = join(import.meta.dirname, "..", ".venv", "bin", "python");
const generator = join(import.meta.dirname, "generate_fixtures.py");

describe.skipIf(!existsSync(python))("generate_fixtures.py cases (bad case list)", () => {
  it("names the entry index and field of every problem and exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "user-cases-"));
    const list = join(dir, "bad.json");
    writeFileSync(list, JSON.stringify({
      cases: [
        { layers: [{ class_name: "LSTM", config: { units: 0 } }], input_shape: [2, 3, 4] },
        { layers: [{ class_name: "LSTM", config: { units: 2 } }], input_shape: [2, 3] },
      ],
    }));
    const run = spawnSync(python, [generator, "cases", "--cases", list, "--out", join(dir, "out")], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("cases[0].layers[0].config.units: must be a positive integer");
    expect(run.stderr).toContain("cases[1].input_shape: must be [batch, timesteps, input_dim]");
    expect(run.stderr).not.toContain("Traceback");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});

// The long-sequence family (scripts/keras_fixtures/families.py `long_sequences`): Keras cases of
// 1000 and 2000 steps, so that an engine wrong only past some step (a fixed buffer, an index that
// wraps) fails a case; every other family stops at 100 steps (spec/tolerance.md §3.1).
describe("the lstm/long family in the committed corpus", () => {
  const corpus = loadFixtureDir(defaultFixturesDir());
  const long = corpus.cases.filter((c) => c.id.startsWith("lstm/long/"));
  const timesteps = (c: LayerCase): number => c.calls[0]!.x.shape[1]!;

  it("holds Keras cases of 1000 and 2000 steps at the policy tolerance for their length", () => {
    expect(corpus.errors).toEqual([]);
    expect(long.map((c) => [c.id, timesteps(c)])).toEqual([
      ["lstm/long/go_backwards/001", 2000],
      ["lstm/long/last/001", 2000],
      ["lstm/long/mask_late_hole/001", 1000],
      ["lstm/long/sequences/001", 1000],
    ]);
    for (const c of long) {
      expect({ atol: c.tolerance.atol, rtol: c.tolerance.rtol }, c.id).toEqual(policyTolerance(timesteps(c)));
      expect(c.backends["jax"]?.agrees, c.id).toBe(true);
    }
  });

  it("passes the reference, and fails an engine wrong only after step 200 that passes every other case", async () => {
    const others = corpus.cases.filter((c) => !c.id.startsWith("lstm/long/"));
    expect(long).toHaveLength(4);
    expect(Math.max(...others.map(timesteps))).toBeLessThanOrEqual(200);
    const statuses = async (engine: Engine, cases: readonly FixtureCase[]): Promise<Record<string, string>> =>
      Object.fromEntries((await runSuite(engine, cases, { diagnose: false })).cases.map((v) => [v.id, v.status]));
    const all = (cases: readonly FixtureCase[], status: string): Record<string, string> => Object.fromEntries(cases.map((c) => [c.id, status]));
    const mutant = wrongFromStep(200, 1e-4);
    expect(await statuses(referenceEngine, long)).toEqual(all(long, "pass"));
    expect(await statuses(mutant, long)).toEqual(all(long, "fail"));
    expect(await statuses(mutant, others)).toEqual(all(others, "pass"));
  });
});

/**
 * The reference, with every value it computes from step `step` on (0-based: the first `step` steps
 * are right) moved by `delta`, 10 x the tolerance: invisible to any sequence of at most `step`
 * steps. Sequence outputs are in processing order (spec/fixture-format.md §3.2), so index t along
 * axis 1 is step t; a last output and the returned states come from the last step.
 */
function wrongFromStep(step: number, delta: number): Engine {
  const perturb = (t: Tensor, timesteps: number): Tensor => {
    const data = Float32Array.from(t.data);
    if (t.shape.length === 3) {
      const [B, T, U] = t.shape as [number, number, number];
      for (let b = 0; b < B; b++) for (let s = step; s < T; s++) for (let u = 0; u < U; u++) data[(b * T + s) * U + u]! += delta;
    } else if (timesteps > step) {
      for (let k = 0; k < data.length; k++) data[k]! += delta;
    }
    return { shape: [...t.shape], data };
  };
  return {
    ...referenceEngine,
    name: `wrong-from-step-${step}`,
    async run(c: LayerCase): Promise<EngineOutputs> {
      const outputs = await referenceEngine.run(c);
      return outputs.map((call, k) => call.map((t) => perturb(t, c.calls[k]!.x.shape[1]!)));
    },
  };
}
