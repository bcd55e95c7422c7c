/** Mutant: a SimpleRNN that lets h move on at masked steps, holding only the output. Expected diagnosis: `mask-state-advances`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/mask-state-advances", cell: "simple_rnn", version: "1.0.0", flaws: { maskAdvancesState: true } });
export default engine;
