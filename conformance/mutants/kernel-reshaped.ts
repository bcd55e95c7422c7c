/** Mutant: an LSTM that reads the kernel as PyTorch's (4u, in) layout: reshape instead of transpose. Expected diagnosis: `reshaped-not-transposed:kernel`. */
import { naiveLstmEngine } from "./naive-lstm.ts";

export const engine = naiveLstmEngine({ name: "mutant:kernel-reshaped", version: "1.0.0", flaws: { kernelReadAsTorchLayout: true } });
export default engine;
