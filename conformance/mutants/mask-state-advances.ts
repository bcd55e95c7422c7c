/** Mutant: an LSTM that lets h and c move on at masked steps, holding only the output. Expected diagnosis: `mask-state-advances`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:mask-state-advances", version: "1.0.0", flaws: { maskAdvancesState: true } });
export default engine;
