/** Gradient mutant: the LSTM's weight gradients returned with the gate blocks in ONNX order i,o,f,c. Expected diagnosis: `gradient:gate-order:iofc`. */
import { inGateOrder } from "../../hypotheses/gradients/answer-transforms.ts";
import { variantGradients } from "../../hypotheses/gradients/bptt-variant.ts";
import { gradientMutant } from "./engine.ts";

// variantGradients without a flaw is the reference's backward (bptt-variant.test.ts): the math is right, the answer is read wrong.
export const engine = gradientMutant("gate-order-iofc", (req) => inGateOrder(req.layers, variantGradients(req), "LSTM", "iofc"));
export default engine;
