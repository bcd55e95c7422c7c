/** Gradient mutant: an LSTM BPTT that leaves act′(c_t) out of δc̄. Expected diagnosis: `gradient:act-prime-c-omitted`. */
import { bpttMutant } from "./engine.ts";

export const engine = bpttMutant("act-prime-c-omitted", { actPrimeOfCOmitted: true });
export default engine;
