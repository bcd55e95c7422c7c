/**
 * The hypotheses for gradient failures (spec/gradients.md §7.5): one mistake of a hand-written
 * backward pass each, expressed as exactly what an engine making it returns for a gradient case —
 * the reference's BPTT with that mistake switched on (bptt-variant.ts), or the reference's answer
 * read the wrong way (answer-transforms.ts). A hypothesis never carries gradient math of its own.
 */
import type { ReferenceTensor } from "../../../reference/model.ts";
import { cellLayers, type Layer } from "../../case.ts";
import type { GradientAnswer, GradientCase } from "../../gradients/case.ts";
import { referenceGradients } from "../../gradients/reference-gradients.ts";
import { biasDoubled, gruBiasRowsSummed, inGateOrder, inTorchLayout } from "./answer-transforms.ts";
import { variantGradients, type BpttFlaws } from "./bptt-variant.ts";

type Answer = GradientAnswer<{ readonly shape: readonly number[]; readonly data: Float64Array }>;

export interface GradientHypothesis {
  /** Stable id, e.g. `gradient:no-cell-path`; the gradient mutants name the id they expect. */
  readonly id: string;
  /** "your engine's gradients match Keras's if …". */
  readonly explanation: string;
  /** What an engine with the mistake returns for `c`; null when the mistake has nothing to act on in `c`. */
  predict(c: GradientCase): Answer[] | null;
}

const hasClass = (c: GradientCase, name: string): boolean => cellLayers(c).some((l) => l.className === name);
const hasMask = (c: GradientCase): boolean => c.calls.some((call) => call.mask !== undefined) || c.layers[0]?.className === "Masking";
const maxSteps = (c: GradientCase): number => Math.max(...c.calls.map((call) => call.x.shape[1] ?? 0));
const hasBias = (c: GradientCase): boolean => cellLayers(c).some((l) => l.config.use_bias !== false);
const resetAfterBias = (layers: readonly Layer[]): boolean => layers.some((l) => l.className === "GRU" && (l.config.reset_after ?? true) && l.config.use_bias !== false);

/** Memoised per case: the diagnosis and the gallery ask for the reference's answer many times. */
const referenceOf = (() => {
  const seen = new WeakMap<GradientCase, GradientAnswer<ReferenceTensor>[]>();
  return (c: GradientCase): GradientAnswer<ReferenceTensor>[] => {
    let a = seen.get(c);
    if (!a) seen.set(c, (a = referenceGradients(c)));
    return a;
  };
})();

const bptt = (id: string, explanation: string, flaws: BpttFlaws, applies: (c: GradientCase) => boolean): GradientHypothesis => ({
  id,
  explanation,
  predict: (c) => (applies(c) ? variantGradients(c, flaws) : null),
});

/** BPTT truncated to k steps, for the k a hand-written engine picks (powers of two and round numbers). */
export const TRUNCATION_STEPS: readonly number[] = [1, 2, 3, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100];

export const gradientHypotheses: readonly GradientHypothesis[] = [
  bptt("gradient:no-cell-path", "the gradient is carried across steps through h only: ∂L/∂c_{t−1} = δc̄ ⊙ f is dropped (spec/gradients.md §3.1, §4.2)", { noCellPath: true }, (c) => hasClass(c, "LSTM")),
  bptt("gradient:act-prime-c-omitted", "the factor act′(c_t) is left out of δc̄ = δc + δh ⊙ o ⊙ act′(c_t) (spec/gradients.md §4.2)", { actPrimeOfCOmitted: true }, (c) => hasClass(c, "LSTM")),
  bptt("gradient:forget-uses-c_t", "the forget gate's gradient uses the new cell state c_t where the forward multiplied c_{t−1} (spec/gradients.md §4.2)", { forgetUsesCt: true }, (c) => hasClass(c, "LSTM")),
  ...TRUNCATION_STEPS.map((k) =>
    bptt(`gradient:truncated-bptt:${k}`, `backpropagation through time is truncated to the last ${k} step(s): earlier steps get no gradient (spec/gradients.md §3.1)`, { truncateSteps: k }, (c) => maxSteps(c) > k),
  ),
  bptt("gradient:masked-step-into-weights", "a masked step's discarded computation still adds its gradient into the weights (spec/gradients.md §3.2, 1)", { maskedLeak: "weights" }, hasMask),
  bptt("gradient:masked-step-into-x", "a masked step's discarded computation still sends gradient into x at that step (spec/gradients.md §3.2, 1)", { maskedLeak: "x" }, hasMask),
  bptt("gradient:masked-output-not-carried", "the gradient of the output a masked step repeats is dropped instead of being carried to the previous emitted output (spec/gradients.md §3.2, 3)", { maskedLeak: "output-dropped" }, hasMask),
  {
    id: "gradient:layout:pytorch",
    explanation: "the kernel and recurrent-kernel gradients are in PyTorch's layout (n·units, input_dim) and (n·units, units), transposed, not Keras's (spec/gradients.md §2.2)",
    predict: (c) => inTorchLayout(c.layers, referenceOf(c)),
  },
  {
    id: "gradient:gate-order:iofc",
    explanation: "the LSTM's weight gradients have their gate blocks in ONNX order i, o, f, c, not Keras's i, f, c, o (spec/gradients.md §2.2)",
    predict: (c) => (hasClass(c, "LSTM") ? inGateOrder(c.layers, referenceOf(c), "LSTM", "iofc") : null),
  },
  {
    id: "gradient:gate-order:rzh",
    explanation: "the GRU's weight gradients have their gate blocks in PyTorch order r, z, n, not Keras's z, r, h (spec/gradients.md §2.2)",
    predict: (c) => (hasClass(c, "GRU") ? inGateOrder(c.layers, referenceOf(c), "GRU", "rzh") : null),
  },
  {
    id: "gradient:bias-doubled",
    explanation: "the bias gradient is doubled (spec/gradients.md §2.2)",
    predict: (c) => (hasBias(c) ? biasDoubled(c.layers, referenceOf(c)) : null),
  },
  {
    id: "gradient:gru-bias-rows-summed",
    explanation: "a reset_after GRU's two bias rows each hold the sum of both rows' gradients (input and recurrent bias merged, spec/gru.md §1.3, spec/gradients.md §2.2)",
    predict: (c) => (resetAfterBias(c.layers) ? gruBiasRowsSummed(c.layers, referenceOf(c)) : null),
  },
];

export const gradientHypothesisById = (id: string): GradientHypothesis | undefined => gradientHypotheses.find((h) => h.id === id);
