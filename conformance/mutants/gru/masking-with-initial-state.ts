/** Mutant: a GRU that applies a Masking layer's mask to the layer called with initial_state. Expected diagnosis: `masking-mask-with-initial-state`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/masking-with-initial-state", cell: "gru", version: "1.0.0", flaws: { maskingMaskWithInitialState: true } });
export default engine;
