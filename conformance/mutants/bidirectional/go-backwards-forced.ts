/** Mutant: a Bidirectional that forces the backward layer's go_backwards to true (Keras 3's rule) on tf-keras's toggled layers. Expected diagnosis: `bidirectional:go-backwards-forced`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/go-backwards-forced", version: "1.0.0", flaws: { goBackwardsForced: true } });
export default engine;
