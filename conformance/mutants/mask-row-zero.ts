/** Mutant: an LSTM that applies batch row 0's mask to every row. Expected diagnosis: `mask-row-0-broadcast`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:mask-row-zero", version: "1.0.0", flaws: { maskRowZeroForAll: true } });
export default engine;
