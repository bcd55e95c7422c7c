/** Mutant: an LSTM that returns [output, c, h]. Expected diagnosis: `returned-state-swapped`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:state-swapped", version: "1.0.0", flaws: { returnedStateSwapped: true } });
export default engine;
