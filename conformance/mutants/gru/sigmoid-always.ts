/** Mutant: a GRU that uses sigmoid as the recurrent activation whatever the config says. Expected diagnosis: `recurrent-activation:sigmoid`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/sigmoid-always", cell: "gru", version: "1.0.0", flaws: { recurrentActivationAlwaysSigmoid: true } });
export default engine;
