/** Mutant: an LSTM that adds the bias twice. Expected diagnosis: `bias-twice`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:bias-twice", version: "1.0.0", flaws: { biasFactor: 2 } });
export default engine;
