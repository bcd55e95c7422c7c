/** Mutant: an LSTM that computes the forget gate from the input gate's block. Expected diagnosis: `gate-block:f<-i`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:forget-reads-input-block", version: "1.0.0", flaws: { forgetGateReadsBlock: "i" } });
export default engine;
