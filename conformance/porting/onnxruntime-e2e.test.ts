/**
 * End-to-end proof of the Keras → ONNX conversion (spec/porting.md §4): the ONNX Runtime engine
 * (conformance/engines/onnxruntime.ts) builds its ONNX `LSTM` node from `kerasToOnnx`, so every corpus
 * case it runs is Keras weights converted by this module, executed by a real ONNX implementation.
 * Cases whose only difference is ONNX's own masking semantics (spec/lstm.md §3.5) are left to that
 * engine's expectations file; every *unmasked* case it supports must match Keras.
 */
import { describe, expect, it } from "vitest";
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
    const unmasked = loaded.cases.filter((c) => !c.layers.some((l) => l.className === "Masking") && !c.calls.some((call) => call.mask));
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
});
