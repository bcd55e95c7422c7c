/** Mutant: a GRU that ignores the bias, both rows. Expected diagnosis: `bias-dropped`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/bias-dropped", cell: "gru", version: "1.0.0", flaws: { biasFactor: 0 } });
export default engine;
