/** Mutant: an LSTM that starts its time loop at the second step (off by one). Expected diagnosis: `time-loop-skips-first-step`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:skips-first-step", version: "1.0.0", flaws: { skipFirstStep: true } });
export default engine;
