/**
 * Exact symmetries of the LSTM (spec/lstm.md §1, §2.1, §2.3), used by the metamorphic and the
 * fixture-anchored properties:
 *
 * - a signed permutation of hidden units: h' = s ⊙ P h. Permuting units permutes every gate block's
 *   columns, the recurrent kernel's rows and the next layer's kernel rows; a sign flip of unit j
 *   (allowed when `activation` is odd) negates row j of every recurrent block and column j of the
 *   candidate block (kernel, recurrent kernel, bias), so z_i, z_f, z_o are unchanged and z_c, c, h
 *   change sign. Sign flips are bit-exact in float32; permutations reorder sums only.
 * - batch rows: independent (§2.3), so selecting or reordering rows selects or reorders outputs.
 * - an input feature's sign: (−x_d)·(−W_d) = x_d·W_d exactly.
 */
import type { CallInputs, LayerCase, LstmLayer } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";

/** Activations with act(−x) = −act(x), for which a unit's sign may be flipped. */
export const ODD_ACTIVATIONS: ReadonlySet<string> = new Set(["tanh", "linear", "softsign"]);

/** A signed permutation per LSTM layer: unit j of the result is `sign[j]` × unit `perm[j]` of the original. */
export interface UnitMap {
  readonly perm: readonly number[];
  readonly sign: readonly number[];
}

/** New (rows, 4u) weight: columns permuted/signed per block; rows permuted/signed by `rowMap` when given. */
function mapWeight(w: Tensor, u: number, cols: UnitMap, rowMap: UnitMap | null, signCandidateOnly: boolean, rowSignAll: boolean): Tensor {
  const C = 4 * u;
  const rows = w.data.length / C;
  const data = new Float32Array(w.data.length);
  for (let r = 0; r < rows; r++) {
    const srcRow = rowMap ? rowMap.perm[r]! : r;
    const rowSign = rowMap && rowSignAll ? rowMap.sign[r]! : 1;
    for (let g = 0; g < 4; g++) {
      for (let j = 0; j < u; j++) {
        const colSign = !signCandidateOnly || g === 2 ? cols.sign[j]! : 1;
        data[r * C + g * u + j] = rowSign * colSign * w.data[srcRow * C + g * u + cols.perm[j]!]!;
      }
    }
  }
  return { shape: w.shape, data };
}

/** The layer with its units mapped by `units`, reading an input whose features were mapped by `input` (null: unchanged). */
export function mapLayerUnits(layer: LstmLayer, units: UnitMap, input: UnitMap | null): LstmLayer {
  const u = layer.config.units;
  const w = layer.weights;
  return {
    ...layer,
    weights: {
      // kernel rows follow the previous layer's units (with their sign: x' = s⊙Px)
      kernel: mapWeight(w.kernel, u, units, input, true, true),
      recurrent_kernel: mapWeight(w.recurrent_kernel, u, units, units, true, true),
      ...(w.bias ? { bias: mapWeight(w.bias, u, units, null, true, false) } : {}),
    },
  };
}

/** Last-axis mapping of a tensor whose last axis is units. */
export function mapLastAxis(t: Tensor, m: UnitMap): Tensor {
  const u = m.perm.length;
  const data = new Float32Array(t.data.length);
  for (let r = 0; r < t.data.length / u; r++) for (let j = 0; j < u; j++) data[r * u + j] = m.sign[j]! * t.data[r * u + m.perm[j]!]!;
  return { shape: t.shape, data };
}

/** The case with every LSTM layer's units mapped (maps[k] for the k-th LSTM) and the initial state mapped alike. */
export function mapCaseUnits(c: LayerCase, maps: readonly UnitMap[]): LayerCase {
  let k = 0;
  const layers = c.layers.map((l) => {
    if (l.className !== "LSTM") return l;
    const mapped = mapLayerUnits(l, maps[k]!, k > 0 ? maps[k - 1]! : null);
    k++;
    return mapped;
  });
  const calls = c.calls.map((call) =>
    call.initialState ? { ...call, initialState: call.initialState.map((s) => mapLastAxis(s, maps[0]!)) } : call,
  );
  return { ...c, layers, calls };
}

/** Outputs mapped by the last layer's unit map (output, h and c all end in units). */
export function mapOutputUnits(outputs: EngineOutputs, last: UnitMap): EngineOutputs {
  return outputs.map((o) => o.map((t) => mapLastAxis(t, last)));
}

/** Rows `rows` (in that order) of a tensor whose first axis is batch. */
export function selectRows<T extends Tensor | BoolTensor>(t: T, rows: readonly number[]): T {
  const B = t.shape[0]!;
  const inner = t.data.length / B;
  const data = new (t.data.constructor as new (n: number) => T["data"])(rows.length * inner);
  rows.forEach((r, k) => data.set(t.data.subarray(r * inner, (r + 1) * inner), k * inner));
  return { shape: [rows.length, ...t.shape.slice(1)], data } as unknown as T;
}

/** The case restricted to batch rows `rows` (reordered as listed). */
export function selectCaseRows(c: LayerCase, rows: readonly number[]): LayerCase {
  const calls = c.calls.map((call): CallInputs => ({
    x: selectRows(call.x, rows),
    ...(call.mask ? { mask: selectRows(call.mask, rows) } : {}),
    ...(call.initialState ? { initialState: call.initialState.map((s) => selectRows(s, rows)) } : {}),
  }));
  return { ...c, calls };
}

/** Outputs restricted to batch rows `rows`. */
export function selectOutputRows(outputs: EngineOutputs, rows: readonly number[]): EngineOutputs {
  return outputs.map((o) => o.map((t) => selectRows(t, rows)));
}

/** Input features in `flip` negated, with the first LSTM's kernel rows alike (x·W unchanged exactly). */
export function flipInputFeatures(c: LayerCase, flip: readonly boolean[]): LayerCase {
  let first = true;
  const layers = c.layers.map((l) => {
    if (l.className === "Masking" || !first) return l; // any cell: every one computes x_t·kernel (spec/gru.md §1.4)
    first = false;
    const cols = l.weights.kernel.shape[1]!;
    const kernel = { shape: l.weights.kernel.shape, data: Float32Array.from(l.weights.kernel.data, (v, k) => (flip[Math.floor(k / cols)] ? -v : v)) };
    return { ...l, weights: { ...l.weights, kernel } };
  });
  const calls = c.calls.map((call) => {
    const D = call.x.shape[2]!;
    return { ...call, x: { shape: call.x.shape, data: Float32Array.from(call.x.data, (v, k) => (flip[k % D] ? -v : v)) } };
  });
  return { ...c, layers, calls };
}

/** A signed permutation of n units drawn from `next` (signs only when `signs`). */
export function randomUnitMap(n: number, next: () => number, signs: boolean): UnitMap {
  const perm = Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(next() * (k + 1));
    [perm[k], perm[j]] = [perm[j]!, perm[k]!];
  }
  return { perm, sign: Array.from({ length: n }, () => (signs && next() < 0.5 ? -1 : 1)) };
}
