/** Mutant: a GRU that ignores initial_state. Expected diagnosis: `initial-state-ignored`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/initial-state-ignored", cell: "gru", version: "1.0.0", flaws: { ignoreInitialState: true } });
export default engine;
