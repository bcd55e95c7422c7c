/** Gradient mutant: the GRU's weight gradients returned with the gate blocks in PyTorch order r,z,n. Expected diagnosis: `gradient:gate-order:rzh`. */
import { inGateOrder } from "../../hypotheses/gradients/answer-transforms.ts";
import { variantGradients } from "../../hypotheses/gradients/bptt-variant.ts";
import { gradientMutant } from "./engine.ts";

// variantGradients without a flaw is the reference's backward (bptt-variant.test.ts): the math is right, the answer is read wrong.
export const engine = gradientMutant("gate-order-rzh", (req) => inGateOrder(req.layers, variantGradients(req), "GRU", "rzh"));
export default engine;
