/**
 * Backpropagation through time for a layer of any cell (spec/gradients.md §3): the reverse of
 * reference/rnn.ts's loop. The forward is rnn.ts itself, run with a recording cell, so masking,
 * go_backwards and the emitted output follow the forward's rules exactly; this file takes each rule
 * back:
 *  - a valid step: the gradient w.r.t. the step's output and new states goes through the cell's backward;
 *  - a masked step (spec/lstm.md §3.5.2) keeps the states, so their gradient passes to the step
 *    before unchanged and nothing reaches the weights or x_t; its output repeats the previous emitted
 *    output, so that gradient is carried back too — or dropped with zero_output_for_mask (§3.5.4);
 *  - before the first valid step the emitted output is zeros (TensorFlow's rule, §3.5.3): the gradient
 *    carried back past step 0 is dropped, it never reaches the initial state;
 *  - go_backwards: processing step k reads x[T-1-k] and writes output k (§3.3), so ∂L/∂x is written at
 *    the original time.
 */
import type { LayerOptions, RnnInput, RnnResult } from "../rnn.ts";
import { rnnLayer } from "../rnn.ts";
import type { GradientCell, StepRecord, WeightGradients } from "./cell.ts";

/** The cotangents of what a layer returned (spec/gradients.md §2.1). */
export interface LayerCotangents {
  /** Of `output`: (batch, timesteps, units) in processing order with return_sequences, else (batch, units). */
  readonly output: Float64Array;
  /** Of the final states, in the cell's order, each (batch, units); a missing one is zero. */
  readonly states?: readonly (Float64Array | undefined)[];
}

/** A layer's forward run, kept for its backward. */
export interface RecordedLayer {
  readonly forward: RnnResult;
  readonly tape: readonly StepRecord[];
}

export interface LayerGradients {
  readonly weights: WeightGradients;
  /** ∂L/∂x, (batch, timesteps, inputDim), original time order. */
  readonly x: Float64Array;
  /** ∂L/∂ of the states the layer started from (given, carried or zeros), in the cell's order, each (batch, units). */
  readonly initialState: readonly Float64Array[];
}

/** Runs the layer forward (reference/rnn.ts) and records every step for `backwardLayer`. */
export function recordLayer(cell: GradientCell, o: LayerOptions, input: RnnInput): RecordedLayer {
  const tape: StepRecord[] = [];
  const forward = rnnLayer(cell.recording(tape), o, input);
  return { forward, tape };
}

/** The gradients of Σ⟨cotangent, returned⟩ for a recorded layer run. */
export function backwardLayer(cell: GradientCell, o: LayerOptions, input: RnnInput, run: RecordedLayer, cot: LayerCotangents): LayerGradients {
  const { batch: B, timesteps: T } = input;
  const U = run.forward.states[0]!.length / Math.max(B, 1);
  const D = B * T > 0 ? input.x.length / (B * T) : 0;
  const S = run.forward.states.length;
  const acc = cell.zeroGradients();
  const dx = new Float64Array(B * T * D);
  const initialState = Array.from({ length: S }, () => new Float64Array(B * U));
  let dS = Array.from({ length: S }, () => new Float64Array(U));
  let dPrev = Array.from({ length: S }, () => new Float64Array(U));
  const dEmit = new Float64Array(U);
  const dNext = Array.from({ length: S }, () => new Float64Array(U));
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const given = cot.states?.[s];
      if (given) dS[s]!.set(given.subarray(b * U, (b + 1) * U));
      else dS[s]!.fill(0);
    }
    if (o.returnSequences) dEmit.fill(0);
    else dEmit.set(cot.output.subarray(b * U, (b + 1) * U));
    for (let k = T - 1; k >= 0; k--) {
      const t = o.goBackwards ? T - 1 - k : k;
      if (o.returnSequences) for (let j = 0; j < U; j++) dEmit[j]! += cot.output[(b * T + k) * U + j]!;
      const valid = input.mask === undefined || input.mask[b * T + t] !== 0;
      if (valid) {
        // output k is this step's h (state 0): its gradient joins the gradient of the new h
        for (let s = 0; s < S; s++) dNext[s]!.set(dS[s]!);
        for (let j = 0; j < U; j++) dNext[0]![j]! += dEmit[j]!;
        cell.backward(run.tape[k]!, b, dNext, acc, dx.subarray((b * T + t) * D, (b * T + t + 1) * D), dPrev);
        [dS, dPrev] = [dPrev, dS];
        dEmit.fill(0);
      } else if (o.zeroOutputForMask) {
        dEmit.fill(0); // §3.5.4: the masked step emitted a constant 0
      } // else: states kept (dS passes unchanged), output repeated (dEmit carried to the step before)
    }
    // dEmit left over belongs to the zeros emitted before the first valid step: a constant (§3.5.3).
    for (let s = 0; s < S; s++) initialState[s]!.set(dS[s]!, b * U);
  }
  return { weights: acc, x: dx, initialState };
}
