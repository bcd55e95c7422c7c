/**
 * The FLOP count of one LSTM forward pass, written down once so that every GFLOP/s figure in the
 * benchmark means the same thing (spec/lstm.md §2 for the equations being counted).
 *
 * Per time step and batch row, with input width D and U units:
 * - z = x_t·W + h_{t−1}·U + b: a (1 × D)·(D × 4U) and a (1 × U)·(U × 4U) product, i.e. (D + U)·4U
 *   multiply-adds = 2·(D + U)·4U FLOPs, plus 4U for the bias;
 * - the elementwise update, counting each +, −, ×, ÷ as 1 and each activation as 1:
 *   4U activations (i, f, g, o), c_t = f⊙c + i⊙g (3U), act(c_t) (U), h_t = o⊙act(c_t) (U): 9U.
 * Total: B·T·(8U·(D + U) + 13U). Activations cost far more than one FLOP each in practice (exp,
 * tanh), which is why tiny sizes reach so little of the machine's peak.
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

/** FLOPs of one forward pass over the whole sequence (formula above). */
export function lstmForwardFlops({ batch, timesteps, inputDim, units }: LstmSize): number {
  return batch * timesteps * (8 * units * (inputDim + units) + 13 * units);
}

/** The formula as it appears in the results. */
export const FLOP_FORMULA = "B·T·(8·U·(D+U) + 13·U): 2·(D+U)·4U for the two matrix products (multiply-add = 2 FLOPs), 4U bias adds, 9U elementwise (4 gate activations, c_t = f⊙c + i⊙g, act(c_t), o⊙act(c_t))";

/** GFLOP/s of one forward that took `ms` milliseconds. */
export function gflops(size: LstmSize, ms: number): number {
  return lstmForwardFlops(size) / (ms * 1e6);
}
