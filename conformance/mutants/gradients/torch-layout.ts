/** Gradient mutant: kernel and recurrent-kernel gradients returned in PyTorch's layout, transposed. Expected diagnosis: `gradient:layout:pytorch`. */
import { inTorchLayout } from "../../hypotheses/gradients/answer-transforms.ts";
import { variantGradients } from "../../hypotheses/gradients/bptt-variant.ts";
import { gradientMutant } from "./engine.ts";

// variantGradients without a flaw is the reference's backward (bptt-variant.test.ts): the math is right, the answer is read wrong.
export const engine = gradientMutant("torch-layout", (req) => inTorchLayout(req.layers, variantGradients(req)));
export default engine;
