/**
 * Mistakes particular to the GRU (spec/gru.md): the reset convention confused either way (§2.1, §2.2),
 * the two rows of the reset_after bias swapped, one of them dropped, or the recurrent one added
 * outside the reset product (§1.3), and the update written the papers' way round (§2.3). The GRU's
 * gate orders are in gate-order.ts; the mistakes every cell shares (kernels, the bias as a whole,
 * activations, the loop) in weights.ts, activations.ts, sequence.ts and masks.ts.
 *
 * Like every hypothesis they predict through the reference on a transformed case: each is a change
 * of a GRU layer's config or weights that makes Keras's GRU compute what the flawed engine computes.
 */
import type { GruLayer } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import { mapLayersOf, withConfig, withWeights } from "./case-transforms.ts";
import { STAGES, type Hypothesis, type PairMeta } from "./hypothesis.ts";

// One wrong bias is one mistake: the bias rows pair with the gate order, the kernels, the
// activations and the loop, never with another bias mistake (bias-dropped, bias-twice, …).
const BIAS: PairMeta = { touches: ["bias"], stage: STAGES.arithmetic };
// The step's formula: which convention, and which side of the update z weights.
const RESET_CONVENTION: PairMeta = { touches: ["reset-convention"], stage: STAGES.arithmetic };
const UPDATE: PairMeta = { touches: ["update-gate"], stage: STAGES.arithmetic };

/** spec/gru.md §1.3: a missing `reset_after` is Keras 3's default, true. */
const resetAfter = (l: GruLayer): boolean => l.config.reset_after !== false;

/** The rows of a reset_after bias (2, 3u), input and recurrent (spec/gru.md §1.3); null when the layer has no such bias. */
function biasRows(l: GruLayer): [Float32Array, Float32Array] | null {
  const b = l.weights.bias;
  if (!resetAfter(l) || !l.config.use_bias || !b) return null;
  const n = b.data.length / 2;
  return [b.data.subarray(0, n), b.data.subarray(n)];
}

/** A (2, n) bias of two rows. */
function twoRows(input: ArrayLike<number>, recurrent: ArrayLike<number>): Tensor {
  const n = input.length;
  const data = new Float32Array(2 * n);
  data.set(input, 0);
  data.set(recurrent, n);
  return { shape: [2, n], data };
}

/** The layer with `bias` as its bias (or none). */
const withBias = (l: GruLayer, bias: Tensor | null): GruLayer =>
  withWeights(l, { kernel: l.weights.kernel, recurrent_kernel: l.weights.recurrent_kernel, ...(bias ? { bias } : {}) });

/**
 * A hypothesis that changes every GRU layer `applies` accepts (the others are computed as Keras
 * does); not applicable to a case without such a layer, nor where `f` refuses one.
 */
function gruHypothesis(id: string, explanation: string, meta: PairMeta, applies: (l: GruLayer) => boolean, f: (l: GruLayer) => GruLayer | null): Hypothesis {
  return {
    id,
    explanation,
    ...meta,
    async predict(c, oracle) {
      let changed = false;
      const t = mapLayersOf(c, ["GRU"], (l) => {
        if (!applies(l)) return l;
        changed = true;
        return f(l);
      });
      return t && changed ? oracle(t) : null;
    },
  };
}

/**
 * A reset-before engine given a reset_after=True layer: the bias's two rows become its one input
 * bias, summed — ONNX's default linear_before_reset=0 adds Wb and Rb outside the product (spec/gru.md
 * §6 Q3), and a reset-before engine has nowhere else to put the second row.
 */
export const resetBeforeForAfter = gruHypothesis(
  "gru:reset-before-for-after",
  "your engine matches Keras if it computes the reset-before GRU, (r ⊙ h_{t-1})·U_h, on a layer with reset_after=True, the two bias rows " +
    "summed into one input bias (ONNX's default linear_before_reset=0 with B = [Wb | Rb]; all TFJS implements): reset_after=True, Keras's default, " +
    "scales the product, act(x_t·W_h + b_ih + r ⊙ (h_{t-1}·U_h + b_hh)) (spec/gru.md §2.1, §2.2, §6 Q3, Q5)",
  RESET_CONVENTION,
  resetAfter,
  (l) => {
    const rows = biasRows(l);
    const summed = rows ? { shape: [rows[0].length], data: rows[0].map((b, k) => b + rows[1][k]!) } : null;
    return withBias(withConfig(l, { reset_after: false }), summed);
  },
);

/**
 * A reset-after engine (PyTorch's formula, the only one it has) given a reset_after=False layer: the
 * one (3u) bias is its input bias, the recurrent one zero.
 */
export const resetAfterForBefore = gruHypothesis(
  "gru:reset-after-for-before",
  "your engine matches Keras if it computes the reset-after GRU, r ⊙ (h_{t-1}·U_h), on a layer with reset_after=False, its (3·units) bias " +
    "as the input bias (PyTorch's and cuDNN's formula, the only one they have): reset_after=False scales h_{t-1} before the product, " +
    "(r ⊙ h_{t-1})·U_h (spec/gru.md §2.2, §6 Q1, Q9)",
  RESET_CONVENTION,
  (l) => !resetAfter(l),
  (l) => {
    const b = l.config.use_bias ? l.weights.bias : undefined;
    return withBias(withConfig(l, { reset_after: true }), b ? twoRows(b.data, new Float32Array(b.data.length)) : null);
  },
);

