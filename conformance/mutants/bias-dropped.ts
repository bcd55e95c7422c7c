/** Mutant: an LSTM that ignores the bias. Expected diagnosis: `bias-dropped`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:bias-dropped", version: "1.0.0", flaws: { biasFactor: 0 } });
export default engine;
