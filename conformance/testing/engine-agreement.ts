/**
 * Test helper: how far an engine's outputs are from the reference's on the same case, per output.
 * The hand-made sample cases have no Keras truth; the reference (itself checked against Keras's
 * fixtures) stands in for it.
 */
import { compareTensors } from "../compare.ts";
import type { LayerCase } from "../case.ts";
import type { Engine } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import type { Tensor } from "../tensor.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";

export interface Agreement {
  readonly actual: Tensor[][];
  readonly expected: Tensor[][];
  /** Elements outside {@link BASE_TOLERANCE} over every output of every call (shape mismatches count in full). */
  readonly mismatches: number;
}

export async function agreementWithReference(engine: Engine, c: LayerCase): Promise<Agreement> {
  const actual = (await engine.run(structuredClone(c))).map((call) => [...call]);
  const expected = (await referenceEngine.run(structuredClone(c))).map((call) => [...call]);
  if (actual.length !== expected.length) throw new Error(`${c.id}: ${actual.length} calls answered, ${expected.length} expected`);
  let mismatches = 0;
  expected.forEach((call, k) => {
    if (actual[k]!.length !== call.length) throw new Error(`${c.id}: call ${k} returned ${actual[k]!.length} outputs, ${call.length} expected`);
    call.forEach((e, j) => (mismatches += compareTensors(actual[k]![j]!, e, BASE_TOLERANCE).mismatches));
  });
  return { actual, expected, mismatches };
}
