/** Mutant: an LSTM that adds TF1's forget_bias 1.0 to the forget gate at run time. Expected diagnosis: `forget-bias-plus-one`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:forget-bias-plus-one", version: "1.0.0", flaws: { runtimeForgetBias: 1 } });
export default engine;
