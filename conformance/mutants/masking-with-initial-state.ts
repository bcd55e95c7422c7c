/** Mutant: an LSTM that applies a Masking layer's mask to the layer called with initial_state (tf-keras, tfjs). Expected diagnosis: `masking-mask-with-initial-state`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:masking-with-initial-state", version: "1.0.0", flaws: { maskingMaskWithInitialState: true } });
export default engine;
