/** Mutant: a GRU that transposes each gate block of the recurrent kernel. Expected diagnosis: `recurrent-kernel-blocks-transposed`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/recurrent-kernel-transposed", cell: "gru", version: "1.0.0", flaws: { transposeRecurrentBlocks: true } });
export default engine;
