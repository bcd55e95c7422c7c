/** Mutant: a GRU that reads the gate blocks in PyTorch and cuDNN order r,z,h. Expected diagnosis: `gate-order:rzh`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/gate-order-rzh", cell: "gru", version: "1.0.0", flaws: { gateOrder: "rzh" } });
export default engine;
