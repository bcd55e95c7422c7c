/**
 * End-to-end proof of porting a Keras `Bidirectional` (spec/porting.md §18, spec/bidirectional.md) to
 * PyTorch and ONNX on Keras's own Bidirectional fixtures:
 * - PyTorch: each Bidirectional is one `nn.LSTM` / `nn.GRU` / `nn.RNN` with `bidirectional=True`, Keras's
 *   forward layer's weights in `…_l0` and the backward one's in `…_l0_reverse` (converted by the cells'
 *   converters, testing/porting-torch.ts), run in real torch (conformance/porting/torch_check.py);
 * - ONNX: the ONNX Runtime engine's bidirectional node, whose W/R/B are the converters' own two-direction
 *   output (`kerasToOnnx`, `kerasGruToOnnx`, `kerasSimpleRnnToOnnx` of [forward, backward], checked bit for
 *   bit here), run in onnxruntime-web.
 * Both must give Keras's recorded outputs within each case's tolerance. The hand-made cases
 * (engines/testdata/bidirectional-cases.ts) check the same machinery against the reference when the
 * fixtures cannot say (and that a mapping with the directions swapped is caught).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasBidirectional, sequenceLayers, type FixtureCase, type LayerCase } from "../case.ts";
import { compareTensors, describeComparison } from "../compare.ts";
import { UnsupportedCaseError, type EngineOutputs } from "../engine.ts";
import { onnxNodePlan, onnxNodeWeights, type OnnxNodePlan } from "../engines/onnx-model.ts";
import { engine as onnxRuntime } from "../engines/onnxruntime.ts";
import { referenceEngine } from "../engines/reference.ts";
import { asBidirectional, swapDirections } from "../engines/testdata/bidirectional-cases.ts";
import { expectationFor, parseExpectations } from "../expectations.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import { formatLoadError, loadFixtureDir } from "../fixtures/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { asCells } from "../testing/as-cells.ts";
import { caseInexpressible, runTorch, torchAvailable, torchLayers } from "../testing/porting-torch.ts";
import { sampleCase } from "../testing/sample-cases.ts";
import type { Tensor } from "../tensor.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import type { BiasSplit } from "./gates.ts";
import { kerasGruToOnnx } from "./gru.ts";
import { kerasToOnnx } from "./onnx.ts";
import { kerasSimpleRnnToOnnx } from "./simple-rnn.ts";

const corpus = loadFixtureDir(defaultFixturesDir());
const bidirectionalFixtures = corpus.cases.filter(hasBidirectional);
const withTorch = torchAvailable();
const policies: BiasSplit[] = ["input", "recurrent", "half"];
const ORT_EXPECTATIONS = join(import.meta.dirname, "..", "engines", "onnxruntime.expectations");

/** Per cell (of the Bidirectional layers), cases run and the worst |framework − Keras|. */
type Worst = Map<string, { cases: number; maxAbs: number }>;
const cellsOf = (c: LayerCase): string => [...new Set(sequenceLayers(c).map((l) => (l.className === "Bidirectional" ? `Bidirectional(${l.forward.className})` : l.className)))].join("+");

/** Compares one case's outputs with the expected ones (Keras's, or the reference's for a hand-made case). */
function check(c: LayerCase, got: EngineOutputs | { shape: number[]; data: number[] }[][], want: readonly (readonly Tensor[])[], tolerance: Pick<FixtureCase["tolerance"], "atol" | "rtol">, worst: Worst, problems: string[]): void {
  const w = worst.get(cellsOf(c)) ?? { cases: 0, maxAbs: 0 };
  w.cases++;
  want.forEach((call, k) => {
    if (got[k]?.length !== call.length) return problems.push(`${c.id} call ${k}: ${got[k]?.length ?? 0} outputs, expected ${call.length}`);
    call.forEach((e, j) => {
      const cmp = compareTensors(got[k]![j]!, e, tolerance);
      w.maxAbs = Math.max(w.maxAbs, cmp.maxAbs);
      if (cmp.mismatches > 0 || !cmp.shapeOk) problems.push(`${c.id} call ${k} output ${j}: ${describeComparison(cmp, tolerance)}`);
    });
    return undefined;
  });
  worst.set(cellsOf(c), w);
}

