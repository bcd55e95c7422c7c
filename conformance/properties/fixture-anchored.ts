/**
 * Properties anchored on the fixtures, so that Keras stays the oracle: a fixture case and an exact
 * transformation whose effect on Keras's outputs is known (conformance/properties/transforms.ts);
 * the engine's outputs on the transformed case must equal Keras's outputs transformed alike, within
 * the case's tolerance. This multiplies Keras-anchored checks without trusting the reference.
 *
 * Folding (spec/adapter.md §5): a relation anchored on a case the engine already gets
 * wrong untransformed would fail too, but under this property's name — a doubled bias reported as
 * `fixture-unit-permutation` points the reader at unit order, not at the bias. So each anchor is
 * first judged by itself (`Anchors`), like the runner judges the case: Keras's outputs, the case's
 * tolerance. A draw on an anchor that does not pass is skipped, not counted as a violation, and the
 * result says how many anchors were folded into their own failures. A property whose every draw was
 * folded is *unsupported*, never *pass*: it tested nothing. No wrong engine turns green this way:
 * the anchor case itself still fails (or errors) in the run, under its own id.
 */
import type { FixtureCase, LayerCase } from "../case.ts";
import type { Engine, EngineOutputs } from "../engine.ts";
import { unsupportedReason } from "../unsupported-case.ts";
import { describeThrown } from "../untrusted.ts";
import { seededRandom } from "./arbitraries.ts";
import { differences, MalformedOutputsError, runEngine, type FixtureProperty, type Violation } from "./property.ts";
import { swapBidirectional, swapBidirectionalOutputs } from "./bidirectional-transforms.ts";
import { flipInputFeatures, mapCaseUnits, mapOutputUnits, randomCaseUnitMaps, selectCaseRows, selectOutputRows } from "./transforms.ts";

const kerasOutputs = (c: FixtureCase): EngineOutputs => c.expected.map((e) => e.outputs);

/** The violation when the engine's outputs on `transformed` are not `expected` (Keras's, transformed alike) within the case's tolerance. */
async function expectKerasTransformed(engine: Engine, c: FixtureCase, transformed: LayerCase, expected: EngineOutputs, what: string): Promise<Violation | null> {
  const message = differences(await runEngine(engine, transformed), expected, c.tolerance, `${c.id} with ${what}`);
  return message ? { message, case: transformed, expected, tolerance: c.tolerance } : null;
}

/** How the engine does on an anchor case untransformed: passes it, fails it (or errors), or declines it. */
export type AnchorVerdict =
  | { readonly kind: "pass" }
  | { readonly kind: "fails"; readonly message: string }
  | { readonly kind: "declined"; readonly reason: string };

async function judgeAnchor(engine: Engine, c: FixtureCase): Promise<AnchorVerdict> {
  try {
    const message = differences(await runEngine(engine, c), kerasOutputs(c), c.tolerance, c.id);
    return message === null ? { kind: "pass" } : { kind: "fails", message };
  } catch (e) {
    const reason = unsupportedReason(e);
    if (reason !== null) return { kind: "declined", reason };
    return { kind: "fails", message: e instanceof MalformedOutputsError ? e.message : `${c.id}: engine threw: ${describeThrown(e)}` };
  }
}

/**
 * Each anchor's verdict, judged once per engine and run and shared by every fixture-anchored
 * property: one extra engine run per distinct anchor drawn, not per draw.
 */
export class Anchors {
  private readonly verdicts = new Map<FixtureCase, Promise<AnchorVerdict>>();
  constructor(private readonly engine: Engine) {}

  verdict(c: FixtureCase): Promise<AnchorVerdict> {
    let v = this.verdicts.get(c);
    if (!v) {
      v = judgeAnchor(this.engine, c);
      this.verdicts.set(c, v);
    }
    return v;
  }
}

export const fixtureUnitPermutation: FixtureProperty = {
  kind: "fixture",
  id: "fixture-unit-permutation",
  specSection: "spec/lstm.md §1.2, §2.1; spec/gru.md §1.2, §2.1–§2.3; spec/simple-rnn.md §1.2, §2.1",
  referenceChecked: false,
  // Keras is the oracle: no trivial engine reproduces its outputs (properties.test.ts)
  evidence: true,
  requires: [],
  async check(engine, c, seed) {
    // Any cell and any stack of them, mixed ones included: each layer's blocks from its descriptor (transforms.ts).
    const next = seededRandom(seed);
    // sign flips only where the layer's activation is odd; the permutation itself always applies
    const maps = randomCaseUnitMaps(c, next, true);
    return expectKerasTransformed(engine, c, mapCaseUnits(c, maps), mapOutputUnits(kerasOutputs(c), maps.at(-1)!), `hidden units permuted ${JSON.stringify(maps)}`);
  },
};

export const fixtureBatchRows: FixtureProperty = {
  kind: "fixture",
  id: "fixture-batch-rows",
  specSection: "spec/lstm.md §2.3; spec/gru.md §2.5; spec/simple-rnn.md §2.2",
  referenceChecked: false,
  // Keras is the oracle: no trivial engine reproduces its outputs (properties.test.ts)
  evidence: true,
  requires: [],
  async check(engine, c, seed) {
    const next = seededRandom(seed);
    const B = c.calls[0]!.x.shape[0]!;
    const rows = Array.from({ length: 1 + Math.floor(next() * B) }, () => Math.floor(next() * B));
    return expectKerasTransformed(engine, c, selectCaseRows(c, rows), selectOutputRows(kerasOutputs(c), rows), `batch rows [${rows.join(", ")}]`);
  },
};

export const fixtureInputSignFlip: FixtureProperty = {
  kind: "fixture",
  id: "fixture-input-sign-flip",
  specSection: "spec/lstm.md §1.3, §2.1; spec/gru.md §1.4; spec/simple-rnn.md §1.3",
  referenceChecked: false,
  // Keras is the oracle: no trivial engine reproduces its outputs (properties.test.ts)
  evidence: true,
  requires: [],
  async check(engine, c, seed) {
    // (−x_d)·(−W_d) = x_d·W_d bit for bit; a Masking layer keeps its mask only when mask_value is 0.
    if (c.layers.some((l) => l.className === "Masking" && l.config.mask_value !== 0)) return null;
    const next = seededRandom(seed);
    const D = c.calls[0]!.x.shape[2]!;
    const flip = Array.from({ length: D }, () => next() < 0.5);
    const flipped = flip.flatMap((f, d) => (f ? [d] : []));
    return expectKerasTransformed(engine, c, flipInputFeatures(c, flip), kerasOutputs(c), `input features [${flipped.join(", ")}] and their kernel rows negated`);
  },
};

export const fixtureBidirectionalSwap: FixtureProperty = {
  kind: "fixture",
  id: "fixture-bidirectional-swap",
  specSection: "spec/bidirectional.md",
  referenceChecked: false,
  // Keras is the oracle: no trivial engine reproduces its outputs (properties.test.ts)
  evidence: true,
  requires: [],
  anchors: "bidirectional",
  async check(engine, c) {
    // Each layer given the other's weights and cell, the input reversed in time (bidirectional-transforms.ts).
    const swapped = swapBidirectional(c);
    if (!swapped) return null;
    return expectKerasTransformed(engine, c, swapped, swapBidirectionalOutputs(c, kerasOutputs(c)), "the forward and backward layers' weights swapped and the input reversed in time");
  },
};

export const fixtureProperties: readonly FixtureProperty[] = [fixtureUnitPermutation, fixtureBatchRows, fixtureInputSignFlip, fixtureBidirectionalSwap];
