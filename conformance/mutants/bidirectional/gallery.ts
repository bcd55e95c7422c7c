/**
 * The Bidirectional mutants (spec/bidirectional.md; the mistakes are conformance/hypotheses/bidirectional.ts):
 * one flaw each of what the wrapper does around its two layers, on the naive Bidirectional
 * (naive-bidirectional.ts), with the hypothesis the diagnosis must name where the flaw is
 * observable. Listed in ../index.ts (`bidirectionalMutants`).
 */
import type { NaiveBidirectionalEngine } from "./naive-bidirectional.ts";
import { engine as backwardNotFlipped } from "./backward-not-flipped.ts";
import { engine as lastOutputUnitsReversed } from "./last-output-units-reversed.ts";
import { engine as concatBackwardFirst } from "./concat-backward-first.ts";
import { engine as weightsSwapped } from "./weights-swapped.ts";
import { engine as aveAsSum } from "./ave-as-sum.ts";
import { engine as sumAsAve } from "./sum-as-ave.ts";
import { engine as statesInterleaved } from "./states-interleaved.ts";
import { engine as statesBackwardFirst } from "./states-backward-first.ts";
import { engine as initialStateHalvesSwapped } from "./initial-state-halves-swapped.ts";
import { engine as zeroOutputNotForced } from "./zero-output-not-forced.ts";
import { engine as goBackwardsForced } from "./go-backwards-forced.ts";
import { engine as directionsFixed } from "./directions-fixed.ts";
import { engine as backwardDoubleReversed } from "./backward-double-reversed.ts";

/** [name (as in `--engine mutant:<name>`), the flaw in words, the engine, the expected hypothesis]. */
export const bidirectionalGallery: readonly (readonly [string, string, NaiveBidirectionalEngine, string])[] = [
  ["bidirectional/backward-not-flipped", "merges the backward sequence in processing order, not flipped back along time", backwardNotFlipped, "bidirectional:backward-not-flipped"],
  ["bidirectional/last-output-units-reversed", "applies flip(y_rev, axis=1) without return_sequences too, reversing the backward last output's units", lastOutputUnitsReversed, "bidirectional:last-output-units-reversed"],
  ["bidirectional/concat-backward-first", "concatenates [backward, forward]", concatBackwardFirst, "bidirectional:concat-backward-first"],
  ["bidirectional/weights-swapped", "runs the forward layer with the backward layer's weights and the other way round", weightsSwapped, "bidirectional:weights-swapped"],
  ["bidirectional/ave-as-sum", 'computes merge_mode "ave" as "sum"', aveAsSum, "bidirectional:ave-as-sum"],
  ["bidirectional/sum-as-ave", 'computes merge_mode "sum" as "ave"', sumAsAve, "bidirectional:sum-as-ave"],
  ["bidirectional/states-interleaved", "returns the states as [fwd_h, bwd_h, fwd_c, bwd_c]", statesInterleaved, "bidirectional:states-interleaved"],
  ["bidirectional/states-backward-first", "returns the backward layer's states before the forward layer's", statesBackwardFirst, "bidirectional:states-backward-first"],
  ["bidirectional/initial-state-halves-swapped", "gives initial_state's first half to the backward layer", initialStateHalvesSwapped, "bidirectional:initial-state-halves-swapped"],
  ["bidirectional/zero-output-not-forced", "runs both layers with zero_output_for_mask false, not forced to return_sequences", zeroOutputNotForced, "bidirectional:zero-output-not-forced"],
  ["bidirectional/go-backwards-forced", "forces the backward layer's go_backwards to true (Keras 3's rule) on tf-keras's toggled layers", goBackwardsForced, "bidirectional:go-backwards-forced"],
  ["bidirectional/directions-fixed", "runs the forward layer forwards and the backward one backwards whatever go_backwards says (PyTorch, ONNX)", directionsFixed, "bidirectional:directions-fixed"],
  ["bidirectional/backward-double-reversed", "feeds the backward layer the reversed input and runs it with go_backwards too", backwardDoubleReversed, "bidirectional:backward-double-reversed"],
];
