/** Mutant: a GRU that starts its time loop at the second step (off by one). Expected diagnosis: `time-loop-skips-first-step`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/skips-first-step", cell: "gru", version: "1.0.0", flaws: { skipFirstStep: true } });
export default engine;
