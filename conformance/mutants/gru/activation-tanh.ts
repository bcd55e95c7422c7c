/** Mutant: a GRU that uses tanh as the activation whatever the config says. Expected diagnosis: `activation:tanh`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/activation-tanh", cell: "gru", version: "1.0.0", flaws: { activationAlwaysTanh: true } });
export default engine;
