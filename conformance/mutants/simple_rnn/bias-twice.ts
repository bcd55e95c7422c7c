/** Mutant: a SimpleRNN that adds the bias twice (PyTorch's b_ih and b_hh both loaded with it). Expected diagnosis: `bias-twice`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/bias-twice", cell: "simple_rnn", version: "1.0.0", flaws: { biasFactor: 2 } });
export default engine;
