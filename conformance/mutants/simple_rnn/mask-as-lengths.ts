/** Mutant: a SimpleRNN that applies the mask as right padding of the same length per row. Expected diagnosis: `mask-as-lengths`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/mask-as-lengths", cell: "simple_rnn", version: "1.0.0", flaws: { maskAsLengths: true } });
export default engine;
