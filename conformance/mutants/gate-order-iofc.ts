/** Mutant: an LSTM that reads the gate blocks in ONNX order i,o,f,c. Expected diagnosis: `gate-order:iofc`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:gate-order-iofc", version: "1.0.0", flaws: { gateOrder: "iofc" } });
export default engine;
