/** Mutant: a GRU that starts every call of a stateful layer from zeros. Expected diagnosis: `stateful-not-carried`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/stateful-not-carried", cell: "gru", version: "1.0.0", flaws: { statefulNotCarried: true } });
export default engine;
