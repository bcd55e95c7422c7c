/** Mutant: a GRU that ignores the input bias (row 0 of the (2, 3u) bias). Expected diagnosis: `gru:input-bias-dropped`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/input-bias-dropped", cell: "gru", version: "1.0.0", flaws: { biasRowDropped: "input" } });
export default engine;
