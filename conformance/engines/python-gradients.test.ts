/**
 * The example Python engines' backward passes (spec/gradients.md §7.2, §7.3) on the Keras gradient
 * corpus, over protocol 3: the numpy layer engine's own BPTT (numpy_gradients.py) and PyTorch's
 * autograd through nn.LSTM/GRU/RNN (layer engines, the suite composing the model's backward), and
 * real Keras's tf.GradientTape (a model engine, on one case per family: it is slow). Every case an
 * engine answers passes; what it declines is unsupported with a reason, never a pass; a mutant of
 * each answer (one weight gradient doubled) fails, so the pass is the engine's.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UnsupportedCaseError } from "../engine.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import type { GradientCase } from "../gradients/case.ts";
import { compareGradients } from "../gradients/compare.ts";
import { loadGradientDir } from "../gradients/load.ts";
import { defaultFixturesDir, packageRoot } from "../package-paths.ts";
import { unsupportedReason } from "../unsupported-case.ts";
import { createProcessEngine, type ProcessEngine } from "./process.ts";

const python = process.env.KERAS_RNN_CONFORMANCE_PYTHON ?? join(packageRoot(), ".venv", "bin", "python");
const has = (m: string): boolean => existsSync(python) && spawnSync(python, ["-c", `import importlib.util as u; raise SystemExit(u.find_spec(${JSON.stringify(m)}) is None)`]).status === 0;
const { cases } = loadGradientDir(defaultFixturesDir());
const onePerFamily = (all: readonly GradientCase[]): GradientCase[] => {
  const seen = new Set<string>();
  return all.filter((c) => { const f = c.id.split("/").slice(0, 3).join("/"); return !seen.has(f) && seen.add(f); });
};

const ENGINES = [
  { dir: "python-numpy", module: "numpy", sample: (c: readonly GradientCase[]) => [...c], minPass: 157 },
  { dir: "python-torch", module: "torch", sample: (c: readonly GradientCase[]) => [...c], minPass: 90 },
  { dir: "python-keras", module: "keras", sample: onePerFamily, minPass: 24 },
] as const;

const opened: ProcessEngine[] = [];
afterAll(async () => {
  for (const e of opened) await e.close?.();
});

for (const { dir, module, sample, minPass } of ENGINES) {
  describe.skipIf(!has(module))(`${dir} gradients`, () => {
    it("passes every gradient case it answers; declines the rest with a reason; a doubled kernel gradient fails", async () => {
      const engine = await createProcessEngine(`"${python}" "${join(packageRoot(), "examples", "engines", dir, "engine.py")}"`, { timeoutMs: 120_000 });
      opened.push(engine);
      expect(engine.features).toContain("gradients");
      let pass = 0;
      const failed: string[] = [];
      const declined: string[] = [];
      for (const c of sample(cases)) {
        // as the runner does: a case needing a feature the engine lacks is unsupported, never sent (spec/adapter.md §2)
        const missing = missingFeatures(requiredFeatures(c), engine.features);
        if (missing.length > 0) {
          declined.push(`${c.id}: engine does not implement ${missing.join(", ")}`);
          continue;
        }
        let answers;
        try {
          answers = await engine.gradients!(c);
        } catch (e) {
          const reason = e instanceof UnsupportedCaseError ? e.message : unsupportedReason(e);
          if (reason === null) throw e;
          declined.push(`${c.id}: ${reason}`);
          continue;
        }
        const j = compareGradients(c, answers);
        if (!j.pass) {
          failed.push(`${c.id}: ${j.summary}`);
          continue;
        }
        pass++;
        const doubled = answers.map((a) => ({ ...a, layers: a.layers.map((l) => ({ ...l, kernel: { shape: l.kernel.shape, data: Float64Array.from(l.kernel.data, (v) => 2 * v) } })) }));
        if (answers[0]!.layers[0]!.kernel.data.some((v) => Math.abs(v) > 1e-3)) expect(compareGradients(c, doubled).pass, c.id).toBe(false);
      }
      console.log(`${dir}: ${pass} pass, ${failed.length} fail, ${declined.length} unsupported of ${sample(cases).length}`);
      expect(failed).toEqual([]);
      expect(pass).toBeGreaterThanOrEqual(minPass);
      for (const d of declined) expect(d).toMatch(/: \S/);
    }, 900_000);
  });
}
