/** Mutant: a GRU that computes the reset-before step whatever reset_after says, a reset_after bias's two rows summed (ONNX linear_before_reset=0). Expected diagnosis: `gru:reset-before-for-after`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/reset-before-for-after", cell: "gru", version: "1.0.0", flaws: { resetConvention: "before" } });
export default engine;
