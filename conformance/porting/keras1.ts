/**
 * Keras 1 LSTM weights → Keras 2/3 (spec/porting.md §6).
 *
 * Keras 1 kept twelve arrays per LSTM, in the order `W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o,
 * U_o, b_o` (gate order i, c, f, o; `W_*` (input_dim, units), `U_*` (units, units), `b_*` (units)).
 * tf-keras's legacy HDF5 loader re-concatenates them as i, f, c, o (tf_keras/saving/legacy/hdf5_format.py
 * `preprocess_weights_for_loading`: "old: i, c, f, o / new: i, f, c, o"). The math is the same as
 * Keras 2's, but Keras 1's default `inner_activation` was `hard_sigmoid` (the 0.2-slope one).
 */
import type { LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import { expectShape, joinColumns, joinVectors, splitColumns, splitVector } from "./gates.ts";
import { kerasLstmDims } from "./keras-layout.ts";

/** The Keras 1 array names, in the order Keras 1 saved them. */
export const KERAS1_LSTM_WEIGHT_ORDER = ["W_i", "U_i", "b_i", "W_c", "U_c", "b_c", "W_f", "U_f", "b_f", "W_o", "U_o", "b_o"] as const;

/** Keras 1's twelve arrays (in {@link KERAS1_LSTM_WEIGHT_ORDER}) → Keras weights. Exact. */
export function keras1ToKeras(arrays: readonly Tensor[]): LstmWeights {
  if (arrays.length !== 12) throw new RangeError(`a Keras 1 LSTM has 12 weight arrays (${KERAS1_LSTM_WEIGHT_ORDER.join(", ")}), got ${arrays.length}`);
  const named = Object.fromEntries(KERAS1_LSTM_WEIGHT_ORDER.map((n, k) => [n, arrays[k]!])) as Record<(typeof KERAS1_LSTM_WEIGHT_ORDER)[number], Tensor>;
  const units = named.U_i.shape[0] ?? 0;
  const inputDim = named.W_i.shape[0] ?? 0;
  for (const g of ["i", "c", "f", "o"] as const) {
    expectShape(named[`W_${g}`], [inputDim, units], `W_${g}`);
    expectShape(named[`U_${g}`], [units, units], `U_${g}`);
    expectShape(named[`b_${g}`], [units], `b_${g}`);
  }
  const ifco = ["i", "f", "c", "o"] as const;
  return {
    kernel: joinColumns(ifco.map((g) => named[`W_${g}`])),
    recurrent_kernel: joinColumns(ifco.map((g) => named[`U_${g}`])),
    bias: joinVectors(ifco.map((g) => named[`b_${g}`])),
  };
}

/** Keras weights → Keras 1's twelve arrays. Exact; a layer without bias gets zero `b_*` (Keras 1 always had them). */
export function kerasToKeras1(w: LstmWeights): Tensor[] {
  const { units } = kerasLstmDims(w);
  const [Wi, Wf, Wc, Wo] = splitColumns(w.kernel, 4) as [Tensor, Tensor, Tensor, Tensor];
  const [Ui, Uf, Uc, Uo] = splitColumns(w.recurrent_kernel, 4) as [Tensor, Tensor, Tensor, Tensor];
  const [bi, bf, bc, bo] = splitVector(w.bias ?? { shape: [4 * units], data: new Float32Array(4 * units) }, 4) as [Tensor, Tensor, Tensor, Tensor];
  return [Wi, Ui, bi, Wc, Uc, bc, Wf, Uf, bf, Wo, Uo, bo];
}

/**
 * A Keras 1 LSTM config → the Keras 2/3 names (`output_dim` → `units`, `inner_activation` →
 * `recurrent_activation`), with Keras 1's defaults (`activation` tanh, `inner_activation` hard_sigmoid).
 * The result is a tf-keras-dialect config: `hard_sigmoid` there is the 0.2-slope function Keras 1 used.
 */
export function keras1ConfigToKeras(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { output_dim, inner_activation, ...rest } = config;
  if (typeof output_dim !== "number") throw new RangeError("Keras 1 LSTM config: output_dim (a number) is required");
  return {
    activation: "tanh",
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    use_bias: true,
    ...rest,
    units: output_dim,
    recurrent_activation: inner_activation ?? "hard_sigmoid",
  };
}
