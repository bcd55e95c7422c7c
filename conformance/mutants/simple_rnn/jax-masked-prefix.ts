/** Mutant: a SimpleRNN that emits the initial h at masked steps before the first valid one (Keras's JAX backend). Expected diagnosis: `backend:jax`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/jax-masked-prefix", cell: "simple_rnn", version: "1.0.0", flaws: { maskedPrefixEmitsInitialH: true } });
export default engine;
