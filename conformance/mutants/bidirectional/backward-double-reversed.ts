/** Mutant: a Bidirectional that feeds the backward layer the reversed input and runs it with go_backwards too. Expected diagnosis: `bidirectional:backward-double-reversed`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/backward-double-reversed", version: "1.0.0", flaws: { backwardDoubleReversed: true } });
export default engine;
