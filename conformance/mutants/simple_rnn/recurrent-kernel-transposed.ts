/** Mutant: a SimpleRNN that uses the transpose of the recurrent kernel (PyTorch's weight_hh as it is). Expected diagnosis: `recurrent-kernel-blocks-transposed`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/recurrent-kernel-transposed", cell: "simple_rnn", version: "1.0.0", flaws: { transposeRecurrentBlocks: true } });
export default engine;
