/** Gradient mutant: the gradient of a masked step's repeated output is dropped, not carried back. Expected diagnosis: `gradient:masked-output-not-carried`. */
import { bpttMutant } from "./engine.ts";

export const engine = bpttMutant("masked-output-dropped", { maskedLeak: "output-dropped" });
export default engine;
