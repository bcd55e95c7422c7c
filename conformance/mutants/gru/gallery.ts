/**
 * The GRU mutants (spec/gru.md; its own mistakes are conformance/hypotheses/gru.ts): one flaw each,
 * on the naive GRU (../naive-rnn.ts), with the hypothesis the diagnosis must name where the flaw is
 * observable. The flaws of the loop are the LSTM gallery's, for this cell. Listed in ../index.ts
 * (`gruMutants`).
 */
import type { NaiveRnnEngine } from "../naive-rnn.ts";
import { engine as gateOrderRzh } from "./gate-order-rzh.ts";
import { engine as gateOrderRhz } from "./gate-order-rhz.ts";
import { engine as resetBeforeForAfter } from "./reset-before-for-after.ts";
import { engine as resetAfterForBefore } from "./reset-after-for-before.ts";
import { engine as biasRowsSwapped } from "./bias-rows-swapped.ts";
import { engine as inputBiasDropped } from "./input-bias-dropped.ts";
import { engine as recurrentBiasDropped } from "./recurrent-bias-dropped.ts";
import { engine as recurrentBiasOutsideReset } from "./recurrent-bias-outside-reset.ts";
import { engine as updateGateInverted } from "./update-gate-inverted.ts";
import { engine as hardSigmoidTfKeras } from "./hard-sigmoid-tf-keras.ts";
import { engine as sigmoidAlways } from "./sigmoid-always.ts";
import { engine as activationTanh } from "./activation-tanh.ts";
import { engine as kernelsSwapped } from "./kernels-swapped.ts";
import { engine as kernelReshaped } from "./kernel-reshaped.ts";
import { engine as recurrentKernelTransposed } from "./recurrent-kernel-transposed.ts";
import { engine as biasDropped } from "./bias-dropped.ts";
import { engine as maskIgnored } from "./mask-ignored.ts";
import { engine as maskRowZero } from "./mask-row-zero.ts";
import { engine as zeroOutputInverted } from "./zero-output-inverted.ts";
import { engine as initialStateIgnored } from "./initial-state-ignored.ts";
import { engine as statefulNotCarried } from "./stateful-not-carried.ts";
import { engine as skipsFirstStep } from "./skips-first-step.ts";
import { engine as backwardsReReversed } from "./backwards-re-reversed.ts";
import { engine as timeMajor } from "./time-major.ts";
import { engine as maskStateAdvances } from "./mask-state-advances.ts";
import { engine as maskAsLengths } from "./mask-as-lengths.ts";
import { engine as maskingWithInitialState } from "./masking-with-initial-state.ts";
import { engine as jaxMaskedPrefix } from "./jax-masked-prefix.ts";

/** [name (as in `--engine mutant:<name>`), the flaw in words, the engine, the expected hypothesis]. */
export const gruGallery: readonly (readonly [string, string, NaiveRnnEngine, string])[] = [
  ["gru/gate-order-rzh", "reads the gate blocks in PyTorch and cuDNN order r,z,h", gateOrderRzh, "gate-order:rzh"],
  ["gru/gate-order-rhz", "reads the gate blocks in Core ML order r,h,z", gateOrderRhz, "gate-order:rhz"],
  ["gru/reset-before-for-after", "computes the reset-before step whatever reset_after says, a reset_after bias's two rows summed (ONNX linear_before_reset=0)", resetBeforeForAfter, "gru:reset-before-for-after"],
  ["gru/reset-after-for-before", "computes the reset-after step whatever reset_after says, a (3u) bias as the input bias (PyTorch's formula)", resetAfterForBefore, "gru:reset-after-for-before"],
  ["gru/bias-rows-swapped", "swaps the input and recurrent rows of the (2, 3u) bias", biasRowsSwapped, "gru:bias-rows-swapped"],
  ["gru/input-bias-dropped", "ignores the input bias (row 0 of the (2, 3u) bias)", inputBiasDropped, "gru:input-bias-dropped"],
  ["gru/recurrent-bias-dropped", "ignores the recurrent bias (row 1 of the (2, 3u) bias): the bias read as one flat (3u) vector, an LSTM's layout", recurrentBiasDropped, "gru:recurrent-bias-dropped"],
  ["gru/recurrent-bias-outside-reset", "adds the candidate's recurrent bias outside the reset product (the two rows summed, as for an LSTM)", recurrentBiasOutsideReset, "gru:recurrent-bias-outside-reset"],
  ["gru/update-gate-inverted", "computes h = (1 − z)·h + z·h̃ (the papers' convention)", updateGateInverted, "gru:update-gate-inverted"],
  ["gru/hard-sigmoid-tf-keras", "computes hard_sigmoid as 0.2x + 0.5 whatever the Keras version", hardSigmoidTfKeras, "hard-sigmoid:0.2x+0.5"],
  ["gru/sigmoid-always", "uses sigmoid as the recurrent activation whatever the config says", sigmoidAlways, "recurrent-activation:sigmoid"],
  ["gru/activation-tanh", "uses tanh as the activation whatever the config says", activationTanh, "activation:tanh"],
  ["gru/kernels-swapped", "swaps kernel and recurrent_kernel (fails to run where their shapes differ)", kernelsSwapped, "kernels-swapped"],
  ["gru/kernel-reshaped", "reads the kernel as PyTorch's (3u, in) layout: reshape instead of transpose", kernelReshaped, "reshaped-not-transposed:kernel"],
  ["gru/recurrent-kernel-transposed", "transposes each gate block of the recurrent kernel", recurrentKernelTransposed, "recurrent-kernel-blocks-transposed"],
  ["gru/bias-dropped", "ignores the bias, both rows", biasDropped, "bias-dropped"],
  ["gru/mask-ignored", "ignores the mask", maskIgnored, "mask-ignored"],
  ["gru/mask-row-zero", "applies batch row 0's mask to every row", maskRowZero, "mask-row-0-broadcast"],
  ["gru/zero-output-inverted", "zeros masked outputs unless zero_output_for_mask is set, and carries them when it is", zeroOutputInverted, "zero-output-for-mask-inverted"],
  ["gru/initial-state-ignored", "ignores initial_state", initialStateIgnored, "initial-state-ignored"],
  ["gru/stateful-not-carried", "starts every call of a stateful layer from zeros", statefulNotCarried, "stateful-not-carried"],
  ["gru/skips-first-step", "starts its time loop at the second step (off by one)", skipsFirstStep, "time-loop-skips-first-step"],
  ["gru/backwards-re-reversed", "flips the go_backwards sequence output back to original time order", backwardsReReversed, "go-backwards-output-reversed"],
  ["gru/time-major", "reads the input and mask as time-major (T, B, …), writes the sequence time-major", timeMajor, "time-major"],
  ["gru/mask-state-advances", "lets h move on at masked steps, holding only the output", maskStateAdvances, "mask-state-advances"],
  ["gru/mask-as-lengths", "applies the mask as right padding of the same length per row", maskAsLengths, "mask-as-lengths"],
  ["gru/masking-with-initial-state", "applies a Masking layer's mask to the layer called with initial_state", maskingWithInitialState, "masking-mask-with-initial-state"],
  ["gru/jax-masked-prefix", "emits the initial h at masked steps before the first valid one (Keras's JAX backend)", jaxMaskedPrefix, "backend:jax"],
];
