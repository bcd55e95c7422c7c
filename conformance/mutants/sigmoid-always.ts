/** Mutant: an LSTM that uses sigmoid as the recurrent activation whatever the config says. Expected diagnosis: `recurrent-activation:sigmoid`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:sigmoid-always", version: "1.0.0", flaws: { recurrentActivationAlwaysSigmoid: true } });
export default engine;
