/** Mutant: an LSTM that applies the Keras→ONNX gate reorder in the wrong direction, so it reads i,c,o,f. Expected diagnosis: `gate-order:icof`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:gate-order-icof", version: "1.0.0", flaws: { gateOrder: "icof" } });
export default engine;
