/** Mutant: a Bidirectional that runs the forward layer forwards and the backward one backwards whatever go_backwards says (PyTorch, ONNX). Expected diagnosis: `bidirectional:directions-fixed`. */
import { naiveBidirectionalEngine } from "./naive-bidirectional.ts";

export const engine = naiveBidirectionalEngine({ name: "mutant:bidirectional/directions-fixed", version: "1.0.0", flaws: { directionsFixed: true } });
export default engine;
