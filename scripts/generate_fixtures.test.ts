// The generator's user case list gives one clear line per problem and exit 2, never a traceback
// (issue 2, scripts/README.md "Your own cases"). Only validation runs: no Keras import, fast.
// Then what the generator wrote: the long-sequence family, run with the reference and a mutant.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BidirectionalLayer, FixtureCase, LayerCase, RecurrentLayer } from "../conformance/case.ts";
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

// The Bidirectional families (scripts/keras_fixtures/bidirectional_families.py, spec/bidirectional.md §12):
// what Keras recorded, that the reference passes every case, and that engines getting the wrapper wrong
// — the halves, the flip, the weights, the initial state, or nothing at all — fail the cases that show it.
describe("the Bidirectional families in the committed corpus", () => {
  const corpus = loadFixtureDir(defaultFixturesDir());
  const bidi = corpus.cases.filter((c) => c.id.startsWith("bidirectional/"));
  const wrapperOf = (c: LayerCase): BidirectionalLayer => c.layers.filter((l): l is BidirectionalLayer => l.className === "Bidirectional").at(-1)!;
  const statuses = async (engine: Engine, cases: readonly FixtureCase[]): Promise<Record<string, string>> =>
    Object.fromEntries((await runSuite(engine, cases, { diagnose: false })).cases.map((v) => [v.id, v.status]));
  const all = (cases: readonly FixtureCase[], status: string): Record<string, string> => Object.fromEntries(cases.map((c) => [c.id, status]));
  const engineOn = (name: string, change: (c: LayerCase) => LayerCase): Engine => ({
    ...referenceEngine,
    name,
    run: async (c: LayerCase): Promise<EngineOutputs> => referenceEngine.run(change(c)),
  });
  const mapBidi = (c: LayerCase, f: (l: BidirectionalLayer) => BidirectionalLayer): LayerCase =>
    ({ ...c, layers: c.layers.map((l) => (l.className === "Bidirectional" ? f(l) : l)) });

  it("holds every merge mode x return_sequences x return_state per cell, with the sub-layers Keras built", () => {
    expect(corpus.errors).toEqual([]);
    for (const cell of ["LSTM", "GRU", "SimpleRNN"]) {
      const combos = new Set(bidi.filter((c) => c.id.startsWith("bidirectional/merge/")).map(wrapperOf)
        .filter((l) => l.forward.className === cell)
        .map((l) => `${l.config.merge_mode}/${l.forward.config.return_sequences}/${l.forward.config.return_state}`));
      expect(combos.size, cell).toBe(20);
    }
    const families = new Set(bidi.map((c) => c.id.split("/")[1]));
    expect([...families].sort()).toEqual(["backward_layer", "initial_state", "legacy", "masking", "merge", "sizes", "stacked", "stateful"]);
    for (const c of bidi) {
      for (const l of c.layers) {
        if (l.className !== "Bidirectional") continue;
        const legacy = c.id.startsWith("bidirectional/legacy/");
        // spec/bidirectional.md §1.2: Keras 3 forces go_backwards on the backward layer, tf-keras toggles it
        if (!legacy) expect([l.forward.config.go_backwards, l.backward.config.go_backwards], c.id).toEqual([false, true]);
        else expect(l.forward.config.go_backwards, c.id).toBe(!l.backward.config.go_backwards);
        // §1.4: zero_output_for_mask forced to return_sequences on both (tf-keras omits a false one)
        for (const sub of [l.forward, l.backward]) expect(sub.config.zero_output_for_mask ?? false, c.id).toBe(sub.config.return_sequences);
      }
      if (!c.id.startsWith("bidirectional/legacy/")) {
        // spec/bidirectional.md §7.5: JAX emits each direction's initial h on a fully masked row
        expect(c.backends["jax"]?.agrees, c.id).toBe(!/^bidirectional\/initial_state\/.*_full_row_last\//.test(c.id));
      }
    }
    expect(bidi.some((c) => c.id.startsWith("bidirectional/legacy/") && wrapperOf(c).forward.config.go_backwards)).toBe(true);
  });

  it("passes the reference", async () => {
    expect(bidi.length).toBeGreaterThanOrEqual(150);
    expect(await statuses(referenceEngine, bidi)).toEqual(all(bidi, "pass"));
  });

  it("fails an engine that returns zeros, or swaps the forward and backward weights, on every case", async () => {
    const zeros: Engine = {
      ...referenceEngine,
      name: "zeros",
      run: async (c: LayerCase): Promise<EngineOutputs> =>
        (await referenceEngine.run(c)).map((call) => call.map((t) => ({ shape: [...t.shape], data: new Float32Array(t.data.length) }))),
    };
    expect(Object.values(await statuses(zeros, bidi)).filter((s) => s === "pass")).toEqual([]);
    // only where both sub-layers have the same layout can the weights be swapped at all
    const shapes = (l: RecurrentLayer): string => JSON.stringify([l.className, l.weights.kernel.shape, l.weights.recurrent_kernel.shape, l.weights.bias?.shape]);
    const same = bidi.filter((c) => c.layers.every((l) => l.className !== "Bidirectional" || shapes(l.forward) === shapes(l.backward)));
    expect(same.length).toBeGreaterThan(130);
    const swapped = engineOn("weights-swapped", (c) => mapBidi(c, (l) => ({
      ...l, forward: { ...l.forward, weights: l.backward.weights }, backward: { ...l.backward, weights: l.forward.weights },
    }) as BidirectionalLayer));
    expect(await statuses(swapped, same)).toEqual(all(same, "fail"));
  });

  it("fails an engine that swaps the initial state halves, on every case with an initial_state", async () => {
    const withState = bidi.filter((c) => c.calls[0]!.initialState !== undefined && c.layers.find((l) => l.className !== "Masking")?.className === "Bidirectional");
    expect(withState.length).toBeGreaterThanOrEqual(15);
    const swapHalves = engineOn("initial-state-halves-swapped", (c) => ({
      ...c,
      calls: c.calls.map((call) => {
        const s = call.initialState;
        if (s === undefined) return call;
        const half = s.length / 2;
        return { ...call, initialState: [...s.slice(half), ...s.slice(0, half)] };
      }),
    }));
    expect(await statuses(swapHalves, withState)).toEqual(all(withState, "fail"));
  });

  it("fails an engine that swaps the concat halves or does not flip the backward sequence back", async () => {
    const last = (c: LayerCase): BidirectionalLayer | undefined => (c.layers.at(-1)?.className === "Bidirectional" ? (c.layers.at(-1) as BidirectionalLayer) : undefined);
    const T = (c: LayerCase): number => c.calls[0]!.x.shape[1]!;
    const concat = bidi.filter((c) => last(c)?.config.merge_mode === "concat" && last(c)!.forward.config.units === last(c)!.backward.config.units);
    const pairs = bidi.filter((c) => last(c)?.config.merge_mode === null && last(c)!.forward.config.return_sequences && T(c) > 1);
    expect(concat.length).toBeGreaterThanOrEqual(30);
    expect(pairs.length).toBeGreaterThanOrEqual(8);
    const halvesSwapped: Engine = {
      ...referenceEngine,
      name: "concat-halves-swapped",
      run: async (c: LayerCase): Promise<EngineOutputs> => (await referenceEngine.run(c)).map((call) => call.map((t, j) => {
        if (j !== 0) return t;
        const u = t.shape.at(-1)! / 2;
        const data = Float32Array.from(t.data);
        for (let r = 0; r < data.length / (2 * u); r++) {
          data.set(t.data.subarray(r * 2 * u + u, (r + 1) * 2 * u), r * 2 * u);
          data.set(t.data.subarray(r * 2 * u, r * 2 * u + u), r * 2 * u + u);
        }
        return { shape: [...t.shape], data };
      })),
    };
    const notFlipped: Engine = {
      ...referenceEngine,
      name: "backward-not-flipped",
      run: async (c: LayerCase): Promise<EngineOutputs> => (await referenceEngine.run(c)).map((call) => call.map((t, j) => {
        if (j !== 1) return t;
        const [B, Tn, U] = t.shape as [number, number, number];
        const data = new Float32Array(t.data.length);
        for (let b = 0; b < B; b++) for (let s = 0; s < Tn; s++) data.set(t.data.subarray((b * Tn + s) * U, (b * Tn + s + 1) * U), (b * Tn + Tn - 1 - s) * U);
        return { shape: [...t.shape], data };
      })),
    };
    expect(await statuses(halvesSwapped, concat)).toEqual(all(concat, "fail"));
    expect(await statuses(notFlipped, pairs)).toEqual(all(pairs, "fail"));
  });
});
