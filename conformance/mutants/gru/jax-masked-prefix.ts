/** Mutant: a GRU that emits the initial h at masked steps before the first valid one (Keras's JAX backend). Expected diagnosis: `backend:jax`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/jax-masked-prefix", cell: "gru", version: "1.0.0", flaws: { maskedPrefixEmitsInitialH: true } });
export default engine;
