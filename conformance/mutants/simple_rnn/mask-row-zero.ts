/** Mutant: a SimpleRNN that applies batch row 0's mask to every row. Expected diagnosis: `mask-row-0-broadcast`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/mask-row-zero", cell: "simple_rnn", version: "1.0.0", flaws: { maskRowZeroForAll: true } });
export default engine;
