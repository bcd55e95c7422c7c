import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { FixtureCase, LayerCase, RecurrentLayer } from "../case.ts";
import { recurrentLayers } from "../case.ts";
import { compareTensors } from "../compare.ts";
import { UnsupportedCaseError, type EngineOutputs } from "../engine.ts";
import { expectationFor, parseExpectations } from "../expectations.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { maskingLayerMask } from "../masking-layer.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { checkCorpus } from "../testing/corpus-check.ts";
import { agreementWithReference } from "../testing/engine-agreement.ts";
import { referenceEngine } from "./reference.ts";
import { sampleCase, sampleCases } from "../testing/sample-cases.ts";
import engine from "./tfjs.ts";
import { asCells } from "../testing/as-cells.ts";

// tfjs has no zero_output_for_mask (not declared), and its hard_sigmoid is the tf-keras one.
const { rightPaddedZeroOutput, hardSigmoidKeras3, ...agreeing } = sampleCases;


describe("tfjs engine", () => {
  it.each(Object.entries(agreeing))("agrees with the reference: %s", async (_name, c) => {
    const { mismatches } = await agreementWithReference(engine, c);
    expect(mismatches).toBe(0);
  });

  // spec/gru.md §2.2, §4.6 and spec/simple-rnn.md §2.1, §4.5: tfjs's reset-before GRU and its SimpleRNN compute Keras's step.
  for (const cells of [["GRU"], ["SimpleRNN"], ["GRU", "SimpleRNN"], ["SimpleRNN", "GRU"]] as const) {
    it.each(Object.entries(agreeing))(`agrees with the reference as ${cells.join(" → ")} (reset_after=False): %s`, async (_name, c) => {
      const { mismatches } = await agreementWithReference(engine, asCells(c, cells));
      expect(mismatches).toBe(0);
    });
  }

  it("agrees with the reference on a stack that mixes the three cells", async () => {
    const three = sampleCase({ id: "s/three_cells", units: [4, 3, 2], config: { return_sequences: true, return_state: true } });
    const mixed = asCells(three, ["GRU", "SimpleRNN"]);
    const layers = [three.layers[0]!, mixed.layers[1]!, mixed.layers[2]!];
    const c: LayerCase = { ...three, layers };
    expect(c.layers.map((l) => l.className)).toEqual(["LSTM", "SimpleRNN", "SimpleRNN"]);
    const withGru: LayerCase = { ...c, layers: [three.layers[0]!, asCells(three, ["GRU"]).layers[1]!, mixed.layers[2]!] };
    for (const m of [c, withGru]) expect((await agreementWithReference(engine, m)).mismatches).toBe(0);
  });

  it("declines a reset_after=True GRU — Keras's default — with tfjs's own refusal (spec/gru.md §4.6)", async () => {
    // tfjs itself: the GRUCell constructor throws. Should a tfjs version accept it, this test says so.
    expect(() => tf.layers.gru({ units: 2, resetAfter: true } as Parameters<typeof tf.layers.gru>[0])).toThrow(/GRUCell does not support reset_after parameter set to true/);
    const c = asCells(sampleCases.basic, ["GRU"], true);
    await expect(engine.run(c)).rejects.toBeInstanceOf(UnsupportedCaseError);
    await expect(engine.run(c)).rejects.toThrow(/tfjs 4\.22\.0 has no reset_after=True GRU .*GRUCell does not support reset_after parameter set to true/);
    // In a stack too, whatever the layer's position; no tensor is left behind.
    const before = tf.memory().numTensors;
    await expect(engine.run(asCells(sampleCases.stacked, ["SimpleRNN", "GRU"], true))).rejects.toBeInstanceOf(UnsupportedCaseError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("computes hard_sigmoid as 0.2x + 0.5: wrong for Keras 3, equal to the tf-keras formula", async () => {
    expect((await agreementWithReference(engine, hardSigmoidKeras3)).mismatches).toBeGreaterThan(0);
    const asTfKeras = { ...hardSigmoidKeras3, dialect: "tf-keras" as const };
    const tfKeras = await referenceEngine.run(asTfKeras);
    const out = await engine.run(hardSigmoidKeras3);
    [...out[0]![0]!.data].forEach((v, i) => expect(v).toBeCloseTo(tfKeras[0]![0]!.data[i]!, 5));
  });

  it("emits the initial h at masked steps before the first valid one, where Keras on TensorFlow emits zeros (J4)", async () => {
    const c = sampleCase({ id: "s/leading_mask", mask: ["0111", "0011"], initialState: true, config: { return_sequences: true } });
    const { actual, expected } = await agreementWithReference(engine, c);
    const h0 = c.calls[0]!.initialState![0]!.data;
    // batch 0, step 0 (masked): 3 units.
    expect([...actual[0]![0]!.data.subarray(0, 3)]).toEqual([...h0.subarray(0, 3)]);
    expect([...expected[0]![0]!.data.subarray(0, 3)]).toEqual([0, 0, 0]);
    // From the first valid step on, they agree.
    expect(actual[0]![0]!.data[3]).toBeCloseTo(expected[0]![0]!.data[3]!, 5);
  });

  it("does not declare zero_output_for_mask, which tfjs does not have", () => {
    expect(engine.features).not.toContain("zero_output_for_mask");
    expect(engine.features).toEqual(expect.arrayContaining(["cell:lstm", "cell:gru", "cell:simple_rnn", "gru:reset_after_false"]));
    expect(rightPaddedZeroOutput.layers.length).toBe(1);
  });

  it("leaves no tensor behind", async () => {
    await engine.run(sampleCases.stacked);
    const before = tf.memory().numTensors;
    await engine.run(sampleCases.stateful);
    await engine.run(sampleCases.maskingLayer);
    await engine.run(asCells(sampleCases.stateful, ["GRU"]));
    await engine.run(asCells(sampleCases.stacked, ["SimpleRNN", "GRU"]));
    expect(tf.memory().numTensors).toBe(before);
  });
});

/**
 * What a GRU or SimpleRNN entry of tfjs.expectations says tfjs computes, as a prediction: the test
 * checks that tfjs's outputs are that prediction on every case the entry names, so each reason is a
 * diagnosis, not a guess (the suite's own diagnosis, conformance/diagnose.ts, covers the LSTM).
 */
type Effect = "hard_sigmoid 0.2x+0.5" | "initial h at masked steps" | "Masking mask applied with initial_state";
const EFFECT_OF_ENTRY: Readonly<Record<string, Effect>> = {
  "gru/options/recurrent_hard_sigmoid_reset_before": "hard_sigmoid 0.2x+0.5",
  "simple_rnn/options/activation_hard_sigmoid": "hard_sigmoid 0.2x+0.5",
  "simple_rnn/saturation/hard_sigmoid": "hard_sigmoid 0.2x+0.5",
  "gru/masking/reset_before_initial_state": "initial h at masked steps",
  "gru/legacy/compat_v1_masked": "initial h at masked steps",
  "simple_rnn/masking/initial_state": "initial h at masked steps",
  "simple_rnn/masking/go_backwards_initial_state": "initial h at masked steps",
  "simple_rnn/masking/initial_state_last/001": "initial h at masked steps",
  "simple_rnn/stateful/three_calls_masked": "initial h at masked steps",
  "simple_rnn/legacy/masking_layer_initial_state": "initial h at masked steps",
  "simple_rnn/masking/masking_layer_initial_state": "Masking mask applied with initial_state",
  "simple_rnn/stacked/masking_layer_initial_state": "Masking mask applied with initial_state",
  // Bidirectional: the fixture records Keras on JAX, which emits the initial h there as tfjs does.
  "bidirectional/initial_state/lstm_full_row_last/001": "initial h at masked steps",
  "bidirectional/initial_state/simple_rnn_full_row_last/001": "initial h at masked steps",
};

/**
 * `outputs` of a one-layer case with every step before a row's first valid one (in processing order)
 * emitting the initial h instead (spec/lstm.md §3.5.3, D1): tfjs's rnn() emits the state there.
 */
function initialHAtMaskedPrefix(c: LayerCase, outputs: EngineOutputs): EngineOutputs {
  const layers = recurrentLayers(c);
  expect(layers.length, `${c.id}: the prediction is written for one recurrent layer`).toBe(1);
  const layer: RecurrentLayer = layers[0]!;
  const masking = c.layers.find((l) => l.className === "Masking");
  return outputs.map((call, i) => {
    const { mask: given, x, initialState } = c.calls[i]!;
    const mask = given ?? (masking ? maskingLayerMask(x, masking.config.mask_value) : undefined);
    const h0 = initialState?.[0];
    if (!mask || !h0) return call;
    const [B, T] = mask.shape as [number, number];
    const u = layer.config.units;
    const out = Float32Array.from(call[0]!.data);
    for (let b = 0; b < B; b++) {
      let k = 0;
      for (; k < T && !mask.data[b * T + (layer.config.go_backwards ? T - 1 - k : k)]; k++) {
        if (layer.config.return_sequences) out.set(h0.data.subarray(b * u, (b + 1) * u), (b * T + k) * u);
      }
      if (!layer.config.return_sequences && k === T) out.set(h0.data.subarray(b * u, (b + 1) * u), b * u);
    }
    return [{ shape: call[0]!.shape, data: out }, ...call.slice(1)];
  });
}

async function predicted(c: FixtureCase, effect: Effect): Promise<EngineOutputs> {
  switch (effect) {
    case "hard_sigmoid 0.2x+0.5":
      // The reference in the tf-keras dialect changes only what hard_sigmoid means (spec/lstm.md §4).
      return referenceEngine.run({ ...c, dialect: "tf-keras" });
    case "initial h at masked steps": {
      // Keras's own JAX run does exactly this (spec/lstm.md §3.5.3); the tf-keras cases record none.
      const jax = c.backends["jax"]?.outputs;
      return jax ?? initialHAtMaskedPrefix(c, await referenceEngine.run(c));
    }
    case "Masking mask applied with initial_state": {
      // tf-keras applies the mask there (spec/lstm.md §3.5.7); one layer also shows the initial h at its masked prefix.
      const applied = await referenceEngine.run({ ...c, dialect: "tf-keras" });
      return recurrentLayers(c).length === 1 ? initialHAtMaskedPrefix(c, applied) : applied;
    }
  }
}

const fixtures = defaultFixturesDir();
const expectationsFile = join(import.meta.dirname, "tfjs.expectations");
describe.skipIf(!existsSync(fixtures))("tfjs engine on the corpus", () => {
  it("every failure is listed, with its reason, in tfjs.expectations; unsupported only for zero_output_for_mask, reset_after=True GRUs, a custom backward layer and one-step gradients", async () => {
    const { result, problems } = await checkCorpus(
      engine,
      expectationsFile,
      /^engine does not implement: zero_output_for_mask$|tfjs 4\.22\.0 has no reset_after=True GRU \(Keras's default, spec\/gru\.md §2\.1, §4\.6\): tf\.layers\.gru throws "GRUCell does not support reset_after parameter set to true\."|tf\.layers\.bidirectional has no backward_layer argument: its backward layer is the forward layer with goBackwards toggled|tfjs 4\.22\.0 cannot differentiate this case: its Unpack gradient throws .* \(a one-step sequence\)/,
      fixtures,
    );
    expect(problems).toEqual([]);
    expect(result.counts.pass).toBeGreaterThan(0);
    // Every cell runs: the reset-before GRUs and the SimpleRNNs pass, not only the LSTMs.
    for (const prefix of ["lstm/", "gru/", "simple_rnn/", "bidirectional/"]) expect(result.cases.filter((v) => v.id.startsWith(prefix) && v.status === "pass").length, prefix).toBeGreaterThan(0);
  }, 300_000);

  it("each GRU and SimpleRNN entry of tfjs.expectations says what tfjs computes: its outputs are that prediction", async () => {
    const { expectations } = parseExpectations(readFileSync(expectationsFile, "utf8"), expectationsFile);
    const listed = loadFixtureDir(fixtures).cases.filter((c) => !c.id.startsWith("lstm/") && expectationFor(expectations, c.id) !== undefined);
    expect(listed.length).toBeGreaterThan(0);
    for (const c of listed) {
      const entry = expectationFor(expectations, c.id)!;
      const effect = EFFECT_OF_ENTRY[entry.pattern];
      expect(effect, `${c.id}: entry ${entry.pattern} has no prediction in this test`).toBeDefined();
      const actual = await engine.run(c);
      const want = await predicted(c, effect!);
      actual.forEach((call, i) =>
        call.forEach((t, k) => {
          const cmp = compareTensors(t, want[i]![k]!, c.tolerance);
          expect(cmp.shapeOk && cmp.mismatches === 0, `${c.id} call ${i} output ${k}: tfjs is not "${effect}" (${cmp.mismatches} elements differ)`).toBe(true);
        }),
      );
    }
  }, 300_000);
});
