/**
 * The FLOP count of one forward pass of each recurrent cell, written down once so that every
 * GFLOP/s figure in the benchmark means the same thing (spec/lstm.md §2, spec/gru.md §2,
 * spec/simple-rnn.md §2 for the equations being counted). Every count is what the cell's step
 * (reference/cells/<cell>.ts) computes per time step and batch row, input width D and U units, with
 * the bias (use_bias, Keras's default) and the bench's Keras-default activations:
 *
 * - a (1 × K)·(K × N) product counts K·N multiply-adds = 2·K·N FLOPs;
 * - each elementwise +, −, ×, ÷ counts 1, and so does each activation (σ, tanh);
 * - each bias add counts 1 per element.
 *
 * LSTM (spec/lstm.md §2.1, cells/lstm.ts): z = x_t·W + h_{t−1}·U + b — (D + U)·4U multiply-adds,
 * 2·(D + U)·4U FLOPs, plus 4U for the bias; then 4U activations (i, f, g, o), c_t = f⊙c + i⊙g (3U),
 * act(c_t) (U), h_t = o⊙act(c_t) (U): 9U. Total B·T·(8U·(D + U) + 13U).
 *
 * GRU, reset_after = true (spec/gru.md §2.1, cells/gru.ts): xw = x_t·W + b[0] (2·D·3U + 3U),
 * hu = h_{t−1}·U + b[1] (2·U·3U + 3U); per unit z = σ(xw_z + hu_z) (2), r = σ(xw_r + hu_r) (2),
 * h̃ = act(xw_h + r⊙hu_h) (3), h_t = z⊙h + (1 − z)⊙h̃ (4): 11U. Total B·T·(6U·(D + U) + 17U).
 *
 * GRU, reset_after = false (spec/gru.md §2.2): xw = x_t·W + b (2·D·3U + 3U), hu = h_{t−1}·U[:, 0:2U]
 * (2·U·2U), r⊙h_{t−1} after r = σ(xw_r + hu_r) (3U), (r⊙h_{t−1})·U_h (2·U·U); z (2U), h̃ =
 * act(xw_h + …) (2U), h_t (4U): 11U elementwise. Total B·T·(6U·(D + U) + 14U) — the same products as
 * reset_after = true (the candidate's recurrent product is taken after the reset instead of before),
 * one bias row fewer.
 *
 * SimpleRNN (spec/simple-rnn.md §2.1, cells/simple-rnn.ts): x_t·W + b (2·D·U + U), h_{t−1}·U (2·U·U),
 * act(… + …) (2U). Total B·T·(2U·(D + U) + 3U).
 *
 * Activations cost far more than one FLOP each in practice (exp, tanh), which is why tiny sizes
 * reach so little of the machine's peak — and why a cell with fewer products per activation (the
 * GRU's 6U(D+U) against 11U elementwise, the LSTM's 8U(D+U) against 9U) reaches less of it.
 */

export interface LstmSize {
  /** Batch rows. */
  readonly batch: number;
  readonly timesteps: number;
  /** Input width D. */
  readonly inputDim: number;
  /** Units U. */
  readonly units: number;
}

/** The cells the benchmark counts: the GRU once per `reset_after`, since the two steps differ (spec/gru.md §2.2). */
export type CellVariant = "lstm" | "gru" | "gru_reset_before" | "simple_rnn";

interface CellFlops {
  /** FLOPs of one step of one batch row. */
  readonly perRowStep: (inputDim: number, units: number) => number;
  /** The formula as it appears in the results. */
  readonly formula: string;
}

/** Per cell, its count (the module's comment derives each). */
export const CELL_FLOPS: Readonly<Record<CellVariant, CellFlops>> = {
  lstm: {
    perRowStep: (D, U) => 8 * U * (D + U) + 13 * U,
    formula: "B·T·(8·U·(D+U) + 13·U): 2·(D+U)·4U for the two matrix products (multiply-add = 2 FLOPs), 4U bias adds, 9U elementwise (4 gate activations, c_t = f⊙c + i⊙g, act(c_t), o⊙act(c_t))",
  },
  gru: {
    perRowStep: (D, U) => 6 * U * (D + U) + 17 * U,
    formula: "B·T·(6·U·(D+U) + 17·U): 2·(D+U)·3U for x_t·W and h_{t−1}·U, 6U bias adds (input and recurrent rows), 11U elementwise (z = σ(·+·), r = σ(·+·), h̃ = act(xw_h + r⊙hu_h), h_t = z⊙h + (1−z)⊙h̃)",
  },
  gru_reset_before: {
    perRowStep: (D, U) => 6 * U * (D + U) + 14 * U,
    formula: "B·T·(6·U·(D+U) + 14·U): 2·D·3U for x_t·W, 2·U·2U for h_{t−1}·U_zr, 2·U·U for (r⊙h_{t−1})·U_h, 3U bias adds, 11U elementwise (r = σ(·+·), r⊙h_{t−1}, z = σ(·+·), h̃ = act(·+·), h_t = z⊙h + (1−z)⊙h̃)",
  },
  simple_rnn: {
    perRowStep: (D, U) => 2 * U * (D + U) + 3 * U,
    formula: "B·T·(2·U·(D+U) + 3·U): 2·(D+U)·U for x_t·W and h_{t−1}·U, U bias adds, 2U elementwise (the sum, act)",
  },
};

/** FLOPs of one forward pass of `cell` over the whole sequence (formulas above). */
export function cellForwardFlops(cell: CellVariant, { batch, timesteps, inputDim, units }: LstmSize): number {
  return batch * timesteps * CELL_FLOPS[cell].perRowStep(inputDim, units);
}

/** FLOPs of one LSTM forward pass over the whole sequence. */
export function lstmForwardFlops(size: LstmSize): number {
  return cellForwardFlops("lstm", size);
}

/** The LSTM formula as it appears in the results. */
export const FLOP_FORMULA = CELL_FLOPS.lstm.formula;

/** GFLOP/s of one LSTM forward that took `ms` milliseconds. */
export function gflops(size: LstmSize, ms: number): number {
  return lstmForwardFlops(size) / (ms * 1e6);
}

/** GFLOP/s of one forward of `cell` that took `ms` milliseconds. */
export function cellGflops(cell: CellVariant, size: LstmSize, ms: number): number {
  return cellForwardFlops(cell, size) / (ms * 1e6);
}
