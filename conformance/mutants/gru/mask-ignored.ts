/** Mutant: a GRU that ignores the mask. Expected diagnosis: `mask-ignored`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/mask-ignored", cell: "gru", version: "1.0.0", flaws: { ignoreMask: true } });
export default engine;