const report = (worst: Worst, what: string): string => [...worst].sort(([a], [b]) => a.localeCompare(b)).map(([k, w]) => `${k} ${w.cases} cases, max |${what} − expected| = ${w.maxAbs.toExponential(2)}`).join("; ");

/** Hand-made Bidirectional cases torch can express: every cell, merge mode, initial state, the toggled pair, a stack. */
function handMade(): LayerCase[] {
  const bases = [
    sampleCase({ id: "s/seq_state", config: { return_sequences: true, return_state: true } }),
    sampleCase({ id: "s/last_state", initialState: true, config: { return_state: true } }),
  ];
  const out: LayerCase[] = [];
  for (const b of bases) {
    for (const cell of [b, asCells(b, ["GRU"], true), asCells(b, ["SimpleRNN"])]) {
      for (const mode of ["concat", "sum", "mul", "ave", null] as const) out.push(asBidirectional(cell, { mergeMode: mode }));
      out.push(asBidirectional({ ...cell, dialect: "tf-keras" }, { mergeMode: "concat", toggled: true }));
    }
  }
  out.push(asBidirectional(sampleCase({ id: "s/stacked", units: [3, 2], config: { return_sequences: true, return_state: true } })));
  return out;
}

describe("porting a Bidirectional to PyTorch: one module with bidirectional=True (spec/porting.md §18)", () => {
  it.skipIf(!withTorch)("hand-made cases: torch equals the reference; with the directions' weights swapped it does not", async () => {
    const cases = handMade();
    const results = runTorch(cases.map((c, n) => ({ id: c.id, x: c.calls[0]!.x, ...(c.calls[0]!.initialState ? { initial_state: c.calls[0]!.initialState } : {}), layers: torchLayers(c, policies[n % 3]!) })));
    const problems: string[] = [];
    const worst: Worst = new Map();
    for (const [k, c] of cases.entries()) {
      const r = results[k]!;
      if (r.error || !r.outputs) {
        problems.push(`${c.id}: ${r.error}`);
        continue;
      }
      check(c, [r.outputs], await referenceEngine.run(c), BASE_TOLERANCE, worst, problems);
    }
    expect(problems).toEqual([]);
    // A port that put the backward layer in _l0 and the forward one in _l0_reverse is caught.
    const c = cases[0]!;
    const [swapped] = runTorch([{ id: "swapped", x: c.calls[0]!.x, layers: torchLayers(swapDirections(c), "input") }]);
    const cmp = compareTensors(swapped!.outputs![0]!, (await referenceEngine.run(c))[0]![0]!, BASE_TOLERANCE);
    expect(cmp.mismatches).toBeGreaterThan(0);
  });

  it.skipIf(!withTorch || bidirectionalFixtures.length === 0)("every Bidirectional fixture torch can express gives Keras's outputs", () => {
    if (corpus.errors.length > 0) console.warn(`corpus load errors (their cases are not in this proof):\n${corpus.errors.map(formatLoadError).join("\n")}`);
    const runnable = bidirectionalFixtures.filter((c) => caseInexpressible(c) === undefined);
    const why = new Map<string, number>();
    for (const c of bidirectionalFixtures) {
      const w = caseInexpressible(c);
      if (w !== undefined) why.set(w, (why.get(w) ?? 0) + 1);
    }
    expect(runnable.length).toBeGreaterThan(0);
    const results = runTorch(runnable.map((c, n) => ({ id: c.id, x: c.calls[0]!.x, ...(c.calls[0]!.initialState ? { initial_state: c.calls[0]!.initialState } : {}), layers: torchLayers(c, policies[n % 3]!) })));
    const problems: string[] = [];
    const worst: Worst = new Map();
    runnable.forEach((c, k) => {
      const r = results[k]!;
      if (r.error || !r.outputs) return problems.push(`${c.id}: ${r.error}`);
      check(c, [r.outputs], c.expected.map((e) => e.outputs), c.tolerance, worst, problems);
      return undefined;
    });
    console.info(`bidirectional pytorch e2e: ${runnable.length} of ${bidirectionalFixtures.length} Bidirectional fixtures run in torch (${report(worst, "torch")}); not expressible: ${[...why].map(([w, n]) => `${w} ${n}`).join(", ")}`);
    for (const cell of ["LSTM", "GRU", "SimpleRNN"]) expect([...worst.keys()].some((k) => k.includes(`Bidirectional(${cell})`)), cell).toBe(true);
    expect(problems).toEqual([]);
  });
});