/** A hypothesis about the rows of a reset_after bias: `f` gets them (input, recurrent) and returns the rows the engine uses. */
function rowsHypothesis(id: string, explanation: string, f: (input: Float32Array, recurrent: Float32Array, units: number) => [ArrayLike<number>, ArrayLike<number>]): Hypothesis {
  return gruHypothesis(id, explanation, BIAS, (l) => biasRows(l) !== null, (l) => {
    const [input, recurrent] = biasRows(l)!;
    const [i, r] = f(input, recurrent, l.config.units);
    return withBias(l, twoRows(i, r));
  });
}

export const biasRowsSwapped = rowsHypothesis(
  "gru:bias-rows-swapped",
  "your engine matches Keras if the two rows of the (2, 3·units) bias are swapped (e.g. PyTorch's bias_hh and bias_ih stacked the wrong way " +
    "round): row 0 is the input bias, added to x_t·W, row 1 the recurrent bias, added to h_{t-1}·U inside the reset product " +
    "(spec/gru.md §1.3, §6 Q1, Q6)",
  (input, recurrent) => [recurrent, input],
);

export const inputBiasDropped = rowsHypothesis(
  "gru:input-bias-dropped",
  "your engine matches Keras if the input bias (row 0 of the (2, 3·units) bias) is ignored: Keras adds it to x_t·W (spec/gru.md §1.3, §6 Q6)",
  (input, recurrent) => [new Float32Array(input.length), recurrent],
);

export const recurrentBiasDropped = rowsHypothesis(
  "gru:recurrent-bias-dropped",
  "your engine matches Keras if the recurrent bias (row 1 of the (2, 3·units) bias) is ignored — e.g. the bias read as one flat (3·units) " +
    "vector, an LSTM's bias layout, whose first 3·units values are row 0: Keras adds row 1 to h_{t-1}·U, for the candidate inside the reset " +
    "product (spec/gru.md §1.3, §6 Q4, Q6)",
  (input, recurrent) => [input, new Float32Array(recurrent.length)],
);

/**
 * b_hh outside r: act(x·W_h + b_ih + b_hh + r ⊙ (h·U_h)) is Keras's step with b_hh moved to the
 * input row's candidate block. For z and r the two rows add up anyway, so summing the rows into one
 * bias — the LSTM's layout, porting.md §2 — is the same mistake.
 */
export const recurrentBiasOutsideReset = rowsHypothesis(
  "gru:recurrent-bias-outside-reset",
  "your engine matches Keras if the candidate's recurrent bias b_hh is added outside the reset product, act(x_t·W_h + b_ih + b_hh + " +
    "r ⊙ (h_{t-1}·U_h)) — the two bias rows summed into one as for an LSTM (spec/porting.md §2), or Core ML's placement: Keras computes " +
    "act(x_t·W_h + b_ih + r ⊙ (h_{t-1}·U_h + b_hh)), so the rows must stay apart (spec/gru.md §1.3, §2.1, §6 Q1, Q6)",
  (input, recurrent, u) => [input.map((b, k) => (k >= 2 * u ? b + recurrent[k]! : b)), recurrent.map((b, k) => (k >= 2 * u ? 0 : b))],
);

/**
 * `(1 − z)·h + z·h̃` is Keras's update with z replaced by 1 − z. Where σ_r(−a) = 1 − σ_r(a) —
 * sigmoid, and hard_sigmoid in both Keras versions' formulas — that is the z block of the kernel,
 * the recurrent kernel and the bias negated; with a linear σ_r, 1 − a is the block negated and 1
 * added to the input bias. Other recurrent activations cannot be rewritten so: not expressible.
 */
const SYMMETRIC = new Set(["sigmoid", "hard_sigmoid"]);

function negateUpdateBlock(w: Tensor, units: number, blocks: number, plusOne = false): Tensor {
  const cols = blocks * units;
  return { shape: w.shape, data: w.data.map((v, k) => (k % cols < units ? (plusOne && k < units ? 1 - v : -v) : v)) };
}

export const updateGateInverted = gruHypothesis(
  "gru:update-gate-inverted",
  "your engine matches Keras if the update is h_t = (1 − z) ⊙ h_{t-1} + z ⊙ h̃ (some papers' convention): Keras, PyTorch, ONNX, cuDNN and " +
    "TFJS weight the old state with z, h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃ (spec/gru.md §2.3, §6 Q2)",
  UPDATE,
  () => true,
  (l) => {
    const act = String(l.config.recurrent_activation);
    const linear = act === "linear";
    if (!SYMMETRIC.has(act) && !linear) return null;
    const u = l.config.units;
    const w = l.weights;
    const kernel = negateUpdateBlock(w.kernel, u, 3);
    const recurrent = negateUpdateBlock(w.recurrent_kernel, u, 3);
    // 1 − a with a linear σ_r: the update block's input bias becomes 1 − b (a zero bias first where there is none)
    const zeros: Tensor = { shape: resetAfter(l) ? [2, 3 * u] : [3 * u], data: new Float32Array(resetAfter(l) ? 6 * u : 3 * u) };
    const base = l.config.use_bias && w.bias ? w.bias : linear ? zeros : null;
    const bias = base ? negateUpdateBlock(base, u, 3, linear) : null;
    return { ...withConfig(l, linear ? { use_bias: true } : {}), weights: { kernel, recurrent_kernel: recurrent, ...(bias ? { bias } : {}) } };
  },
);

/** The GRU's own mistakes, in tie-breaking order: the convention first (it changes the most), then the bias rows, then the update. */
export const gruHypotheses: readonly Hypothesis[] = [
  resetBeforeForAfter,
  resetAfterForBefore,
  biasRowsSwapped,
  inputBiasDropped,
  recurrentBiasDropped,
  recurrentBiasOutsideReset,
  updateGateInverted,
];
