/** Mutant: a GRU that swaps the input and recurrent rows of the (2, 3u) bias. Expected diagnosis: `gru:bias-rows-swapped`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/bias-rows-swapped", cell: "gru", version: "1.0.0", flaws: { biasRowsSwapped: true } });
export default engine;
