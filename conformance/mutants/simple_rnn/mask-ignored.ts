/** Mutant: a SimpleRNN that ignores the mask. Expected diagnosis: `mask-ignored`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/mask-ignored", cell: "simple_rnn", version: "1.0.0", flaws: { ignoreMask: true } });
export default engine;
