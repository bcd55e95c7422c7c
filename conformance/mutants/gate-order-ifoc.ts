/** Mutant: an LSTM that reads the gate blocks in MIOpen order i,f,o,c. Expected diagnosis: `gate-order:ifoc`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:gate-order-ifoc", version: "1.0.0", flaws: { gateOrder: "ifoc" } });
export default engine;
