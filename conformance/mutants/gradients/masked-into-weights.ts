/** Gradient mutant: a masked step's discarded computation adds gradient into the weights. Expected diagnosis: `gradient:masked-step-into-weights`. */
import { bpttMutant } from "./engine.ts";

export const engine = bpttMutant("masked-into-weights", { maskedLeak: "weights" });
export default engine;
