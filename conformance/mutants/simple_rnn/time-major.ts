/** Mutant: a SimpleRNN that reads the input and mask as time-major (T, B, …), writes the sequence time-major. Expected diagnosis: `time-major`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/time-major", cell: "simple_rnn", version: "1.0.0", flaws: { timeMajor: true } });
export default engine;
