/** Mutant: a GRU that computes hard_sigmoid as 0.2x + 0.5 whatever the Keras version. Expected diagnosis: `hard-sigmoid:0.2x+0.5`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/hard-sigmoid-tf-keras", cell: "gru", version: "1.0.0", flaws: { hardSigmoidAs: "tf-keras" } });
export default engine;
