/** Mutant: a GRU that swaps kernel and recurrent_kernel (fails to run where their shapes differ). Expected diagnosis: `kernels-swapped`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/kernels-swapped", cell: "gru", version: "1.0.0", flaws: { kernelsSwapped: true } });
export default engine;
