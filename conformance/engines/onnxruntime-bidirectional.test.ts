/**
 * The onnxruntime engine's Bidirectional (spec/bidirectional.md): one ONNX node with
 * direction="bidirectional" and the merge ops, checked against the reference on hand-made cases of
 * every cell and merge mode (testdata/bidirectional-cases.ts), and shown to be wrong when its
 * mapping is (a merge of unflipped halves, swapped slots).
 */
import { describe, expect, it } from "vitest";
import type { LayerCase, MergeMode } from "../case.ts";
import { UnsupportedCaseError } from "../engine.ts";
import { agreementWithReference } from "../testing/engine-agreement.ts";
import { asCells } from "../testing/as-cells.ts";
import { sampleCase, sampleCases } from "../testing/sample-cases.ts";
import { compareTensors } from "../compare.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import engine from "./onnxruntime.ts";
import { referenceEngine } from "./reference.ts";
import { asBidirectional, swapDirections } from "./testdata/bidirectional-cases.ts";

const MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave", null];
const base = {
  sequencesAndState: sampleCases.sequencesAndState,
  lastAndState: sampleCase({ id: "s/last_state", config: { return_state: true } }),
  initialState: sampleCase({ id: "s/initial_state", initialState: true, config: { return_sequences: true, return_state: true } }),
  rightPadded: sampleCase({ id: "s/right_padded", mask: ["1110", "1000"], config: { return_sequences: true, return_state: true } }),
  rightPaddedLast: sampleCase({ id: "s/right_padded_last", mask: ["1110", "1100"], config: { return_state: true } }),
  stateful: sampleCase({ id: "s/stateful", calls: 2, config: { stateful: true, return_sequences: true, return_state: true } }),
  noBias: sampleCase({ id: "s/no_bias", config: { use_bias: false, return_sequences: true } }),
};
const cellsOf = (c: LayerCase): LayerCase[] => [c, asCells(c, ["GRU"], true), asCells(c, ["GRU"], false, "/reset_before"), asCells(c, ["SimpleRNN"])];

describe("onnxruntime engine: Bidirectional as one bidirectional node", () => {
  for (const mode of MODES) {
    it.each(Object.entries(base))(`agrees with the reference, merge_mode=${String(mode)}, every cell: %s`, async (_name, c) => {
      for (const cell of cellsOf(c)) {
        const bidi = asBidirectional(cell, { mergeMode: mode });
        expect((await agreementWithReference(engine, bidi)).mismatches, bidi.id).toBe(0);
      }
    });
  }

  it("agrees with the reference on stacked Bidirectionals (concat widens the next layer's input) and on tf-keras's toggled directions", async () => {
    const stacked = sampleCase({ id: "s/stacked", units: [3, 2], mask: ["1110", "1100"], config: { return_sequences: true, return_state: true } });
    for (const cell of cellsOf(stacked)) {
      for (const mode of ["concat", "ave"] as const) {
        const c = asBidirectional(cell, { mergeMode: mode });
        expect((await agreementWithReference(engine, c)).mismatches, c.id).toBe(0);
      }
    }
    for (const cell of [...cellsOf(base.sequencesAndState), ...cellsOf(base.lastAndState), ...cellsOf(base.initialState)]) {
      for (const mode of MODES) {
        const c = asBidirectional({ ...cell, dialect: "tf-keras" }, { mergeMode: mode, toggled: true });
        expect((await agreementWithReference(engine, c)).mismatches, c.id).toBe(0);
      }
    }
  });

  it("is not satisfied by a wrong mapping: the same case with the directions' weights swapped gives other outputs", async () => {
    const c = asBidirectional(base.sequencesAndState, { mergeMode: "concat" });
    const swapped = swapDirections(c);
    // the engine on the swapped case against the reference on the original: a mapping that swapped them would pass
    const [got, want] = [await engine.run(swapped), await referenceEngine.run(c)];
    expect(compareTensors(got[0]![0]!, want[0]![0]!, BASE_TOLERANCE).mismatches).toBeGreaterThan(0);
  });

  it("declines a Bidirectional one node cannot compute, with the reason", async () => {
    const c = asBidirectional(base.sequencesAndState, { mergeMode: "concat" });
    const layer = c.layers[0]!;
    if (layer.className !== "Bidirectional") throw new Error("expected a Bidirectional");
    const gru = asCells(base.sequencesAndState, ["GRU"], true).layers[0]!;
    if (gru.className !== "GRU") throw new Error("expected a GRU");
    const mixed: LayerCase = { ...c, layers: [{ ...layer, backward: { ...gru, config: { ...gru.config, go_backwards: true } } }] };
    await expect(engine.run(mixed)).rejects.toBeInstanceOf(UnsupportedCaseError);
    await expect(engine.run(mixed)).rejects.toThrow(/one ONNX node has one operator: the forward layer is a LSTM, the backward one a GRU/);
  });

  it("declares bidirectional", () => {
    expect(engine.features).toContain("bidirectional");
  });
});
