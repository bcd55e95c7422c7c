/** Mutant: an LSTM that reads initial_state as [c0, h0]. Expected diagnosis: `initial-state-swapped`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:initial-state-swapped", version: "1.0.0", flaws: { initialStateSwapped: true } });
export default engine;
