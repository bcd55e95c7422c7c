/** Mutant: a Bidirectional that gives initial_state's first half to the backward layer. Expected diagnosis: `bidirectional:initial-state-halves-swapped`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/initial-state-halves-swapped", version: "1.0.0", flaws: { initialStateHalvesSwapped: true } });
export default engine;
