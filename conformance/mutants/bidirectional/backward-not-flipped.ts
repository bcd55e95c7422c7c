/** Mutant: a Bidirectional that merges the backward sequence in processing order, not flipped back along time. Expected diagnosis: `bidirectional:backward-not-flipped`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/backward-not-flipped", version: "1.0.0", flaws: { backwardNotFlipped: true } });
export default engine;
