/** Mutant: an LSTM that transposes each gate block of the recurrent kernel. Expected diagnosis: `recurrent-kernel-blocks-transposed`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:recurrent-kernel-transposed", version: "1.0.0", flaws: { transposeRecurrentBlocks: true } });
export default engine;
