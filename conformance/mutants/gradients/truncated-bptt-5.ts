/** Gradient mutant: BPTT truncated to the last 5 steps. Expected diagnosis: `gradient:truncated-bptt:5`. */
import { bpttMutant } from "./engine.ts";

export const engine = bpttMutant("truncated-bptt-5", { truncateSteps: 5 });
export default engine;
