/** Mutant: a SimpleRNN that zeros masked outputs unless zero_output_for_mask is set, and carries them when it is. Expected diagnosis: `zero-output-for-mask-inverted`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/zero-output-inverted", cell: "simple_rnn", version: "1.0.0", flaws: { zeroOutputForMaskInverted: true } });
export default engine;
