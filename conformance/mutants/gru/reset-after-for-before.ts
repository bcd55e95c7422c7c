/** Mutant: a GRU that computes the reset-after step whatever reset_after says, a (3u) bias as the input bias (PyTorch's formula). Expected diagnosis: `gru:reset-after-for-before`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/reset-after-for-before", cell: "gru", version: "1.0.0", flaws: { resetConvention: "after" } });
export default engine;
