/** Mutant: a SimpleRNN that ignores initial_state. Expected diagnosis: `initial-state-ignored`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/initial-state-ignored", cell: "simple_rnn", version: "1.0.0", flaws: { ignoreInitialState: true } });
export default engine;
