/** Mutant: a Bidirectional that returns the backward layer's states before the forward layer's. Expected diagnosis: `bidirectional:states-backward-first`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/states-backward-first", version: "1.0.0", flaws: { statesOrder: "backward-first" } });
export default engine;
