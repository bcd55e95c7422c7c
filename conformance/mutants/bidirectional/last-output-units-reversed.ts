/** Mutant: a Bidirectional that applies flip(y_rev, axis=1) without return_sequences too, reversing the backward last output's units. Expected diagnosis: `bidirectional:last-output-units-reversed`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/last-output-units-reversed", version: "1.0.0", flaws: { lastOutputUnitsReversed: true } });
export default engine;
