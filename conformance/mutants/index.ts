/**
 * The mutant gallery: deliberately broken engines, one flaw each, with the diagnosis the suite must
 * name for each (a hypothesis id of conformance/hypotheses/). Harness mutants (NaN, throwing, wrong
 * shape) test the runner's verdicts, not the diagnosis; they expect none. Two math mutants combine
 * into a pair mutant, `a+b` (e.g. `--engine mutant:gate-order-iofc+bias-dropped`), whose expected
 * diagnosis is the pair of theirs (spec/adapter.md §4.2).
 *
 * Each math mutant computes one cell (`cell`): the LSTM mutants are the naive LSTM's (naive-lstm.ts),
 * the GRU's and the SimpleRNN's (`gru/…`, `simple_rnn/…`, e.g. `--engine mutant:gru/gate-order-rzh`)
 * the naive GRU's and SimpleRNN's (naive-rnn.ts). A pair mutant combines two mutants of one cell.
 */
import { pairId } from "../diagnose.ts";
import { compatiblePair } from "../hypotheses/pairs.ts";
import type { Engine } from "../engine.ts";
import { hypothesisById } from "../hypotheses/index.ts";
import type { CellKind } from "../cells.ts";
import { naiveLstmEngine, type NaiveEngine, type NaiveLstmFlaws } from "./naive-lstm.ts";
import { naiveRnnEngine, type NaiveRnnEngine, type NaiveRnnFlaws } from "./naive-rnn.ts";
import { gruGallery } from "./gru/gallery.ts";
import { simpleRnnGallery } from "./simple_rnn/gallery.ts";
import { bidirectionalGallery } from "./bidirectional/gallery.ts";
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
import { engine as gateOrderIcof } from "./gate-order-icof.ts";
import { engine as gatesInterleaved } from "./gates-interleaved.ts";
import { engine as kernelBlocksReshaped } from "./kernel-blocks-reshaped.ts";
import { engine as biasHalved } from "./bias-halved.ts";
import { engine as forgetBiasMinusOne } from "./forget-bias-minus-one.ts";
import { engine as timeMajor } from "./time-major.ts";
import { engine as maskStateAdvances } from "./mask-state-advances.ts";
import { engine as maskAsLengths } from "./mask-as-lengths.ts";
import { engine as maskingWithInitialState } from "./masking-with-initial-state.ts";
import { engine as jaxMaskedPrefix } from "./jax-masked-prefix.ts";
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
  /** The naive engine's flaws, for math mutants: what a pair mutant combines. */
  readonly flaws?: NaiveLstmFlaws | NaiveRnnFlaws;
  /** The cell a math mutant computes (conformance/cells.ts): the cases it is judged on are that cell's. */
  readonly cell?: CellKind;
}

/** A math mutant's entry: its flaws are the naive engine's. */
const math = (name: string, flaw: string, engine: NaiveEngine, expectedHypothesis: string): MutantEntry => ({ name, flaw, engine, expectedHypothesis, flaws: engine.flaws, cell: "lstm" });

/** A GRU or SimpleRNN mutant's entry. */
const cellMath = ([name, flaw, engine, expectedHypothesis]: readonly [string, string, NaiveRnnEngine, string]): MutantEntry => ({
  name,
  flaw,
  engine,
  expectedHypothesis,
  flaws: engine.flaws,
  cell: engine.cell,
});

/** LSTM mutants with one flaw of the math or of an option. */
export const mathMutants: readonly MutantEntry[] = [
  math("gate-order-iofc", "reads the gate blocks in ONNX order i,o,f,c", gateOrderIofc, "gate-order:iofc"),
  math("gate-order-icfo", "reads the gate blocks in TF1 LSTMCell order i,c,f,o (i,j,f,o)", gateOrderIcfo, "gate-order:icfo"),
  math("gate-order-ifoc", "reads the gate blocks in MIOpen order i,f,o,c", gateOrderIfoc, "gate-order:ifoc"),
  math("forget-reads-input-block", "computes the forget gate from the input gate's block", forgetReadsInputBlock, "gate-block:f<-i"),
  math("recurrent-kernel-transposed", "transposes each gate block of the recurrent kernel", recurrentKernelTransposed, "recurrent-kernel-blocks-transposed"),
  math("kernel-reshaped", "reads the kernel as PyTorch's (4u, in) layout: reshape instead of transpose", kernelReshaped, "reshaped-not-transposed:kernel"),
  math("bias-twice", "adds the bias twice", biasTwice, "bias-twice"),
  math("bias-dropped", "ignores the bias", biasDropped, "bias-dropped"),
  math("forget-bias-plus-one", "adds TF1's forget_bias 1.0 to the forget gate at run time", forgetBiasPlusOne, "forget-bias-plus-one"),
  math("hard-sigmoid-tf-keras", "computes hard_sigmoid as 0.2x + 0.5 whatever the Keras version", hardSigmoidTfKeras, "hard-sigmoid:0.2x+0.5"),
  math("sigmoid-always", "uses sigmoid as the recurrent activation whatever the config says", sigmoidAlways, "recurrent-activation:sigmoid"),
  math("state-swapped", "returns [output, c, h]", stateSwapped, "returned-state-swapped"),
  math("backwards-re-reversed", "flips the go_backwards sequence output back to original time order", backwardsReReversed, "go-backwards-output-reversed"),
  math("mask-ignored", "ignores the mask", maskIgnored, "mask-ignored"),
  math("mask-row-zero", "applies batch row 0's mask to every row", maskRowZero, "mask-row-0-broadcast"),
  math("zero-output-inverted", "zeros masked outputs unless zero_output_for_mask is set, and carries them when it is", zeroOutputInverted, "zero-output-for-mask-inverted"),
  math("initial-state-ignored", "ignores initial_state", initialStateIgnored, "initial-state-ignored"),
  math("initial-state-swapped", "reads initial_state as [c0, h0]", initialStateSwapped, "initial-state-swapped"),
  math("stateful-not-carried", "starts every call of a stateful layer from zeros", statefulNotCarried, "stateful-not-carried"),
  math("skips-first-step", "starts its time loop at the second step (off by one)", skipsFirstStep, "time-loop-skips-first-step"),
  math("gate-order-icof", "applies the Keras→ONNX gate reorder in the wrong direction: reads i,c,o,f", gateOrderIcof, "gate-order:icof"),
  math("gates-interleaved", "reads the gate columns per unit, interleaved (i0 f0 c0 o0 i1 …), not in blocks", gatesInterleaved, "gate-columns-interleaved"),
  math("kernel-blocks-reshaped", "reshapes each gate block of the kernel to (units × input_dim) instead of transposing it", kernelBlocksReshaped, "kernel-blocks-reshaped"),
  math("bias-halved", "uses half the bias", biasHalved, "bias-halved"),
  math("forget-bias-minus-one", "subtracts 1.0 from the forget gate's pre-activation at run time", forgetBiasMinusOne, "forget-bias-minus-one"),
  math("time-major", "reads the input and mask as time-major (T, B, …), writes the sequence time-major", timeMajor, "time-major"),
  math("mask-state-advances", "lets h and c move on at masked steps, holding only the output", maskStateAdvances, "mask-state-advances"),
  math("mask-as-lengths", "applies the mask as right padding of the same length per row", maskAsLengths, "mask-as-lengths"),
  math("masking-with-initial-state", "applies a Masking layer's mask to the layer called with initial_state", maskingWithInitialState, "masking-mask-with-initial-state"),
  math("jax-masked-prefix", "emits the initial h at masked steps before the first valid one (Keras's JAX backend)", jaxMaskedPrefix, "backend:jax"),
];

