/** Mutant: an LSTM that uses half the bias (split into b_ih and b_hh, one half dropped). Expected diagnosis: `bias-halved`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:bias-halved", version: "1.0.0", flaws: { biasFactor: 0.5 } });
export default engine;
