/**
 * The recurrent layer over a sequence, for any cell — Keras's `RNN` base layer (spec/lstm.md §2.3,
 * §3; spec/gru.md §2.5, §3; spec/simple-rnn.md §2.2, §3): direction, masking, initial state, what is
 * returned. The step is the cell's (reference/cells/). `lstmLayer` is this loop with the LSTM cell,
 * in the LSTM's own types (the contract the fast LSTM, reference/fast.ts, is proved equal to).
 */
import type { Cell, GateActivations } from "./cells/cell.ts";
import { lstmCell, type LstmParams, type LstmState } from "./cells/lstm.ts";

export interface LayerOptions {
  /** spec/lstm.md §3.1 (return_sequences): every step's output, or only the last. */
  readonly returnSequences: boolean;
  /** spec/lstm.md §3.3 (go_backwards): process x[T-1] … x[0]; outputs stay in processing order. */
  readonly goBackwards: boolean;
  /** spec/lstm.md §3.5.4 (zero_output_for_mask): a masked step emits zeros instead of the previous output. */
  readonly zeroOutputForMask: boolean;
}

export interface RnnInput {
  readonly batch: number;
  readonly timesteps: number;
  /** (batch, timesteps, inputDim), row-major. */
  readonly x: Float64Array;
  /** (batch, timesteps), 1 = valid, indexed by original time (not processing order). */
  readonly mask?: Uint8Array;
  /** The initial states in the cell's order, each (batch, units); zeros when absent (spec/lstm.md §3.4). */
  readonly initialState?: readonly Float64Array[];
}

export interface RnnResult {
  /** (batch, units), or (batch, timesteps, units) in processing order with return_sequences. */
  readonly output: Float64Array;
  readonly outputShape: readonly number[];
  /** The final states, in the cell's order (what return_state returns after the output). */
  readonly states: readonly Float64Array[];
  /** Per state, its value after every step, (batch, timesteps, units), in processing order. */
  readonly steps: readonly Float64Array[];
}

/** Runs a layer of `cell` over a sequence. */
export function rnnLayer(cell: Cell, o: LayerOptions, input: RnnInput): RnnResult {
  const { batch: B, timesteps: T } = input;
  const U = cell.units;
  const D = cell.inputDim;
  let states: readonly Float64Array[] = input.initialState ?? Array.from({ length: cell.stateCount }, () => new Float64Array(B * U));
  // The output emitted at a masked step is the previous *emitted* output, zeros before the first
  // valid step — the TensorFlow backend's rule, canonical for the fixtures (spec/lstm.md §3.5.2, §3.5.3).
  let emitted = new Float64Array(B * U);
  const sequence = new Float64Array(B * T * U);
  const steps = states.map(() => new Float64Array(B * T * U));

  for (let k = 0; k < T; k++) {
    const t = o.goBackwards ? T - 1 - k : k;
    const next = cell.step(B, input.x, t * D, T * D, states);
    const kept = next.map((s) => new Float64Array(s));
    const out = new Float64Array(next[0]!); // every cell's output is its h (state 0)
    if (input.mask) {
      for (let b = 0; b < B; b++) {
        if (input.mask[b * T + t]) continue;
        // spec/lstm.md §3.5.2: a masked step keeps every state and repeats (or zeros, §3.5.4) the output.
        for (let j = b * U; j < (b + 1) * U; j++) {
          for (let s = 0; s < kept.length; s++) kept[s]![j] = states[s]![j]!;
          out[j] = o.zeroOutputForMask ? 0 : emitted[j]!;
        }
      }
    }
    states = kept;
    emitted = out;
    for (let b = 0; b < B; b++) {
      const at = (b * T + k) * U;
      sequence.set(out.subarray(b * U, (b + 1) * U), at);
      for (let s = 0; s < kept.length; s++) steps[s]!.set(kept[s]!.subarray(b * U, (b + 1) * U), at);
    }
  }
  return {
    output: o.returnSequences ? sequence : emitted,
    outputShape: o.returnSequences ? [B, T, U] : [B, U],
    states,
    steps,
  };
}

/** The input of an LSTM layer: `RnnInput` with the LSTM's state [h, c] by name. */
export interface SequenceInput {
  readonly batch: number;
  readonly timesteps: number;
  /** (batch, timesteps, inputDim), row-major. */
  readonly x: Float64Array;
  /** (batch, timesteps), 1 = valid, indexed by original time (not processing order). */
  readonly mask?: Uint8Array;
  /** Initial h and c, each (batch, units); zeros when absent (spec/lstm.md §3.4). */
  readonly initialState?: LstmState;
}

/** What an LSTM layer returns, with its state [h, c] by name. */
export interface LayerResult {
  /** (batch, units), or (batch, timesteps, units) in processing order with return_sequences. */
  readonly output: Float64Array;
  readonly outputShape: readonly number[];
  /** The final state (what return_state returns after the output). */
  readonly state: LstmState;
  /** The state after every step, (batch, timesteps, units), in processing order. */
  readonly steps: LstmState;
}

/** Runs an LSTM layer over a sequence: `rnnLayer` with the LSTM cell (spec/lstm.md §2.3). */
export function lstmLayer(p: LstmParams, f: GateActivations, o: LayerOptions, input: SequenceInput): LayerResult {
  const { initialState, ...rest } = input;
  const r = rnnLayer(lstmCell(p, f), o, { ...rest, ...(initialState ? { initialState: [initialState.h, initialState.c] } : {}) });
  return { output: r.output, outputShape: r.outputShape, state: { h: r.states[0]!, c: r.states[1]! }, steps: { h: r.steps[0]!, c: r.steps[1]! } };
}
