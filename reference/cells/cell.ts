/**
 * What the layer's loop (reference/rnn.ts) needs of a cell: Keras's `RNN(cell)` split, one step here,
 * the time loop there (spec/lstm.md §2.3, spec/gru.md §2.5, spec/simple-rnn.md §2.2).
 */
import type { Activation } from "../activations.ts";

export interface Cell {
  readonly inputDim: number;
  readonly units: number;
  /** How many state tensors the cell carries, each (batch, units): 2 for the LSTM [h, c], 1 for GRU and SimpleRNN [h]. */
  readonly stateCount: number;
  /**
   * Advances every batch row by one step. `x` is the step's input, (batch, inputDim) starting at
   * `xOffset` with row stride `xStride`; `prev` the states in Keras's order. Returns new state arrays
   * (state 0 is h, which is also the step's output) and leaves `prev` untouched.
   */
  step(batch: number, x: Float64Array, xOffset: number, xStride: number, prev: readonly Float64Array[]): Float64Array[];
}

/** One step of a cell whose only state is h (GRU, SimpleRNN): the arguments of `Cell.step`, h for `prev`; returns the new h. */
export type OneStateStep = (batch: number, x: Float64Array, xOffset: number, xStride: number, hPrev: Float64Array) => Float64Array;

/** A cell whose state is [h] (spec/gru.md §1.1, spec/simple-rnn.md §1.1), made of its step. */
export function oneStateCell(dims: { readonly inputDim: number; readonly units: number }, step: OneStateStep): Cell {
  return { inputDim: dims.inputDim, units: dims.units, stateCount: 1, step: (batch, x, xOffset, xStride, [h]) => [step(batch, x, xOffset, xStride, h!)] };
}

/** The two activations of a gated cell (LSTM, GRU). */
export interface GateActivations {
  /** `activation`: the candidate (and, in the LSTM, the output squashing act(c_t)). */
  readonly act: Activation;
  /** `recurrent_activation`: the gates. */
  readonly recAct: Activation;
}
