/** Mutant: a SimpleRNN that uses the transpose of the kernel (fails to run where input_dim ≠ units). Expected diagnosis: `kernel-blocks-transposed`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/kernel-transposed", cell: "simple_rnn", version: "1.0.0", flaws: { transposeKernelBlocks: true } });
export default engine;
