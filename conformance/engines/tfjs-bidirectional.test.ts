/**
 * The tfjs engine's Bidirectional: `tf.layers.bidirectional` (tfjs-layers src/layers/wrappers.ts)
 * against the reference on hand-made cases (testdata/bidirectional-cases.ts) of the cells tfjs has
 * (LSTM, reset-before GRU, SimpleRNN) and every merge mode, tf-keras's toggled pair included; what it
 * cannot express (a backward layer that is not its clone of the forward one) is declined with the reason.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { LayerCase, MergeMode } from "../case.ts";
import { UnsupportedCaseError } from "../engine.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import { agreementWithReference } from "../testing/engine-agreement.ts";
import { asCells } from "../testing/as-cells.ts";
import { sampleCase, sampleCases } from "../testing/sample-cases.ts";
import { compareTensors } from "../compare.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import { referenceEngine } from "./reference.ts";
import engine from "./tfjs.ts";
import { asBidirectional, swapDirections } from "./testdata/bidirectional-cases.ts";

const MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave", null];
const base = {
  sequencesAndState: sampleCases.sequencesAndState,
  lastAndState: sampleCase({ id: "s/last_state", config: { return_state: true } }),
  initialState: sampleCase({ id: "s/initial_state", initialState: true, config: { return_sequences: true, return_state: true } }),
  // without return_sequences Keras does not zero masked steps either: tfjs agrees
  rightPaddedLast: sampleCase({ id: "s/right_padded_last", mask: ["1110", "1100"], config: { return_state: true } }),
  stateful: sampleCase({ id: "s/stateful", calls: 2, config: { stateful: true, return_sequences: true, return_state: true } }),
  stacked: sampleCase({ id: "s/stacked", units: [3, 2], config: { return_sequences: true, return_state: true } }),
};
const cellsOf = (c: LayerCase): LayerCase[] => [c, asCells(c, ["GRU"], false), asCells(c, ["SimpleRNN"])];

describe("tfjs engine: Bidirectional as tf.layers.bidirectional", () => {
  for (const mode of MODES) {
    it.each(Object.entries(base))(`agrees with the reference, merge_mode=${String(mode)}, LSTM, GRU (reset-before) and SimpleRNN: %s`, async (_name, c) => {
      for (const cell of cellsOf(c)) {
        if (mode === null && cell.layers.length > 1) continue; // nothing may follow a pair
        const bidi = asBidirectional(cell, { mergeMode: mode });
        expect((await agreementWithReference(engine, bidi)).mismatches, bidi.id).toBe(0);
      }
    });
  }

  it("agrees with the reference on tf-keras's toggled pair (the forward layer goes backwards): tfjs toggles too", async () => {
    for (const cell of [...cellsOf(base.sequencesAndState), ...cellsOf(base.initialState)]) {
      for (const mode of ["concat", null] as const) {
        const c = asBidirectional({ ...cell, dialect: "tf-keras" }, { mergeMode: mode, toggled: true });
        expect((await agreementWithReference(engine, c)).mismatches, c.id).toBe(0);
      }
    }
  });

  it("declines a backward layer that is not tfjs's clone of the forward one, naming the keys; leaves no tensor behind", async () => {
    const c = asBidirectional(base.sequencesAndState, { mergeMode: "concat" });
    const layer = c.layers[0]!;
    if (layer.className !== "Bidirectional") throw new Error("expected a Bidirectional");
    const custom: LayerCase = { ...c, layers: [{ ...layer, backward: { ...layer.backward, config: { ...layer.backward.config, activation: "relu" } } as typeof layer.backward }] };
    const before = tf.memory().numTensors;
    await expect(engine.run(custom)).rejects.toBeInstanceOf(UnsupportedCaseError);
    await expect(engine.run(custom)).rejects.toThrow(/has no backward_layer argument.*differs from that in activation/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves masked return_sequences Bidirectionals unsupported: Keras forces zero_output_for_mask, tfjs has none", () => {
    const c = asBidirectional(sampleCase({ id: "s/masked_sequences", mask: ["1110", "1100"], config: { return_sequences: true } }));
    expect(missingFeatures(requiredFeatures(c), engine.features)).toEqual(["zero_output_for_mask"]);
  });

  it("is shown wrong when it is: the directions' weights swapped give other outputs", async () => {
    const c = asBidirectional(base.sequencesAndState, { mergeMode: "sum" });
    const swapped = swapDirections(c);
    // the engine on the swapped case against the reference on the original: a mapping that swapped them would pass
    const [got, want] = [await engine.run(swapped), await referenceEngine.run(c)];
    expect(compareTensors(got[0]![0]!, want[0]![0]!, BASE_TOLERANCE).mismatches).toBeGreaterThan(0);
    expect((await agreementWithReference(engine, c)).mismatches).toBe(0);
  });
});
