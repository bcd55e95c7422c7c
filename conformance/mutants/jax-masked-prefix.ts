/** Mutant: an LSTM that emits the initial h at masked steps before the first valid one, as Keras's JAX backend and tfjs do. Expected diagnosis: `backend:jax`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:jax-masked-prefix", version: "1.0.0", flaws: { maskedPrefixEmitsInitialH: true } });
export default engine;
