/** Gradient mutant: the bias gradient doubled. Expected diagnosis: `gradient:bias-doubled`. */
import { biasDoubled } from "../../hypotheses/gradients/answer-transforms.ts";
import { variantGradients } from "../../hypotheses/gradients/bptt-variant.ts";
import { gradientMutant } from "./engine.ts";

// variantGradients without a flaw is the reference's backward (bptt-variant.test.ts): the math is right, the answer is read wrong.
export const engine = gradientMutant("bias-doubled", (req) => biasDoubled(req.layers, variantGradients(req)));
export default engine;