describe("porting a Bidirectional to ONNX: one node with direction=bidirectional (spec/porting.md §18)", () => {
  it("the node's weights are the converters' two-direction output, bit for bit", () => {
    const cases = [...handMade(), ...bidirectionalFixtures];
    let checked = 0;
    for (const c of cases) {
      for (const l of sequenceLayers(c)) {
        // A pair one node cannot hold is declined by the engine (onnxruntime-bidirectional.test.ts); the
        // converters take one convention and matching biases, so a backward layer without one is left out too.
        if (l.className !== "Bidirectional" || l.forward.config.use_bias !== l.backward.config.use_bias) continue;
        let plan: OnnxNodePlan;
        try {
          plan = onnxNodePlan(l);
        } catch (e) {
          if (e instanceof UnsupportedCaseError) continue;
          throw e;
        }
        const [d0, d1] = plan.slots as [typeof l.forward, typeof l.backward];
        const mine = onnxNodeWeights(plan);
        const theirs =
          d0.className === "LSTM" && d1.className === "LSTM"
            ? kerasToOnnx([d0.weights, d1.weights])
            : d0.className === "GRU" && d1.className === "GRU"
              ? kerasGruToOnnx([d0.weights, d1.weights], { resetAfter: d0.config.reset_after })
              : kerasSimpleRnnToOnnx([d0.weights, d1.weights] as Parameters<typeof kerasSimpleRnnToOnnx>[0]);
        for (const k of ["W", "R", "B"] as const) {
          expect(mine[k]?.shape, `${c.id} ${k}`).toEqual(theirs[k]?.shape);
          expect(mine[k] && Array.from(mine[k].data), `${c.id} ${k}`).toEqual(theirs[k] && Array.from(theirs[k].data));
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it.skipIf(bidirectionalFixtures.length === 0)("every Bidirectional fixture ONNX Runtime can express gives Keras's outputs", async () => {
    const problems: string[] = [];
    const worst: Worst = new Map();
    const declined = new Map<string, number>();
    // ONNX's own masking (zero states for a fully masked row, zeros past sequence_lens) is a difference of
    // definitions, listed with its reason in the engine's expectations file, not a porting error.
    const { expectations } = parseExpectations(readFileSync(ORT_EXPECTATIONS, "utf8"), ORT_EXPECTATIONS);
    const listed: string[] = [];
    for (const c of bidirectionalFixtures) {
      if (expectationFor(expectations, c.id) !== undefined) {
        listed.push(c.id);
        continue;
      }
      const missing = missingFeatures(requiredFeatures(c), onnxRuntime.features);
      if (missing.length > 0) {
        declined.set(`needs ${missing.join(", ")}`, (declined.get(`needs ${missing.join(", ")}`) ?? 0) + 1);
        continue;
      }
      let got: EngineOutputs;
      try {
        got = await onnxRuntime.run(c);
      } catch (e) {
        const reason = (e as Error).message.replace(/: batch row.*$/, "");
        if ((e as Error).name !== "UnsupportedCaseError") throw e;
        declined.set(reason, (declined.get(reason) ?? 0) + 1);
        continue;
      }
      check(c, got, c.expected.map((e) => e.outputs), c.tolerance, worst, problems);
    }
    await onnxRuntime.close?.();
    console.info(`bidirectional onnxruntime e2e: ${[...worst.values()].reduce((n, w) => n + w.cases, 0)} of ${bidirectionalFixtures.length} Bidirectional fixtures run (${report(worst, "ort")}); not expressible: ${[...declined].map(([w, n]) => `${w} (${n})`).join("; ")}`);
    for (const cell of ["LSTM", "GRU", "SimpleRNN"]) expect([...worst.keys()].some((k) => k.includes(`Bidirectional(${cell})`)), cell).toBe(true);
    console.info(`bidirectional onnxruntime e2e: left to onnxruntime.expectations (ONNX's masking): ${listed.join(", ") || "none"}`);
    expect(problems).toEqual([]);
  });
});
