/** Gradient mutant: an LSTM BPTT that carries the gradient across steps through h only, not through c. Expected diagnosis: `gradient:no-cell-path`. */
import { bpttMutant } from "./engine.ts";

export const engine = bpttMutant("no-cell-path", { noCellPath: true });
export default engine;
