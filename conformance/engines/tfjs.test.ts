import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { defaultFixturesDir } from "../package-paths.ts";
import { checkCorpus } from "../testing/corpus-check.ts";
import { agreementWithReference } from "../testing/engine-agreement.ts";
import { referenceEngine } from "./reference.ts";
import { sampleCase, sampleCases } from "../testing/sample-cases.ts";
import engine from "./tfjs.ts";

// tfjs has no zero_output_for_mask (not declared), and its hard_sigmoid is the tf-keras one.
const { rightPaddedZeroOutput, hardSigmoidKeras3, ...agreeing } = sampleCases;

describe("tfjs engine", () => {
  it.each(Object.entries(agreeing))("agrees with the reference: %s", async (_name, c) => {
    const { mismatches } = await agreementWithReference(engine, c);
    expect(mismatches).toBe(0);
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
    expect(rightPaddedZeroOutput.layers.length).toBe(1);
  });

  it("leaves no tensor behind", async () => {
    await engine.run(sampleCases.stacked);
    const before = tf.memory().numTensors;
    await engine.run(sampleCases.stateful);
    await engine.run(sampleCases.maskingLayer);
    expect(tf.memory().numTensors).toBe(before);
  });
});

const fixtures = defaultFixturesDir();
describe.skipIf(!existsSync(fixtures))("tfjs engine on the corpus", () => {
  it("every failure is listed, with its reason, in tfjs.expectations; unsupported only for zero_output_for_mask and the cells it does not declare", async () => {
    const { result, problems } = await checkCorpus(
      engine,
      join(import.meta.dirname, "tfjs.expectations"),
      // tfjs declares no cell: the LSTM only (features.ts); GRU and SimpleRNN cases are unsupported, never run
      /^engine does not implement: zero_output_for_mask$|^engine does not implement: (.*, )?cell:(gru|simple_rnn)(, .*)?$/,
      fixtures,
    );
    expect(problems).toEqual([]);
    expect(result.counts.pass).toBeGreaterThan(0);
  }, 300_000);
});
