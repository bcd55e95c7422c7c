/** Mutant: a SimpleRNN that flips the go_backwards sequence output back to original time order. Expected diagnosis: `go-backwards-output-reversed`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/backwards-re-reversed", cell: "simple_rnn", version: "1.0.0", flaws: { backwardsOutputReReversed: true } });
export default engine;
