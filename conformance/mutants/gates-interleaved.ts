/** Mutant: an LSTM that reads the gate columns per unit, interleaved (i0 f0 c0 o0 i1 …), instead of in blocks. Expected diagnosis: `gate-columns-interleaved`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:gates-interleaved", version: "1.0.0", flaws: { interleavedGates: true } });
export default engine;
