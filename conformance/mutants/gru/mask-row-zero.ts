/** Mutant: a GRU that applies batch row 0's mask to every row. Expected diagnosis: `mask-row-0-broadcast`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/mask-row-zero", cell: "gru", version: "1.0.0", flaws: { maskRowZeroForAll: true } });
export default engine;
