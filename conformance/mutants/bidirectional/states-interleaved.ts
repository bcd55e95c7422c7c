/** Mutant: a Bidirectional that returns the states as [fwd_h, bwd_h, fwd_c, bwd_c]. Expected diagnosis: `bidirectional:states-interleaved`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/states-interleaved", version: "1.0.0", flaws: { statesOrder: "interleaved" } });
export default engine;
