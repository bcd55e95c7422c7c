import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UnsupportedCaseError } from "../engine.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { checkCorpus } from "../testing/corpus-check.ts";
import { agreementWithReference } from "../testing/engine-agreement.ts";
import engine from "./onnxruntime.ts";
import { sampleCase, sampleCases } from "../testing/sample-cases.ts";

const { rightPaddedSequence, leftPadded, ...agreeing } = sampleCases;

describe("onnxruntime engine", () => {
  it.each(Object.entries(agreeing))("agrees with the reference: %s", async (_name, c) => {
    const { mismatches } = await agreementWithReference(engine, c);
    expect(mismatches).toBe(0);
  });

  it("writes zeros past sequence_lens where Keras repeats the last output (a real ONNX difference)", async () => {
    const { actual, expected } = await agreementWithReference(engine, rightPaddedSequence);
    const [out, ref] = [actual[0]![0]!, expected[0]![0]!];
    // mask rows "1110" and "1100"; (batch, timestep, unit) with 3 units.
    const at = (t: { data: Float32Array }, b: number, s: number, u: number) => t.data[(b * 4 + s) * 3 + u]!;
    for (let u = 0; u < 3; u++) {
      expect(at(out, 0, 3, u)).toBe(0);
      expect(at(ref, 0, 3, u)).toBeCloseTo(at(ref, 0, 2, u), 12);
      expect(at(ref, 0, 3, u)).not.toBe(0);
      expect(at(out, 1, 1, u)).toBeCloseTo(at(ref, 1, 1, u), 5);
    }
  });

  it("reports a mask that is not right-padded as unsupported, with the reason", async () => {
    await expect(engine.run(leftPadded)).rejects.toBeInstanceOf(UnsupportedCaseError);
    await expect(engine.run(leftPadded)).rejects.toThrow(/sequence_lens cannot express.*batch row 0 \(0111\)/);
  });

  it("declares only activations ONNX's LSTM can express", () => {
    expect(engine.features).toContain("recurrent_activation:hard_sigmoid");
    expect(engine.features).not.toContain("activation:selu");
    expect(engine.features).toContain("zero_output_for_mask");
  });

  it("gives a fully masked row (length 0) zero states, where Keras keeps the initial state (a real ONNX difference)", async () => {
    const c = sampleCase({
      id: "s/empty_row",
      mask: ["1100", "0000"],
      initialState: true,
      config: { zero_output_for_mask: true, return_sequences: true, return_state: true },
    });
    const { actual, expected } = await agreementWithReference(engine, c);
    const h0 = c.calls[0]!.initialState![0]!.data;
    const row1 = (t: { data: Float32Array }) => [...t.data.subarray(3, 6)];
    expect(row1(expected[0]![1]!)).toEqual([...h0.subarray(3, 6)].map((v) => expect.closeTo(v, 6)));
    expect(row1(actual[0]![1]!)).toEqual([0, 0, 0]);
    expect(row1(actual[0]![2]!)).toEqual([0, 0, 0]);
    // Row 0 (length 2) and the sequence output agree.
    expect([...actual[0]![1]!.data.subarray(0, 3)]).toEqual([...expected[0]![1]!.data.subarray(0, 3)].map((v) => expect.closeTo(v, 5)));
    expect([...actual[0]![0]!.data]).toEqual([...expected[0]![0]!.data].map((v) => expect.closeTo(v, 5)));
  });
});

const fixtures = defaultFixturesDir();
describe.skipIf(!existsSync(fixtures))("onnxruntime engine on the corpus", () => {
  it("every failure is listed, with its reason, in onnxruntime.expectations; unsupported only for masks sequence_lens cannot express", async () => {
    const { result, problems } = await checkCorpus(
      engine,
      join(import.meta.dirname, "onnxruntime.expectations"),
      // onnxruntime declares no cell: the LSTM only (features.ts); GRU and SimpleRNN cases are unsupported, never run
      /ONNX sequence_lens cannot express this mask: .* is not right-padded|^engine does not implement: (recurrent_)?activation:|^engine does not implement: (.*, )?cell:(gru|simple_rnn)(, .*)?$/,
      fixtures,
    );
    expect(problems).toEqual([]);
    expect(result.counts.pass).toBeGreaterThan(0);
  }, 300_000);
});
