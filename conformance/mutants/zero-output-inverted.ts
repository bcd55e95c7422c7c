/** Mutant: an LSTM that zeros masked outputs unless zero_output_for_mask is set, and carries them when it is. Expected diagnosis: `zero-output-for-mask-inverted`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:zero-output-inverted", version: "1.0.0", flaws: { zeroOutputForMaskInverted: true } });
export default engine;
