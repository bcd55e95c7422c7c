/** Mutant: a SimpleRNN that starts every call of a stateful layer from zeros. Expected diagnosis: `stateful-not-carried`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/stateful-not-carried", cell: "simple_rnn", version: "1.0.0", flaws: { statefulNotCarried: true } });
export default engine;
