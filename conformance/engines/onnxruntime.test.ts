import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Layer, LayerCase } from "../case.ts";
import { compareTensors } from "../compare.ts";
import { UnsupportedCaseError } from "../engine.ts";
import { expectationFor, parseExpectations } from "../expectations.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { checkCorpus } from "../testing/corpus-check.ts";
import { agreementWithReference } from "../testing/engine-agreement.ts";
import engine from "./onnxruntime.ts";
import { referenceEngine } from "./reference.ts";
import { sampleCase, sampleCases } from "../testing/sample-cases.ts";
import { asCells } from "../testing/as-cells.ts";

/** As the shared helper, with reset-before cases' ids marked. */
const asCellsOnnx = (c: LayerCase, cells: readonly ("GRU" | "SimpleRNN")[], resetAfter: boolean): LayerCase => asCells(c, cells, resetAfter, resetAfter ? "" : "/reset_before");

const { rightPaddedSequence, leftPadded, ...agreeing } = sampleCases;


/** Every recurrent layer with zero_output_for_mask=True: what ONNX's sequence_lens computes (see onnxruntime.expectations). */
const zeroOutputForMask = (c: LayerCase): LayerCase => ({
  ...c,
  layers: c.layers.map((l) => (l.className === "Masking" ? l : ({ ...l, config: { ...l.config, zero_output_for_mask: true } } as Layer))),
});

