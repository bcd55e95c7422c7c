/** Mutant: a GRU that zeros masked outputs unless zero_output_for_mask is set, and carries them when it is. Expected diagnosis: `zero-output-for-mask-inverted`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/zero-output-inverted", cell: "gru", version: "1.0.0", flaws: { zeroOutputForMaskInverted: true } });
export default engine;
