/** Mutant: an LSTM that reshapes each (input_dim × units) gate block of the kernel to (units × input_dim) instead of transposing it. Expected diagnosis: `kernel-blocks-reshaped`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:kernel-blocks-reshaped", version: "1.0.0", flaws: { kernelBlocksReadAsTorch: true } });
export default engine;
