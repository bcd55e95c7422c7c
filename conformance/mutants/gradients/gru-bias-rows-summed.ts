/** Gradient mutant: a reset_after GRU's two bias rows each returned as the sum of both. Expected diagnosis: `gradient:gru-bias-rows-summed`. */
import { gruBiasRowsSummed } from "../../hypotheses/gradients/answer-transforms.ts";
import { variantGradients } from "../../hypotheses/gradients/bptt-variant.ts";
import { gradientMutant } from "./engine.ts";

// variantGradients without a flaw is the reference's backward (bptt-variant.test.ts): the math is right, the answer is read wrong.
export const engine = gradientMutant("gru-bias-rows-summed", (req) => gruBiasRowsSummed(req.layers, variantGradients(req)));
export default engine;
