/** Mutant: a GRU that adds the candidate's recurrent bias outside the reset product (the two rows summed, as for an LSTM). Expected diagnosis: `gru:recurrent-bias-outside-reset`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/recurrent-bias-outside-reset", cell: "gru", version: "1.0.0", flaws: { recurrentBiasOutsideReset: true } });
export default engine;
