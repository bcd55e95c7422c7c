/** Mutant: an LSTM that flips the go_backwards sequence output back to original time order. Expected diagnosis: `go-backwards-output-reversed`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:backwards-re-reversed", version: "1.0.0", flaws: { backwardsOutputReReversed: true } });
export default engine;
