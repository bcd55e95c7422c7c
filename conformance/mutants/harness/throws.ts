/** Harness mutant: claims every feature and throws on every case. */
import type { Engine } from "../../engine.ts";
import { naiveLstmFeatures } from "../naive-lstm.ts";

export const engine: Engine = {
  name: "mutant:harness/throws",
  version: "1.0.0",
  features: naiveLstmFeatures,
  run: (c) => {
    throw new Error(`mutant:harness/throws refuses case ${c.id}`);
  },
};
export default engine;
