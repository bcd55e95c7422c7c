/**
 * The LSTM layer over a sequence (spec/lstm.md §3): direction, masking, initial state and what is
 * returned. The step itself is `lstmCellStep` (§2).
 */
import { lstmCellStep, type GateActivations, type LstmParams, type LstmState } from "./cell.ts";

export interface LayerOptions {
  /** spec/lstm.md §3 (return_sequences): every step's output, or only the last. */
  readonly returnSequences: boolean;
  /** spec/lstm.md §3 (go_backwards): process x[T-1] … x[0]; outputs stay in processing order. */
  readonly goBackwards: boolean;
  /** spec/lstm.md §3 (masking): a masked step emits zeros instead of the previous output. */
  readonly zeroOutputForMask: boolean;
}

export interface SequenceInput {
  readonly batch: number;
  readonly timesteps: number;
  /** (batch, timesteps, inputDim), row-major. */
  readonly x: Float64Array;
  /** (batch, timesteps), 1 = valid, indexed by original time (not processing order). */
  readonly mask?: Uint8Array;
  /** Initial h and c, each (batch, units); zeros when absent (spec/lstm.md §3, initial_state). */
  readonly initialState?: LstmState;
}

export interface LayerResult {
  /** (batch, units), or (batch, timesteps, units) in processing order with return_sequences. */
  readonly output: Float64Array;
  readonly outputShape: readonly number[];
  /** The final state (what return_state returns after the output). */
  readonly state: LstmState;
  /** The state after every step, (batch, timesteps, units), in processing order. */
  readonly steps: LstmState;
}

/** Runs the layer over a sequence. */
export function lstmLayer(p: LstmParams, f: GateActivations, o: LayerOptions, input: SequenceInput): LayerResult {
  const { batch: B, timesteps: T } = input;
  const U = p.units;
  const D = p.inputDim;
  let state: LstmState = input.initialState ?? { h: new Float64Array(B * U), c: new Float64Array(B * U) };
  // The output emitted at a masked step is the previous *emitted* output, zeros before the first
  // valid step — the TensorFlow backend's rule, canonical for the fixtures (spec/lstm.md §3, masking).
  let emitted = new Float64Array(B * U);
  const sequence = new Float64Array(B * T * U);
  const stepsH = new Float64Array(B * T * U);
  const stepsC = new Float64Array(B * T * U);

  for (let k = 0; k < T; k++) {
    const t = o.goBackwards ? T - 1 - k : k;
    const next = lstmCellStep(p, f, B, input.x, t * D, T * D, state);
    const kept = { h: new Float64Array(next.h), c: new Float64Array(next.c) };
    const out = new Float64Array(next.h);
    if (input.mask) {
      for (let b = 0; b < B; b++) {
        if (input.mask[b * T + t]) continue;
        // A masked step keeps the state and repeats (or zeros) the output.
        for (let j = b * U; j < (b + 1) * U; j++) {
          kept.h[j] = state.h[j]!;
          kept.c[j] = state.c[j]!;
          out[j] = o.zeroOutputForMask ? 0 : emitted[j]!;
        }
      }
    }
    state = kept;
    emitted = out;
    for (let b = 0; b < B; b++) {
      const at = (b * T + k) * U;
      sequence.set(out.subarray(b * U, (b + 1) * U), at);
      stepsH.set(kept.h.subarray(b * U, (b + 1) * U), at);
      stepsC.set(kept.c.subarray(b * U, (b + 1) * U), at);
    }
  }
  return {
    output: o.returnSequences ? sequence : emitted,
    outputShape: o.returnSequences ? [B, T, U] : [B, U],
    state,
    steps: { h: stepsH, c: stepsC },
  };
}
