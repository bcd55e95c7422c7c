/**
 * End-to-end proof of the Keras → PyTorch conversions (spec/porting.md §3, §14.1, §15.1): every corpus
 * case PyTorch can express — each layer an `nn.LSTM` (tanh/sigmoid), an `nn.GRU` (reset_after=True,
 * tanh/sigmoid) or an `nn.RNN` (tanh or relu); no mask, one call — is run through real torch with
 * weights converted by `kerasToPytorchStateDict`, `kerasGruToPytorchStateDict` and
 * `kerasSimpleRnnToPytorchStateDict`, and must give Keras's recorded outputs. Mixed stacks are one
 * module per layer. Needs torch in the project venv (`.venv/bin/pip install torch==2.13.0`); without
 * it the test is reported as skipped with the reason, never passed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recurrentLayers, type FixtureCase } from "../case.ts";
import { compareTensors, describeComparison } from "../compare.ts";
import { formatLoadError, loadFixtureDir } from "../fixtures/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import type { BiasSplit } from "./gates.ts";
import { readKerasModel, type ModelCell } from "../models/read-model.ts";
import { layerInexpressible, runTorch, torchAvailable as torchAvailableNow, torchLayer } from "../testing/porting-torch.ts";

const torchAvailable = torchAvailableNow();

/** Why PyTorch cannot run this case as it stands, or undefined when it can. */
function inexpressible(c: FixtureCase): string | undefined {
  if (c.layers.some((l) => l.className === "Masking")) return "Masking layer";
  if (c.calls.some((call) => call.mask)) return "mask";
  if (c.calls.length !== 1) return "several calls";
  // Bidirectional cases have their own proof (bidirectional-e2e.test.ts, spec/porting.md §18).
  if (c.layers.some((l) => l.className === "Bidirectional")) return "Bidirectional";
  return recurrentLayers(c).map(layerInexpressible).find((why) => why !== undefined);
}

const policies: BiasSplit[] = ["input", "recurrent", "half"];

/** The cells of a case, for the per-cell report ("gru", or "lstm+gru" for a mixed stack). */
const cellsOf = (c: FixtureCase): string => [...new Set(recurrentLayers(c).map((l) => l.className))].join("+");

describe("Keras → PyTorch weights give Keras's outputs in real torch.nn.LSTM, nn.GRU and nn.RNN (whole corpus)", () => {
  it.skipIf(!torchAvailable)("every expressible corpus case matches Keras within its tolerance", () => {
    const loaded = loadFixtureDir(defaultFixturesDir());
    // The corpus's own integrity is the loader's tests' business; here a file that does not load is
    // reported (not silently dropped) and the proof runs on every case that did load.
    if (loaded.errors.length > 0) console.warn(`corpus load errors (their cases are not in this proof):\n${loaded.errors.map(formatLoadError).join("\n")}`);
    expect(loaded.cases.length).toBeGreaterThan(0);
    const runnable = loaded.cases.filter((c) => inexpressible(c) === undefined);
    for (const cell of ["LSTM", "GRU", "SimpleRNN"]) expect(runnable.filter((c) => cellsOf(c) === cell).length, cell).toBeGreaterThan(20);
    const request = runnable.map((c, n) => {
      const layers = recurrentLayers(c);
      return {
        id: c.id,
        x: c.calls[0]!.x,
        ...(c.calls[0]!.initialState ? { initial_state: c.calls[0]!.initialState } : {}),
        // Cycle through the bias-split policies: every one must give the same outputs.
        layers: layers.map((l, k) => torchLayer(l, undefined, policies[n % 3]!, k === layers.length - 1 && l.config.return_state)),
      };
    });
    const results = runTorch(request);
    const problems: string[] = [];
    const worst = new Map<string, { cases: number; maxAbs: number }>();
    results.forEach((r, k) => {
      const c = runnable[k]!;
      if (r.error || !r.outputs) return problems.push(`${r.id}: ${r.error}`);
      const expected = c.expected[0]!.outputs;
      if (r.outputs.length !== expected.length) return problems.push(`${r.id}: ${r.outputs.length} outputs, Keras has ${expected.length}`);
      const w = worst.get(cellsOf(c)) ?? { cases: 0, maxAbs: 0 };
      w.cases++;
      r.outputs.forEach((o, j) => {
        const cmp = compareTensors(o, expected[j]!, c.tolerance);
        w.maxAbs = Math.max(w.maxAbs, cmp.maxAbs);
        if (cmp.mismatches > 0 || !cmp.shapeOk) problems.push(`${r.id} output ${j}: ${describeComparison(cmp, c.tolerance)}`);
      });
      worst.set(cellsOf(c), w);
    });
    const perCell = [...worst].map(([cell, w]) => `${cell} ${w.cases} cases, max |torch - keras| = ${w.maxAbs.toExponential(2)}`).join("; ");
    console.info(`pytorch e2e: ${runnable.length} of ${loaded.cases.length} corpus cases run in torch (${perCell}); not expressible: ${loaded.cases.length - runnable.length}`);
    expect(problems).toEqual([]);
  });

  it.skipIf(!torchAvailable)("the Keras model files (stacked, Bidirectional, every cell) read and converted give Keras's recorded outputs in torch", async () => {
    const dir = join(defaultFixturesDir(), "models");
    const { models } = JSON.parse(readFileSync(join(dir, "models.json"), "utf8")) as { models: { path: string; input: { shape: number[]; data: number[] }; outputs: { shape: number[]; data: number[] }[] }[] };
    const cases: { id: string; x: unknown; layers: unknown[] }[] = [];
    const skipped: string[] = [];
    for (const m of models) {
      const model = await readKerasModel(join(dir, m.path));
      const halves = model.recurrent.map((r): [ModelCell, ModelCell | undefined] => (r.className === "Bidirectional" ? [r.forward, r.backward] : [r.cell, undefined]));
      const why = halves.map(([f]) => layerInexpressible(f)).find((w) => w !== undefined);
      if (why !== undefined) {
        skipped.push(`${m.path} (${why})`);
        continue;
      }
      cases.push({ id: m.path, x: m.input, layers: halves.map(([f, b]) => torchLayer(f, b?.weights, "input", false)) });
    }
    const results = runTorch(cases);
    const tol = { atol: 1e-5, rtol: 1e-5 }; // spec/tolerance.md policy
    results.forEach((r) => {
      expect(r.error, r.id).toBeUndefined();
      const want = models.find((m) => m.path === r.id)!.outputs[0]!;
      const cmp = compareTensors(r.outputs![0]!, { shape: want.shape, data: Float32Array.from(want.data) }, tol);
      expect(cmp.mismatches, `${r.id}: ${describeComparison(cmp, tol)}`).toBe(0);
    });
    // every cell is proven on a model file of its own (GRU: a Bidirectional one; SimpleRNN: a stack and a mix with a GRU)
    for (const file of ["keras3-bidirectional-gru.keras", "tf-keras-bidirectional-gru.h5", "tf-keras-stacked-simple-rnn.h5", "keras3-simple-rnn-gru.keras"]) expect(results.map((r) => r.id)).toContain(file);
    console.info(`pytorch e2e: ${results.length} Keras model files reproduced in torch (${results.map((r) => r.id).join(", ")}); not expressible: ${skipped.join(", ") || "none"}`);
  });
});
