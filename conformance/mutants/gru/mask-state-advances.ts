/** Mutant: a GRU that lets h move on at masked steps, holding only the output. Expected diagnosis: `mask-state-advances`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/mask-state-advances", cell: "gru", version: "1.0.0", flaws: { maskAdvancesState: true } });
export default engine;
