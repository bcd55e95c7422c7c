/** Mutant: a GRU that reads the kernel as PyTorch's (3u, in) layout: reshape instead of transpose. Expected diagnosis: `reshaped-not-transposed:kernel`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:gru/kernel-reshaped", cell: "gru", version: "1.0.0", flaws: { kernelReadAsTorchLayout: true } });
export default engine;
