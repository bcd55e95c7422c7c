/**
 * The gradient mutants (spec/gradients.md §7.5): one mistake of a hand-written backward pass each,
 * with the hypothesis of conformance/hypotheses/gradients/ the diagnosis must name where the mistake
 * shows. `cells`: the cells where the mistake exists (an LSTM-only mistake leaves GRU cases alone).
 */
import type { CellKind } from "../../cells.ts";
import type { GradientMutantEngine } from "./engine.ts";
import { engine as noCellPath } from "./no-cell-path.ts";
import { engine as actPrimeCOmitted } from "./act-prime-c-omitted.ts";
import { engine as forgetUsesCt } from "./forget-uses-c-t.ts";
import { engine as truncatedBptt5 } from "./truncated-bptt-5.ts";
import { engine as maskedIntoWeights } from "./masked-into-weights.ts";
import { engine as maskedIntoX } from "./masked-into-x.ts";
import { engine as maskedOutputDropped } from "./masked-output-dropped.ts";
import { engine as torchLayout } from "./torch-layout.ts";
import { engine as gateOrderIofc } from "./gate-order-iofc.ts";
import { engine as gateOrderRzh } from "./gate-order-rzh.ts";
import { engine as biasDoubled } from "./bias-doubled.ts";
import { engine as gruBiasRowsSummed } from "./gru-bias-rows-summed.ts";

export interface GradientMutantEntry {
  /** `gradients/<name>`: the module is conformance/mutants/gradients/<name>.ts. */
  readonly name: string;
  readonly flaw: string;
  readonly engine: GradientMutantEngine;
  readonly expectedHypothesis: string;
  readonly cells: readonly CellKind[];
}

const ALL: readonly CellKind[] = ["lstm", "gru", "simple_rnn"];
const entry = (name: string, flaw: string, engine: GradientMutantEngine, expectedHypothesis: string, cells: readonly CellKind[] = ALL): GradientMutantEntry => ({ name: `gradients/${name}`, flaw, engine, expectedHypothesis, cells });

export const gradientMutants: readonly GradientMutantEntry[] = [
  entry("no-cell-path", "carries the LSTM's gradient across steps through h only, not through c", noCellPath, "gradient:no-cell-path", ["lstm"]),
  entry("act-prime-c-omitted", "leaves act′(c_t) out of the LSTM's δc̄", actPrimeCOmitted, "gradient:act-prime-c-omitted", ["lstm"]),
  entry("forget-uses-c-t", "computes the LSTM forget gate's gradient with c_t instead of c_{t−1}", forgetUsesCt, "gradient:forget-uses-c_t", ["lstm"]),
  entry("truncated-bptt-5", "truncates backpropagation through time to the last 5 steps", truncatedBptt5, "gradient:truncated-bptt:5"),
  entry("masked-into-weights", "lets a masked step's discarded computation add gradient into the weights", maskedIntoWeights, "gradient:masked-step-into-weights"),
  entry("masked-into-x", "lets a masked step's discarded computation send gradient into x", maskedIntoX, "gradient:masked-step-into-x"),
  entry("masked-output-dropped", "drops the gradient of a masked step's repeated output instead of carrying it back", maskedOutputDropped, "gradient:masked-output-not-carried"),
  entry("torch-layout", "returns the kernel gradients in PyTorch's layout, transposed", torchLayout, "gradient:layout:pytorch"),
  entry("gate-order-iofc", "returns the LSTM's weight gradients in ONNX gate order i,o,f,c", gateOrderIofc, "gradient:gate-order:iofc", ["lstm"]),
  entry("gate-order-rzh", "returns the GRU's weight gradients in PyTorch gate order r,z,n", gateOrderRzh, "gradient:gate-order:rzh", ["gru"]),
  entry("bias-doubled", "doubles the bias gradient", biasDoubled, "gradient:bias-doubled"),
  entry("gru-bias-rows-summed", "returns a reset_after GRU's two bias rows each as the sum of both", gruBiasRowsSummed, "gradient:gru-bias-rows-summed", ["gru"]),
];
