/** Mutant: a Bidirectional that computes merge_mode "sum" as "ave". Expected diagnosis: `bidirectional:sum-as-ave`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/sum-as-ave", version: "1.0.0", flaws: { sumAsAve: true } });
export default engine;
