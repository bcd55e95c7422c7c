/** Mutant: an LSTM that reads the gate blocks in TF1 LSTMCell order i,c,f,o (i,j,f,o). Expected diagnosis: `gate-order:icfo`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:gate-order-icfo", version: "1.0.0", flaws: { gateOrder: "icfo" } });
export default engine;