/** GRU mutants: its own mistakes (reset convention, bias rows, update), the shared ones (spec/gru.md). */
export const gruMutants: readonly MutantEntry[] = gruGallery.map(cellMath);

/** SimpleRNN mutants (spec/simple-rnn.md). */
export const simpleRnnMutants: readonly MutantEntry[] = simpleRnnGallery.map(cellMath);

/**
 * Bidirectional mutants (spec/bidirectional.md): a mistake of the wrapper around layers of any cell
 * (`bidirectional/…`, e.g. `--engine mutant:bidirectional/concat-backward-first`). They have no
 * `cell` and no `flaws` to combine, so they make no pair mutant: each is judged on the Bidirectional cases.
 */
export const bidirectionalMutants: readonly MutantEntry[] = bidirectionalGallery.map(([name, flaw, engine, expectedHypothesis]) => ({ name, flaw, engine, expectedHypothesis }));

/** The math mutants of each cell. */
export const mutantsOfCell: Readonly<Record<CellKind, readonly MutantEntry[]>> = { lstm: mathMutants, gru: gruMutants, simple_rnn: simpleRnnMutants };

/** Every math mutant, LSTM first. */
export const allMathMutants: readonly MutantEntry[] = [...mathMutants, ...gruMutants, ...simpleRnnMutants];

/** Mutants that break the harness contract rather than the math. */
export const harnessMutants: readonly MutantEntry[] = [
  { name: "harness/nan", flaw: "claims every feature and returns NaN", engine: harnessNan, expectedHypothesis: null },
  { name: "harness/throws", flaw: "throws on every case", engine: harnessThrows, expectedHypothesis: null },
  { name: "harness/wrong-shape", flaw: "returns the output without its last unit", engine: harnessWrongShape, expectedHypothesis: null },
];

export const mutants: readonly MutantEntry[] = [...allMathMutants, ...bidirectionalMutants, ...harnessMutants];

/**
 * The pair mutant with both flaws of `a` and `b`, or null when they cannot be combined: not both math
 * mutants of one cell, a flaw in common, or expected diagnoses that do not make a pair (diagnose.ts
 * `compatiblePair`: two gate orders are one wrong block map, not two mistakes).
 */
export function composeMutants(a: MutantEntry, b: MutantEntry): MutantEntry | null {
  if (!a.flaws || !b.flaws || a.expectedHypothesis === null || b.expectedHypothesis === null) return null;
  if (a.cell === undefined || a.cell !== b.cell) return null;
  if (Object.keys(a.flaws).some((k) => k in b.flaws!)) return null;
  const ha = hypothesisById(a.expectedHypothesis);
  const hb = hypothesisById(b.expectedHypothesis);
  if (!ha || !hb || !compatiblePair(ha, hb)) return null;
  const name = `${a.name}+${b.name}`;
  const flaws = { ...a.flaws, ...b.flaws };
  const cell = a.cell;
  const engine = cell === "lstm" ? naiveLstmEngine({ name: `mutant:${name}`, flaws }) : naiveRnnEngine({ name: `mutant:${name}`, cell, flaws });
  return { name, flaw: `${a.flaw}, and ${b.flaw}`, engine, expectedHypothesis: pairId(ha, hb), flaws, cell };
}

/** The mutant named `name` (as in `--engine mutant:<name>`; `a+b` for a pair mutant), or undefined. */
export function mutantByName(name: string): MutantEntry | undefined {
  const single = mutants.find((m) => m.name === name);
  if (single) return single;
  const parts = name.split("+");
  if (parts.length !== 2) return undefined;
  const [a, b] = parts.map((p) => allMathMutants.find((m) => m.name === p));
  return a && b ? (composeMutants(a, b) ?? undefined) : undefined;
}
