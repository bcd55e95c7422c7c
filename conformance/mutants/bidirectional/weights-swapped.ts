/** Mutant: a Bidirectional that runs the forward layer with the backward layer's weights and the other way round. Expected diagnosis: `bidirectional:weights-swapped`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/weights-swapped", version: "1.0.0", flaws: { weightsSwapped: true } });
export default engine;
