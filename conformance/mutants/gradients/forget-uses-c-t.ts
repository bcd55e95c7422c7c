/** Gradient mutant: an LSTM BPTT whose forget-gate gradient uses c_t instead of c_{t−1}. Expected diagnosis: `gradient:forget-uses-c_t`. */
import { bpttMutant } from "./engine.ts";

export const engine = bpttMutant("forget-uses-c-t", { forgetUsesCt: true });
export default engine;
