/** Mutant: a SimpleRNN that reads the kernel as PyTorch's (u, in) layout: reshape instead of transpose. Expected diagnosis: `reshaped-not-transposed:kernel`. */
import { naiveRnnEngine } from "../naive-rnn.ts";

export const engine = naiveRnnEngine({ name: "mutant:simple_rnn/kernel-reshaped", cell: "simple_rnn", version: "1.0.0", flaws: { kernelReadAsTorchLayout: true } });
export default engine;
