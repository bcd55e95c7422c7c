/** Mutant: a GRU that applies the mask as right padding of the same length per row. Expected diagnosis: `mask-as-lengths`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/mask-as-lengths", cell: "gru", version: "1.0.0", flaws: { maskAsLengths: true } });
export default engine;
