/** Harness mutant: claims every feature and returns outputs of the right shape filled with NaN. */
import type { Engine } from "../../engine.ts";
import { naiveLstmEngine, naiveLstmFeatures } from "../naive-lstm.ts";

const correct = naiveLstmEngine({ name: "naive" });

export const engine: Engine = {
  name: "mutant:harness/nan",
  version: "1.0.0",
  features: naiveLstmFeatures,
  run: (c) => correct.run(c).map((outputs) => outputs.map((t) => ({ shape: t.shape, data: new Float32Array(t.data.length).fill(NaN) }))),
};
export default engine;
