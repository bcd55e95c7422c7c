/** Mutant: a GRU that reads the gate blocks in Core ML order r,h,z. Expected diagnosis: `gate-order:rhz`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/gate-order-rhz", cell: "gru", version: "1.0.0", flaws: { gateOrder: "rhz" } });
export default engine;
