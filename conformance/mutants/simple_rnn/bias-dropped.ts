/** Mutant: a SimpleRNN that ignores the bias. Expected diagnosis: `bias-dropped`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/bias-dropped", cell: "simple_rnn", version: "1.0.0", flaws: { biasFactor: 0 } });
export default engine;
