/** Mutant: a Bidirectional that computes merge_mode "ave" as "sum". Expected diagnosis: `bidirectional:ave-as-sum`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/ave-as-sum", version: "1.0.0", flaws: { aveAsSum: true } });
export default engine;
