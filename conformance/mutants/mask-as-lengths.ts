/** Mutant: an LSTM that turns the mask into a length per row and applies it as right padding. Expected diagnosis: `mask-as-lengths`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:mask-as-lengths", version: "1.0.0", flaws: { maskAsLengths: true } });
export default engine;
