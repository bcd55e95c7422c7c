/**
 * The SimpleRNN mutants (spec/simple-rnn.md): one flaw each, on the naive SimpleRNN
 * (../naive-rnn.ts), with the hypothesis the diagnosis must name where the flaw is observable: its
 * kernels (§1.3, §6), its bias and activation, and the flaws of the loop the LSTM gallery has, for
 * this cell. Listed in ../index.ts (`simpleRnnMutants`).
 */
import type { NaiveRnnEngine } from "../naive-rnn.ts";
import { engine as kernelsSwapped } from "./kernels-swapped.ts";
import { engine as recurrentKernelTransposed } from "./recurrent-kernel-transposed.ts";
import { engine as kernelTransposed } from "./kernel-transposed.ts";
import { engine as kernelReshaped } from "./kernel-reshaped.ts";
import { engine as biasDropped } from "./bias-dropped.ts";
import { engine as biasTwice } from "./bias-twice.ts";
import { engine as activationTanh } from "./activation-tanh.ts";
import { engine as hardSigmoidTfKeras } from "./hard-sigmoid-tf-keras.ts";
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
export const simpleRnnGallery: readonly (readonly [string, string, NaiveRnnEngine, string])[] = [
  ["simple_rnn/kernels-swapped", "swaps kernel and recurrent_kernel (fails to run where their shapes differ)", kernelsSwapped, "kernels-swapped"],
  ["simple_rnn/recurrent-kernel-transposed", "uses the transpose of the recurrent kernel (PyTorch's weight_hh as it is)", recurrentKernelTransposed, "recurrent-kernel-blocks-transposed"],
  ["simple_rnn/kernel-transposed", "uses the transpose of the kernel (fails to run where input_dim ≠ units)", kernelTransposed, "kernel-blocks-transposed"],
  ["simple_rnn/kernel-reshaped", "reads the kernel as PyTorch's (u, in) layout: reshape instead of transpose", kernelReshaped, "reshaped-not-transposed:kernel"],
  ["simple_rnn/bias-dropped", "ignores the bias", biasDropped, "bias-dropped"],
  ["simple_rnn/bias-twice", "adds the bias twice (PyTorch's b_ih and b_hh both loaded with it)", biasTwice, "bias-twice"],
  ["simple_rnn/activation-tanh", "uses tanh as the activation whatever the config says", activationTanh, "activation:tanh"],
  ["simple_rnn/hard-sigmoid-tf-keras", "computes hard_sigmoid as 0.2x + 0.5 whatever the Keras version", hardSigmoidTfKeras, "hard-sigmoid:0.2x+0.5"],
  ["simple_rnn/mask-ignored", "ignores the mask", maskIgnored, "mask-ignored"],
  ["simple_rnn/mask-row-zero", "applies batch row 0's mask to every row", maskRowZero, "mask-row-0-broadcast"],
  ["simple_rnn/zero-output-inverted", "zeros masked outputs unless zero_output_for_mask is set, and carries them when it is", zeroOutputInverted, "zero-output-for-mask-inverted"],
  ["simple_rnn/initial-state-ignored", "ignores initial_state", initialStateIgnored, "initial-state-ignored"],
  ["simple_rnn/stateful-not-carried", "starts every call of a stateful layer from zeros", statefulNotCarried, "stateful-not-carried"],
  ["simple_rnn/skips-first-step", "starts its time loop at the second step (off by one)", skipsFirstStep, "time-loop-skips-first-step"],
  ["simple_rnn/backwards-re-reversed", "flips the go_backwards sequence output back to original time order", backwardsReReversed, "go-backwards-output-reversed"],
  ["simple_rnn/time-major", "reads the input and mask as time-major (T, B, …), writes the sequence time-major", timeMajor, "time-major"],
  ["simple_rnn/mask-state-advances", "lets h move on at masked steps, holding only the output", maskStateAdvances, "mask-state-advances"],
  ["simple_rnn/mask-as-lengths", "applies the mask as right padding of the same length per row", maskAsLengths, "mask-as-lengths"],
  ["simple_rnn/masking-with-initial-state", "applies a Masking layer's mask to the layer called with initial_state", maskingWithInitialState, "masking-mask-with-initial-state"],
  ["simple_rnn/jax-masked-prefix", "emits the initial h at masked steps before the first valid one (Keras's JAX backend)", jaxMaskedPrefix, "backend:jax"],
];
