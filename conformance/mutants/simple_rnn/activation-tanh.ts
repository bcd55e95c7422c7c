/** Mutant: a SimpleRNN that uses tanh as the activation whatever the config says. Expected diagnosis: `activation:tanh`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/activation-tanh", cell: "simple_rnn", version: "1.0.0", flaws: { activationAlwaysTanh: true } });
export default engine;
