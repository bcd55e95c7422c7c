/** Mutant: a GRU that computes h = (1 − z)·h + z·h̃ (the papers' convention). Expected diagnosis: `gru:update-gate-inverted`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/update-gate-inverted", cell: "gru", version: "1.0.0", flaws: { updateGateInverted: true } });
export default engine;
