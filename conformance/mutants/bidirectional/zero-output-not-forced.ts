/** Mutant: a Bidirectional that runs both layers with zero_output_for_mask false, not forced to return_sequences. Expected diagnosis: `bidirectional:zero-output-not-forced`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/zero-output-not-forced", version: "1.0.0", flaws: { zeroOutputNotForced: true } });
export default engine;
