/** Mutant: an LSTM that ignores initial_state. Expected diagnosis: `initial-state-ignored`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:initial-state-ignored", version: "1.0.0", flaws: { ignoreInitialState: true } });
export default engine;
