/**
 * End-to-end proof of the Keras → ONNX conversions (spec/porting.md §4, §14.2, §15.2). The ONNX
 * Runtime engine (conformance/engines/onnxruntime.ts) builds its ONNX `LSTM` node from `kerasToOnnx`,
 * so every corpus case it runs is Keras weights converted by this module, executed by a real ONNX
 * implementation. The engine converts GRU and SimpleRNN weights with its own code (onnx-model.ts
 * `kerasToOnnxWeights`, equal to the converters' bit for bit: gru.test.ts, simple-rnn.test.ts), so
 * the second test builds the models from `kerasGruToOnnx` and `kerasSimpleRnnToOnnx` themselves
 * (testing/porting-onnx-runtime.ts) and runs every corpus case ONNX can express. Cases whose only
 * difference is ONNX's own masking semantics (spec/lstm.md §3.5) are left to that engine's
 * expectations file; every *unmasked* case must match Keras.
 */
import { describe, expect, it } from "vitest";
import { recurrentLayers, type FixtureCase } from "../case.ts";
import { ONNX_EXPRESSIBLE_ACTIVATIONS } from "../engines/onnx-model.ts";
import { runConvertedInOnnxRuntime } from "../testing/porting-onnx-runtime.ts";
import { compareTensors, describeComparison } from "../compare.ts";
import { engine as onnxRuntime } from "../engines/onnxruntime.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import { formatLoadError, loadFixtureDir } from "../fixtures/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";

describe("Keras → ONNX weights give Keras's outputs in ONNX Runtime (whole corpus)", () => {
  it("every unmasked corpus case ONNX Runtime supports matches Keras within its tolerance", async () => {
    const loaded = loadFixtureDir(defaultFixturesDir());
    // The corpus's own integrity is the loader's tests' business; here a file that does not load is
    // reported (not silently dropped) and the proof runs on every case that did load.
    if (loaded.errors.length > 0) console.warn(`corpus load errors (their cases are not in this proof):\n${loaded.errors.map(formatLoadError).join("\n")}`);
    expect(loaded.cases.length).toBeGreaterThan(0);
    const unmasked = loaded.cases.filter((c) => !c.layers.some((l) => l.className === "Masking" || l.className === "Bidirectional") && !c.calls.some((call) => call.mask));
    const problems: string[] = [];
    let ran = 0;
    let worst = 0;
    for (const c of unmasked) {
      if (missingFeatures(requiredFeatures(c), onnxRuntime.features).length > 0) continue;
      const outputs = await onnxRuntime.run(c);
      ran++;
      outputs.forEach((call, k) =>
        call.forEach((o, j) => {
          const cmp = compareTensors(o, c.expected[k]!.outputs[j]!, c.tolerance);
          worst = Math.max(worst, cmp.maxAbs);
          if (cmp.mismatches > 0 || !cmp.shapeOk) problems.push(`${c.id} call ${k} output ${j}: ${describeComparison(cmp, c.tolerance)}`);
        }),
      );
    }
    await onnxRuntime.close?.();
    console.info(`onnxruntime e2e: ${ran} of ${loaded.cases.length} corpus cases run (${unmasked.length} unmasked), max |ort - keras| = ${worst.toExponential(2)}`);
    expect(ran).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it("every unmasked corpus case of every cell runs in ONNX Runtime on weights the converters made (LSTM, GRU both linear_before_reset, RNN)", async () => {
    const loaded = loadFixtureDir(defaultFixturesDir());
    expect(loaded.cases.length).toBeGreaterThan(0);
    const expressible = new Set<string>(ONNX_EXPRESSIBLE_ACTIVATIONS);
    const activations = (c: FixtureCase): string[] => recurrentLayers(c).flatMap((l) => [l.config.activation, ...(l.className === "SimpleRNN" ? [] : [String(l.config.recurrent_activation)])]);
    // Bidirectional cases have their own proof (bidirectional-e2e.test.ts, spec/porting.md §18).
    const runnable = loaded.cases.filter((c) => !c.layers.some((l) => l.className === "Masking" || l.className === "Bidirectional") && !c.calls.some((call) => call.mask) && activations(c).every((a) => expressible.has(a)));
    const problems: string[] = [];
    const worst = new Map<string, { cases: number; maxAbs: number }>();
    for (const c of runnable) {
      const outputs = await runConvertedInOnnxRuntime(c);
      const key = [...new Set(recurrentLayers(c).map((l) => (l.className === "GRU" ? `GRU(reset_after=${String(l.config.reset_after)})` : l.className)))].join("+");
      const w = worst.get(key) ?? { cases: 0, maxAbs: 0 };
      w.cases++;
      outputs.forEach((call, k) =>
        call.forEach((o, j) => {
          const cmp = compareTensors(o, c.expected[k]!.outputs[j]!, c.tolerance);
          w.maxAbs = Math.max(w.maxAbs, cmp.maxAbs);
          if (cmp.mismatches > 0 || !cmp.shapeOk) problems.push(`${c.id} call ${k} output ${j}: ${describeComparison(cmp, c.tolerance)}`);
        }),
      );
      worst.set(key, w);
    }
    const report = [...worst].sort(([a], [b]) => a.localeCompare(b)).map(([k, w]) => `${k} ${w.cases} cases, max |ort - keras| = ${w.maxAbs.toExponential(2)}`);
    console.info(`onnxruntime e2e (converters' own models): ${runnable.length} of ${loaded.cases.length} corpus cases; ${report.join("; ")}`);
    for (const k of ["LSTM", "GRU(reset_after=true)", "GRU(reset_after=false)", "SimpleRNN"]) expect(worst.get(k)?.cases ?? 0, k).toBeGreaterThan(5);
    expect(problems).toEqual([]);
  });
});
