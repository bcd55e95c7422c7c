/**
 * The mutant gallery: deliberately broken engines, one flaw each, with the diagnosis the suite must
 * name for each (a hypothesis id of conformance/hypotheses/). Harness mutants (NaN, throwing, wrong
 * shape) test the runner's verdicts, not the diagnosis; they expect none.
 */
import type { Engine } from "../engine.ts";
import { engine as gateOrderIofc } from "./gate-order-iofc.ts";
import { engine as gateOrderIcfo } from "./gate-order-icfo.ts";
import { engine as gateOrderIfoc } from "./gate-order-ifoc.ts";
import { engine as forgetReadsInputBlock } from "./forget-reads-input-block.ts";
import { engine as recurrentKernelTransposed } from "./recurrent-kernel-transposed.ts";
import { engine as kernelReshaped } from "./kernel-reshaped.ts";
import { engine as biasTwice } from "./bias-twice.ts";
import { engine as biasDropped } from "./bias-dropped.ts";
import { engine as forgetBiasPlusOne } from "./forget-bias-plus-one.ts";
import { engine as hardSigmoidTfKeras } from "./hard-sigmoid-tf-keras.ts";
import { engine as sigmoidAlways } from "./sigmoid-always.ts";
import { engine as stateSwapped } from "./state-swapped.ts";
import { engine as backwardsReReversed } from "./backwards-re-reversed.ts";
import { engine as maskIgnored } from "./mask-ignored.ts";
import { engine as zeroOutputInverted } from "./zero-output-inverted.ts";
import { engine as initialStateIgnored } from "./initial-state-ignored.ts";
import { engine as initialStateSwapped } from "./initial-state-swapped.ts";
import { engine as statefulNotCarried } from "./stateful-not-carried.ts";
import { engine as skipsFirstStep } from "./skips-first-step.ts";
import { engine as maskRowZero } from "./mask-row-zero.ts";
import { engine as harnessNan } from "./harness/nan.ts";
import { engine as harnessThrows } from "./harness/throws.ts";
import { engine as harnessWrongShape } from "./harness/wrong-shape.ts";

export interface MutantEntry {
  /** `--engine mutant:<name>` selects it; the module is `conformance/mutants/<name>.ts`. */
  readonly name: string;
  /** The one flaw, in words. */
  readonly flaw: string;
  readonly engine: Engine;
  /** The hypothesis id the diagnosis must name on cases where the flaw is observable; null for harness mutants. */
  readonly expectedHypothesis: string | null;
}

/** Mutants with one flaw of the math or of an option. */
export const mathMutants: readonly MutantEntry[] = [
  { name: "gate-order-iofc", flaw: "reads the gate blocks in ONNX order i,o,f,c", engine: gateOrderIofc, expectedHypothesis: "gate-order:iofc" },
  { name: "gate-order-icfo", flaw: "reads the gate blocks in TF1 LSTMCell order i,c,f,o (i,j,f,o)", engine: gateOrderIcfo, expectedHypothesis: "gate-order:icfo" },
  { name: "gate-order-ifoc", flaw: "reads the gate blocks in MIOpen order i,f,o,c", engine: gateOrderIfoc, expectedHypothesis: "gate-order:ifoc" },
  { name: "forget-reads-input-block", flaw: "computes the forget gate from the input gate's block", engine: forgetReadsInputBlock, expectedHypothesis: "gate-block:f<-i" },
  { name: "recurrent-kernel-transposed", flaw: "transposes each gate block of the recurrent kernel", engine: recurrentKernelTransposed, expectedHypothesis: "recurrent-kernel-blocks-transposed" },
  { name: "kernel-reshaped", flaw: "reads the kernel as PyTorch's (4u, in) layout: reshape instead of transpose", engine: kernelReshaped, expectedHypothesis: "reshaped-not-transposed:kernel" },
  { name: "bias-twice", flaw: "adds the bias twice", engine: biasTwice, expectedHypothesis: "bias-twice" },
  { name: "bias-dropped", flaw: "ignores the bias", engine: biasDropped, expectedHypothesis: "bias-dropped" },
  { name: "forget-bias-plus-one", flaw: "adds TF1's forget_bias 1.0 to the forget gate at run time", engine: forgetBiasPlusOne, expectedHypothesis: "forget-bias-plus-one" },
  { name: "hard-sigmoid-tf-keras", flaw: "computes hard_sigmoid as 0.2x + 0.5 whatever the Keras version", engine: hardSigmoidTfKeras, expectedHypothesis: "hard-sigmoid:0.2x+0.5" },
  { name: "sigmoid-always", flaw: "uses sigmoid as the recurrent activation whatever the config says", engine: sigmoidAlways, expectedHypothesis: "recurrent-activation:sigmoid" },
  { name: "state-swapped", flaw: "returns [output, c, h]", engine: stateSwapped, expectedHypothesis: "returned-state-swapped" },
  { name: "backwards-re-reversed", flaw: "flips the go_backwards sequence output back to original time order", engine: backwardsReReversed, expectedHypothesis: "go-backwards-output-reversed" },
  { name: "mask-ignored", flaw: "ignores the mask", engine: maskIgnored, expectedHypothesis: "mask-ignored" },
  { name: "mask-row-zero", flaw: "applies batch row 0's mask to every row", engine: maskRowZero, expectedHypothesis: "mask-row-0-broadcast" },
  { name: "zero-output-inverted", flaw: "zeros masked outputs unless zero_output_for_mask is set, and carries them when it is", engine: zeroOutputInverted, expectedHypothesis: "zero-output-for-mask-inverted" },
  { name: "initial-state-ignored", flaw: "ignores initial_state", engine: initialStateIgnored, expectedHypothesis: "initial-state-ignored" },
  { name: "initial-state-swapped", flaw: "reads initial_state as [c0, h0]", engine: initialStateSwapped, expectedHypothesis: "initial-state-swapped" },
  { name: "stateful-not-carried", flaw: "starts every call of a stateful layer from zeros", engine: statefulNotCarried, expectedHypothesis: "stateful-not-carried" },
  { name: "skips-first-step", flaw: "starts its time loop at the second step (off by one)", engine: skipsFirstStep, expectedHypothesis: "time-loop-skips-first-step" },
];

/** Mutants that break the harness contract rather than the math. */
export const harnessMutants: readonly MutantEntry[] = [
  { name: "harness/nan", flaw: "claims every feature and returns NaN", engine: harnessNan, expectedHypothesis: null },
  { name: "harness/throws", flaw: "throws on every case", engine: harnessThrows, expectedHypothesis: null },
  { name: "harness/wrong-shape", flaw: "returns the output without its last unit", engine: harnessWrongShape, expectedHypothesis: null },
];

export const mutants: readonly MutantEntry[] = [...mathMutants, ...harnessMutants];

/** The mutant named `name` (as in `--engine mutant:<name>`), or undefined. */
export const mutantByName = (name: string): MutantEntry | undefined => mutants.find((m) => m.name === name);
