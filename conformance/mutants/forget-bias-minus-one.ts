/** Mutant: an LSTM that subtracts 1.0 from the forget gate's pre-activation at run time. Expected diagnosis: `forget-bias-minus-one`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:forget-bias-minus-one", version: "1.0.0", flaws: { runtimeForgetBias: -1 } });
export default engine;
