/** Mutant: an LSTM that ignores the mask. Expected diagnosis: `mask-ignored`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:mask-ignored", version: "1.0.0", flaws: { ignoreMask: true } });
export default engine;
