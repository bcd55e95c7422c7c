/**
 * Exact symmetries of every cell (spec/lstm.md §1, §2.1, §2.3; spec/gru.md §1.2, §2.1–§2.3;
 * spec/simple-rnn.md §1.2, §2.1), used by the metamorphic and the fixture-anchored properties:
 *
 * - a signed permutation of hidden units: h' = s ⊙ P h. Permuting units permutes every block's
 *   columns (the cell's blocks, from its descriptor: LSTM i, f, c, o; GRU z, r, h; SimpleRNN one),
 *   the recurrent kernel's rows and the next layer's kernel rows; a sign flip of unit j (allowed when
 *   `activation` is odd) negates row j of every recurrent block and column j of the candidate block
 *   (kernel, recurrent kernel, every bias row), so the gates' pre-activations are unchanged and the
 *   candidate, the state and h change sign: LSTM z_c, c, h (§2.1); GRU h̃ and h, both reset
 *   conventions — r ⊙ (h·U_h + b_hh) and (r ⊙ h)·U_h flip alike, and z ⊙ h + (1 − z) ⊙ h̃ follows
 *   (spec/gru.md §2.1–§2.3); SimpleRNN act(x·W + b + h·U) (spec/simple-rnn.md §2.1). Sign flips are
 *   bit-exact in float32; permutations reorder sums only.
 * - batch rows: independent (§2.3), so selecting or reordering rows selects or reorders outputs.
 * - an input feature's sign: (−x_d)·(−W_d) = x_d·W_d exactly.
 */
import { recurrentLayers, type BidirectionalLayer, type CallInputs, type LayerCase, type RecurrentLayer } from "../case.ts";
import { cellOf, type CellClassName } from "../cells.ts";
import type { EngineOutputs } from "../engine.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";

/** Activations with act(−x) = −act(x), for which a unit's sign may be flipped. */
export const ODD_ACTIVATIONS: ReadonlySet<string> = new Set(["tanh", "linear", "softsign"]);

/**
 * The block whose activation is `activation` and whose value carries the state's sign: the LSTM's
 * cell candidate c (spec/lstm.md §2.1), the GRU's candidate h̃ (spec/gru.md §2.1), the SimpleRNN's
 * only block (spec/simple-rnn.md §2.1). A name of the cell's descriptor's blocks; its position comes
 * from the descriptor.
 */
const CANDIDATE_BLOCK: Readonly<Record<CellClassName, string>> = { LSTM: "c", GRU: "h", SimpleRNN: "h" };

/** A signed permutation per recurrent layer: unit j of the result is `sign[j]` × unit `perm[j]` of the original. */
export interface UnitMap {
  readonly perm: readonly number[];
  readonly sign: readonly number[];
}

/**
 * New (rows, n·u) weight of `n` blocks: columns permuted/signed per block (the sign only in block
 * `signBlock`, or in every block when it is null); rows permuted/signed by `rowMap` when given.
 */
function mapWeight(w: Tensor, u: number, n: number, cols: UnitMap, rowMap: UnitMap | null, signBlock: number | null, rowSignAll: boolean): Tensor {
  const C = n * u;
  const rows = w.data.length / C;
  const data = new Float32Array(w.data.length);
  for (let r = 0; r < rows; r++) {
    const srcRow = rowMap ? rowMap.perm[r]! : r;
    const rowSign = rowMap && rowSignAll ? rowMap.sign[r]! : 1;
    for (let g = 0; g < n; g++) {
      for (let j = 0; j < u; j++) {
        const colSign = signBlock === null || g === signBlock ? cols.sign[j]! : 1;
        data[r * C + g * u + j] = rowSign * colSign * w.data[srcRow * C + g * u + cols.perm[j]!]!;
      }
    }
  }
  return { shape: w.shape, data };
}

/**
 * The layer with its units mapped by `units`, reading an input whose features were mapped by `input`
 * (null: unchanged). Any cell: its blocks come from its descriptor; a GRU's (2, 3u) bias maps row by row.
 */
export function mapLayerUnits<L extends RecurrentLayer>(layer: L, units: UnitMap, input: UnitMap | null): L {
  const cell = cellOf(layer);
  const n = cell.blocks.length;
  const candidate = cell.blocks.indexOf(CANDIDATE_BLOCK[cell.className]);
  const u = layer.config.units;
  const w = layer.weights;
  return {
    ...layer,
    weights: {
      // kernel rows follow the previous layer's units (with their sign: x' = s⊙Px)
      kernel: mapWeight(w.kernel, u, n, units, input, candidate, true),
      recurrent_kernel: mapWeight(w.recurrent_kernel, u, n, units, units, candidate, true),
      ...(w.bias ? { bias: mapWeight(w.bias, u, n, units, null, candidate, false) } : {}),
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

/**
 * The properties' cases are generated without a Bidirectional (conformance/properties/arbitraries);
 * a transformation written for one layer per position refuses one rather than half-transforming it.
 */
function notBidirectional(l: RecurrentLayer | BidirectionalLayer): RecurrentLayer {
  if (l.className === "Bidirectional") throw new Error("this property transformation does not apply to a Bidirectional layer (spec/bidirectional.md)");
  return l;
}

/** The case with every recurrent layer's units mapped (maps[k] for the k-th, any cell) and the initial state mapped alike. */
export function mapCaseUnits(c: LayerCase, maps: readonly UnitMap[]): LayerCase {
  let k = 0;
  const layers = c.layers.map((l) => {
    if (l.className === "Masking") return l;
    const mapped = mapLayerUnits(notBidirectional(l), maps[k]!, k > 0 ? maps[k - 1]! : null);
    k++;
    return mapped;
  });
  // every state of the first layer ([h0, c0] or [h0]) ends in its units
  const calls = c.calls.map((call) =>
    call.initialState ? { ...call, initialState: call.initialState.map((s) => mapLastAxis(s, maps[0]!)) } : call,
  );
  return { ...c, layers, calls };
}

/** A unit map for every recurrent layer of `c`, in order (signs only where the layer's activation is odd and `signs`). */
export function randomCaseUnitMaps(c: LayerCase, next: () => number, signs: boolean): UnitMap[] {
  return recurrentLayers(c).map((l) => randomUnitMap(l.config.units, next, signs && ODD_ACTIVATIONS.has(l.config.activation)));
}

/** Outputs mapped by the last layer's unit map (the output and every state, h and c or h, end in units). */
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

/** Input features in `flip` negated, with the first recurrent layer's kernel rows alike (x·W unchanged exactly). */
export function flipInputFeatures(c: LayerCase, flip: readonly boolean[]): LayerCase {
  let first = true;
  const layers = c.layers.map((l) => {
    if (l.className === "Masking" || !first) return l; // any cell: every one computes x_t·kernel (spec/gru.md §1.4)
    first = false;
    const r = notBidirectional(l);
    const cols = r.weights.kernel.shape[1]!;
    const kernel = { shape: r.weights.kernel.shape, data: Float32Array.from(r.weights.kernel.data, (v, k) => (flip[Math.floor(k / cols)] ? -v : v)) };
    return { ...r, weights: { ...r.weights, kernel } };
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

/** The case with `patch` merged into every recurrent layer's config (any cell: the keys are the RNN base layer's, spec/lstm.md §3). */
export function withRecurrentConfig(c: LayerCase, patch: { readonly go_backwards?: boolean; readonly stateful?: boolean }): LayerCase {
  const layers = c.layers.map((l) => (l.className === "Masking" ? l : ({ ...l, config: { ...l.config, ...patch } } as RecurrentLayer)));
  return { ...c, layers };
}
