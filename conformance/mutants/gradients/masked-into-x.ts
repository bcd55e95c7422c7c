/** Gradient mutant: a masked step's discarded computation sends gradient into x. Expected diagnosis: `gradient:masked-step-into-x`. */
import { bpttMutant } from "./engine.ts";

export const engine = bpttMutant("masked-into-x", { maskedLeak: "x" });
export default engine;
