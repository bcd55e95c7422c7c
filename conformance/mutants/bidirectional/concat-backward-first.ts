/** Mutant: a Bidirectional that concatenates [backward, forward]. Expected diagnosis: `bidirectional:concat-backward-first`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/concat-backward-first", version: "1.0.0", flaws: { concatBackwardFirst: true } });
export default engine;
