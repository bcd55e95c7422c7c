/**
 * The example Python engines on Bidirectional cases (spec/bidirectional.md), against the reference on
 * hand-made cases (testdata/bidirectional-cases.ts): numpy and torch are layer engines, so the suite
 * composes the wrapper from their layer calls (forward, then backward with go_backwards); Keras
 * builds keras.layers.Bidirectional (tf_keras's for tf-keras) from the two layers' configs. Needs the
 * project venv as python-engines.test.ts does; without it the tests are skipped with the reason.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayerCase, MergeMode } from "../case.ts";
import { compareTensors, describeComparison } from "../compare.ts";
import type { Feature } from "../engine.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import { packageRoot } from "../package-paths.ts";
import { asCells } from "../testing/as-cells.ts";
import { sampleCase, sampleCases } from "../testing/sample-cases.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import { createProcessEngine, type ProcessEngine } from "./process.ts";
import { referenceEngine } from "./reference.ts";
import { asBidirectional } from "./testdata/bidirectional-cases.ts";

const python = process.env.KERAS_RNN_CONFORMANCE_PYTHON ?? join(packageRoot(), ".venv", "bin", "python");
const ENGINES = { "python-numpy": ["numpy"], "python-torch": ["numpy", "torch"], "python-keras": ["numpy", "keras", "tensorflow", "tf_keras"] } as const;

function skipReason(modules: readonly string[]): string | undefined {
  if (!existsSync(python)) return `no Python at ${python}`;
  const r = spawnSync(python, ["-c", `import importlib.util as u, sys; m = [n for n in ${JSON.stringify(modules)} if not u.find_spec(n)]; print(" ".join(m))`], { encoding: "utf8" });
  if (r.status !== 0) return `${python} does not run: ${r.stderr}`;
  return r.stdout.trim() ? `${python} lacks ${r.stdout.trim()}` : undefined;
}

const MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave", null];
const bases: LayerCase[] = [
  sampleCases.sequencesAndState,
  sampleCase({ id: "s/last_state", config: { return_state: true } }),
  sampleCase({ id: "s/initial_state", initialState: true, config: { return_sequences: true, return_state: true } }),
  sampleCase({ id: "s/masked", mask: ["1110", "0110"], config: { return_sequences: true, return_state: true } }),
  sampleCase({ id: "s/stateful", calls: 2, config: { stateful: true, return_sequences: true, return_state: true } }),
];
const stacked = sampleCase({ id: "s/stacked", units: [3, 2], mask: ["1110", "1100"], config: { return_sequences: true, return_state: true } });

/** Every Bidirectional case the engine declares the features of: every cell, merge mode, the toggled tf-keras pair, a stack. */
function cases(features: readonly Feature[]): LayerCase[] {
  const all: LayerCase[] = [];
  for (const b of bases) {
    for (const cell of [b, asCells(b, ["GRU"], true), asCells(b, ["GRU"], false, "/reset_before"), asCells(b, ["SimpleRNN"])]) {
      for (const mode of MODES) all.push(asBidirectional(cell, { mergeMode: mode }));
      all.push(asBidirectional({ ...cell, dialect: "tf-keras" }, { toggled: true }));
    }
  }
  all.push(asBidirectional(stacked), asBidirectional(asCells(stacked, ["GRU"], true)));
  return all.filter((c) => missingFeatures(requiredFeatures(c), features).length === 0);
}

for (const [name, modules] of Object.entries(ENGINES)) {
  const reason = skipReason(modules);
  describe.skipIf(reason !== undefined)(`${name}: Bidirectional cases${reason ? ` — skipped: ${reason}` : ""}`, () => {
    let engine: ProcessEngine;
    beforeAll(async () => {
      engine = await createProcessEngine(`"${python}" "${join(packageRoot(), "examples", "engines", name, "engine.py")}"`, { validateProtocol: true, timeoutMs: 60_000 });
    }, 120_000);
    afterAll(async () => engine?.close());

    it("declares bidirectional and agrees with the reference on every Bidirectional case it declares the features of", async () => {
      expect(engine.features).toContain("bidirectional");
      // Keras 3.15.1 cannot call a stateful Bidirectional with return_state (its compute_mask fails,
      // spec/bidirectional.md §9); the Keras engine declines it, and the corpus has no such Keras 3 case.
      const kerasCannot = (c: LayerCase): boolean => name === "python-keras" && c.dialect === "keras3" && c.layers.some((l) => l.className === "Bidirectional" && l.forward.config.stateful && l.forward.config.return_state);
      const selected = cases(engine.features).filter((c) => !kerasCannot(c));
      expect(selected.length).toBeGreaterThan(10);
      const problems: string[] = [];
      const started = performance.now();
      for (const c of selected) {
        const [got, want] = [await engine.run(c), await referenceEngine.run(c)];
        want.forEach((call, i) =>
          call.forEach((w, k) => {
            const g = got[i]?.[k];
            if (g === undefined) return problems.push(`${c.id} call ${i}: no output ${k}`);
            const cmp = compareTensors(g, w, BASE_TOLERANCE);
            if (!cmp.shapeOk || cmp.mismatches > 0) problems.push(`${c.id} call ${i} output ${k}: ${describeComparison(cmp, BASE_TOLERANCE)}`);
            return undefined;
          }),
        );
      }
      console.log(`${name}: ${selected.length} Bidirectional cases in ${Math.round(performance.now() - started)} ms`);
      expect(problems).toEqual([]);
    }, 600_000);
  });
}
