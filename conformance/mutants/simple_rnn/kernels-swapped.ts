/** Mutant: a SimpleRNN that swaps kernel and recurrent_kernel (fails to run where their shapes differ). Expected diagnosis: `kernels-swapped`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/kernels-swapped", cell: "simple_rnn", version: "1.0.0", flaws: { kernelsSwapped: true } });
export default engine;
