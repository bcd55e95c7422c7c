/**
 * Test helper: a sample LSTM case with its recurrent layers made GRUs or SimpleRNNs (`cells[k]` for
 * layer k, the last entry for the rest). The weights are cut from the LSTM's first columns, so they
 * stay asymmetric; a GRU or SimpleRNN first layer takes [h0] only (spec/gru.md §3.4). Used by the
 * built-in engines' tests to reach cells the sample cases do not have.
 */
import { recurrentLayers, type GruLayer, type Layer, type LayerCase, type SimpleRnnLayer } from "../case.ts";
import type { Tensor } from "../tensor.ts";

/** The first `n` columns (from `offset`) of the last axis. */
export function firstColumns(t: Tensor, n: number, offset = 0): Tensor {
  const width = t.shape[t.shape.length - 1]!;
  const rows = t.data.length / width;
  const data = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) data.set(t.data.subarray(r * width + offset, r * width + offset + n), r * n);
  return { shape: [...t.shape.slice(0, -1), n], data };
}

export function asCells(c: LayerCase, cells: readonly ("GRU" | "SimpleRNN")[], resetAfter = false, idSuffix = ""): LayerCase {
  let k = 0;
  const layers = c.layers.map((l): Layer => {
    if (l.className !== "LSTM") return l;
    const cell = cells[Math.min(k++, cells.length - 1)]!;
    const u = l.config.units;
    const { recurrent_activation, unit_forget_bias: _forget, ...common } = l.config;
    const { kernel, recurrent_kernel, bias } = l.weights;
    if (cell === "SimpleRNN") {
      const layer: SimpleRnnLayer = { className: "SimpleRNN", config: common, weights: { kernel: firstColumns(kernel, u), recurrent_kernel: firstColumns(recurrent_kernel, u), ...(bias ? { bias: firstColumns(bias, u) } : {}) } };
      return layer;
    }
    // reset_after: (2, 3u) from two different slices of the LSTM's bias, so b_hh ≠ b_ih (spec/gru.md §1.3)
    const gruBias = bias && (resetAfter ? { shape: [2, 3 * u], data: Float32Array.from([...firstColumns(bias, 3 * u).data, ...firstColumns(bias, 3 * u, u).data]) } : firstColumns(bias, 3 * u));
    const layer: GruLayer = {
      className: "GRU",
      config: { ...common, recurrent_activation, reset_after: resetAfter },
      weights: { kernel: firstColumns(kernel, 3 * u), recurrent_kernel: firstColumns(recurrent_kernel, 3 * u), ...(gruBias ? { bias: gruBias } : {}) },
    };
    return layer;
  });
  const first = recurrentLayers({ ...c, layers })[0]!;
  const calls = c.calls.map((call) => (call.initialState && first.className !== "LSTM" ? { ...call, initialState: [call.initialState[0]!] } : call));
  return { ...c, id: `${c.id}/${cells.join("+")}${idSuffix}`, layers, calls };
}
