/** Mutant: an LSTM that computes hard_sigmoid as 0.2x + 0.5 whatever the Keras version. Expected diagnosis: `hard-sigmoid:0.2x+0.5`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:hard-sigmoid-tf-keras", version: "1.0.0", flaws: { hardSigmoidAs: "tf-keras" } });
export default engine;
