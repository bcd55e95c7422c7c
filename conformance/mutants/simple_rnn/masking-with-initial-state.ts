/** Mutant: a SimpleRNN that applies a Masking layer's mask to the layer called with initial_state. Expected diagnosis: `masking-mask-with-initial-state`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/masking-with-initial-state", cell: "simple_rnn", version: "1.0.0", flaws: { maskingMaskWithInitialState: true } });
export default engine;
