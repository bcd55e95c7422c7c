/** Mutant: an LSTM that reads the input and mask as time-major (T, B, …) and writes the sequence output time-major. Expected diagnosis: `time-major`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:time-major", version: "1.0.0", flaws: { timeMajor: true } });
export default engine;
