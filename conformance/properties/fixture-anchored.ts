/**
 * Properties anchored on the fixtures, so that Keras stays the oracle: a fixture case and an exact
 * transformation whose effect on Keras's outputs is known (conformance/properties/transforms.ts);
 * the engine's outputs on the transformed case must equal Keras's outputs transformed alike, within
 * the case's tolerance. This multiplies Keras-anchored checks without trusting the reference.
 */
import { lstmLayers, type FixtureCase } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import { seededRandom } from "./arbitraries.ts";
import { differences, runEngine, type FixtureProperty } from "./property.ts";
import {
  flipInputFeatures,
  mapCaseUnits,
  mapOutputUnits,
  ODD_ACTIVATIONS,
  randomUnitMap,
  selectCaseRows,
  selectOutputRows,
} from "./transforms.ts";

const kerasOutputs = (c: FixtureCase): EngineOutputs => c.expected.map((e) => e.outputs);

export const fixtureUnitPermutation: FixtureProperty = {
  kind: "fixture",
  id: "fixture-unit-permutation",
  specSection: "spec/lstm.md §1.2, §2.1",
  referenceChecked: false,
  requires: [],
  async check(engine, c, seed) {
    const next = seededRandom(seed);
    // sign flips only where the layer's activation is odd; the permutation itself always applies
    const maps = lstmLayers(c).map((l) => randomUnitMap(l.config.units, next, ODD_ACTIVATIONS.has(l.config.activation)));
    const transformed = mapCaseUnits(c, maps);
    const expected = mapOutputUnits(kerasOutputs(c), maps.at(-1)!);
    const message = differences(await runEngine(engine, transformed), expected, c.tolerance, `${c.id} with hidden units permuted ${JSON.stringify(maps)}`);
    return message ? { message, case: transformed, expected } : null;
  },
};

export const fixtureBatchRows: FixtureProperty = {
  kind: "fixture",
  id: "fixture-batch-rows",
  specSection: "spec/lstm.md §2.3",
  referenceChecked: false,
  requires: [],
  async check(engine, c, seed) {
    const next = seededRandom(seed);
    const B = c.calls[0]!.x.shape[0]!;
    const rows = Array.from({ length: 1 + Math.floor(next() * B) }, () => Math.floor(next() * B));
    const transformed = selectCaseRows(c, rows);
    const expected = selectOutputRows(kerasOutputs(c), rows);
    const message = differences(await runEngine(engine, transformed), expected, c.tolerance, `${c.id} with batch rows [${rows.join(", ")}]`);
    return message ? { message, case: transformed, expected } : null;
  },
};

export const fixtureInputSignFlip: FixtureProperty = {
  kind: "fixture",
  id: "fixture-input-sign-flip",
  specSection: "spec/lstm.md §1.3, §2.1",
  referenceChecked: false,
  requires: [],
  async check(engine, c, seed) {
    // (−x_d)·(−W_d) = x_d·W_d bit for bit; a Masking layer keeps its mask only when mask_value is 0.
    if (c.layers.some((l) => l.className === "Masking" && l.config.mask_value !== 0)) return null;
    const next = seededRandom(seed);
    const D = c.calls[0]!.x.shape[2]!;
    const flip = Array.from({ length: D }, () => next() < 0.5);
    const transformed = flipInputFeatures(c, flip);
    const expected = kerasOutputs(c);
    const message = differences(await runEngine(engine, transformed), expected, c.tolerance, `${c.id} with input features [${flip.map((f, d) => (f ? d : -1)).filter((d) => d >= 0).join(", ")}] and their kernel rows negated`);
    return message ? { message, case: transformed, expected } : null;
  },
};

export const fixtureProperties: readonly FixtureProperty[] = [fixtureUnitPermutation, fixtureBatchRows, fixtureInputSignFlip];