describe("onnxruntime engine", () => {
  it.each(Object.entries(agreeing))("agrees with the reference: %s", async (_name, c) => {
    const { mismatches } = await agreementWithReference(engine, c);
    expect(mismatches).toBe(0);
  });

  // spec/gru.md §2.1 (linear_before_reset=1), §2.2 (=0), spec/simple-rnn.md §2.1 (RNN), mixed stacks (§3.1).
  for (const [cells, resetAfter] of [[["GRU"], true], [["GRU"], false], [["SimpleRNN"], true], [["GRU", "SimpleRNN"], true], [["SimpleRNN", "GRU"], false]] as const) {
    it.each(Object.entries(agreeing))(`agrees with the reference as ${cells.join(" → ")}${(cells as readonly string[]).includes("GRU") ? ` (reset_after=${resetAfter ? "True" : "False"})` : ""}: %s`, async (_name, c) => {
      const { mismatches } = await agreementWithReference(engine, asCellsOnnx(c, cells, resetAfter));
      expect(mismatches).toBe(0);
    });
  }

  it("agrees with the reference on a stack of LSTM, GRU and SimpleRNN nodes (c only where there is an LSTM)", async () => {
    const three = sampleCase({ id: "s/three_cells", units: [4, 3, 2], config: { return_sequences: true, return_state: true, go_backwards: true }, initialState: true, calls: 2 });
    const gru = asCellsOnnx(three, ["GRU"], true).layers;
    const simple = asCellsOnnx(three, ["SimpleRNN"], true).layers;
    for (const layers of [[three.layers[0]!, gru[1]!, simple[2]!], [gru[0]!, three.layers[1]!, simple[2]!], [simple[0]!, gru[1]!, three.layers[2]!]]) {
      const firstIsLstm = layers[0]!.className === "LSTM";
      const c: LayerCase = { ...three, layers: layers.map((l) => ({ ...l, config: { ...l.config, stateful: true } }) as Layer), calls: three.calls.map((call) => ({ ...call, initialState: firstIsLstm ? call.initialState! : [call.initialState![0]!] })) };
      expect((await agreementWithReference(engine, c)).mismatches, layers.map((l) => l.className).join(" → ")).toBe(0);
    }
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

  it("writes zeros past sequence_lens in GRU and RNN nodes too: Keras with zero_output_for_mask=True", async () => {
    for (const c of [asCellsOnnx(rightPaddedSequence, ["GRU"], true), asCellsOnnx(rightPaddedSequence, ["GRU"], false), asCellsOnnx(rightPaddedSequence, ["SimpleRNN"], true)]) {
      expect((await agreementWithReference(engine, c)).mismatches, c.id).toBeGreaterThan(0);
      expect((await agreementWithReference(engine, zeroOutputForMask(c))).mismatches, c.id).toBe(0);
      const [out, zeroed] = [await engine.run(c), await referenceEngine.run(zeroOutputForMask(c))];
      expect(compareTensors(out[0]![0]!, zeroed[0]![0]!, { atol: 1e-5, rtol: 1e-5 }).mismatches, c.id).toBe(0);
    }
  });

  it("reports a mask that is not right-padded as unsupported, with the reason", async () => {
    await expect(engine.run(leftPadded)).rejects.toBeInstanceOf(UnsupportedCaseError);
    await expect(engine.run(leftPadded)).rejects.toThrow(/sequence_lens cannot express.*batch row 0 \(0111\)/);
  });

  it("declares the three cells, both GRU conventions, and only activations ONNX's RNN operators can express", () => {
    expect(engine.features).toEqual(expect.arrayContaining(["cell:lstm", "cell:gru", "cell:simple_rnn", "gru:reset_after_false"]));
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
const expectationsFile = join(import.meta.dirname, "onnxruntime.expectations");
describe.skipIf(!existsSync(fixtures))("onnxruntime engine on the corpus", () => {
  it("each Bidirectional known failure is ONNX's zero states for a fully masked row: every other value is Keras's", async () => {
    const { expectations } = parseExpectations(readFileSync(expectationsFile, "utf8"), expectationsFile);
    const listed = loadFixtureDir(fixtures).cases.filter((c) => c.id.startsWith("bidirectional/") && expectationFor(expectations, c.id) !== undefined);
    expect(listed.length).toBeGreaterThan(0);
    for (const c of listed) {
      expect(expectationFor(expectations, c.id)!.reason).toMatch(/fully masked row gets zero Y_h/);
      const actual = await engine.run(c);
      actual.forEach((call, i) => {
        const mask = c.calls[i]!.mask!;
        const [B, T] = mask.shape as [number, number];
        const empty = Array.from({ length: B }, (_, b) => mask.data.subarray(b * T, (b + 1) * T).every((v) => !v));
        expect(empty.some(Boolean), `${c.id}: a fully masked row`).toBe(true);
        call.forEach((t, k) => {
          const want = c.expected[i]!.outputs[k]!;
          const width = t.data.length / B;
          for (let b = 0; b < B; b++) {
            const got = Array.from(t.data.subarray(b * width, (b + 1) * width));
            const keras = Array.from(want.data.subarray(b * width, (b + 1) * width));
            // the empty row: every output is zero in ONNX (Keras: zeros as outputs, the initial state as states); the others are Keras's
            if (empty[b]) expect(got, `${c.id} call ${i} output ${k} row ${b}`).toEqual(got.map(() => 0));
            else expect(got, `${c.id} call ${i} output ${k} row ${b}`).toEqual(keras.map((v) => expect.closeTo(v, 5)));
          }
        });
      });
    }
  });

  it("every failure is listed, with its reason, in onnxruntime.expectations; unsupported only for masks sequence_lens cannot express", async () => {
    const { result, problems } = await checkCorpus(
      engine,
      expectationsFile,
      /ONNX sequence_lens cannot express this mask: .* is not right-padded|^engine does not implement: (recurrent_)?activation:|Bidirectional as one ONNX node: one ONNX (GRU )?node has one (operator|hidden_size|linear_before_reset)|^engine does not implement: (.*, )?gradients( \(no gradient capability|,|$)/,
      fixtures,
    );
    expect(problems).toEqual([]);
    expect(result.counts.pass).toBeGreaterThan(0);
    for (const prefix of ["lstm/", "gru/", "simple_rnn/", "bidirectional/"]) expect(result.cases.filter((v) => v.id.startsWith(prefix) && v.status === "pass").length, prefix).toBeGreaterThan(0);
  }, 300_000);

  it("each GRU and SimpleRNN known failure is ONNX's zeros past sequence_lens: the reference with zero_output_for_mask=True", async () => {
    const { expectations } = parseExpectations(readFileSync(expectationsFile, "utf8"), expectationsFile);
    const listed = loadFixtureDir(fixtures).cases.filter((c) => (c.id.startsWith("gru/") || c.id.startsWith("simple_rnn/")) && expectationFor(expectations, c.id) !== undefined);
    expect(listed.length).toBeGreaterThan(0);
    for (const c of listed) {
      expect(expectationFor(expectations, c.id)!.reason).toMatch(/zero past sequence_lens/);
      const [actual, want] = [await engine.run(c), await referenceEngine.run(zeroOutputForMask(c))];
      actual.forEach((call, i) => call.forEach((t, k) => expect(compareTensors(t, want[i]![k]!, c.tolerance).mismatches, `${c.id} call ${i} output ${k}`).toBe(0)));
    }
  }, 300_000);
});
