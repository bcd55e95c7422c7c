/**
 * Keras's `Bidirectional` wrapper around two recurrent layers (spec/bidirectional.md): what it does
 * with the two outputs once each layer has run. The two layers themselves are ordinary recurrent
 * layers (rnn.ts): the backward one carries `go_backwards` in its own config — forced by Keras 3,
 * toggled by tf-keras — so nothing here reverses an input.
 *
 * keras/src/layers/rnn/bidirectional.py `Bidirectional.call`:
 *   y_rev = flip(y_rev, axis=1)            only with return_sequences (a last output has no time axis)
 *   concat: [y, y_rev] along the features, forward first; sum: y + y_rev; mul: y * y_rev;
 *   ave: (y + y_rev) / 2; None: the pair (y, y_rev)
 */

/** Keras's `merge_mode`; `null` is its `None`: the layer returns both outputs, unmerged. */
export type MergeMode = "concat" | "sum" | "mul" | "ave" | null;

export const MERGE_MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave", null];

/** A float tensor: its shape and row-major data. */
export interface BidirectionalTensor<F extends Float32Array | Float64Array> {
  readonly shape: readonly number[];
  readonly data: F;
}

const like = <F extends Float32Array | Float64Array>(a: F, n: number): F => (a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)) as F;

/** `ops.flip(y, axis=1)` of a (batch, timesteps, features) tensor: step t takes step T-1-t. */
export function flipTime<F extends Float32Array | Float64Array>(y: BidirectionalTensor<F>): BidirectionalTensor<F> {
  const [B = 0, T = 0, U = 0] = y.shape;
  const data = like(y.data, y.data.length);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) data.set(y.data.subarray((b * T + T - 1 - t) * U, (b * T + T - t) * U), (b * T + t) * U);
  }
  return { shape: y.shape, data };
}

/**
 * The wrapper's output from the forward layer's output `y` and the backward layer's `yRev`, each as
 * its layer returned it (`returnSequences` says whether they have a time axis): `[merged]`, or
 * `[y, yRev]` — yRev flipped back to time order — for merge_mode None.
 */
export function mergeBidirectional<F extends Float32Array | Float64Array>(
  mode: MergeMode,
  returnSequences: boolean,
  y: BidirectionalTensor<F>,
  yRev: BidirectionalTensor<F>,
): BidirectionalTensor<F>[] {
  const back = returnSequences ? flipTime(yRev) : yRev;
  if (mode === null) return [y, back];
  if (mode === "concat") {
    const u = y.shape.at(-1) ?? 0;
    const v = back.shape.at(-1) ?? 0;
    const rows = u === 0 ? 0 : y.data.length / u;
    const data = like(y.data, rows * (u + v));
    for (let r = 0; r < rows; r++) {
      data.set(y.data.subarray(r * u, (r + 1) * u), r * (u + v));
      data.set(back.data.subarray(r * v, (r + 1) * v), r * (u + v) + u);
    }
    return [{ shape: [...y.shape.slice(0, -1), u + v], data }];
  }
  if (y.data.length !== back.data.length) throw new Error(`Bidirectional merge_mode="${mode}" needs both layers to have the same units (spec/bidirectional.md)`);
  const data = like(y.data, y.data.length);
  for (let k = 0; k < data.length; k++) {
    const a = y.data[k]!;
    const b = back.data[k]!;
    data[k] = mode === "sum" ? a + b : mode === "mul" ? a * b : (a + b) / 2;
  }
  return [{ shape: y.shape, data }];
}
