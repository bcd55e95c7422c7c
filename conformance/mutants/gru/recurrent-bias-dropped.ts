/** Mutant: a GRU that ignores the recurrent bias (row 1 of the (2, 3u) bias): the bias read as one flat (3u) vector, an LSTM's layout. Expected diagnosis: `gru:recurrent-bias-dropped`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/recurrent-bias-dropped", cell: "gru", version: "1.0.0", flaws: { biasRowDropped: "recurrent" } });
export default engine;
