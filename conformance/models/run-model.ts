/**
 * Runs the recurrent layers read from a Keras model file through the float64 reference, in order, as
 * Keras runs the whole model (spec/porting.md §9): plain layers of any cell (LSTM, GRU, SimpleRNN)
 * one after another, a `Bidirectional` as its two halves on the same input with the backward sequence
 * flipped back and the halves merged (keras/src/layers/rnn/bidirectional.py `call`). For models that
 * are an input followed by recurrent layers only; no masks, one call.
 */
import { runModel, type ModelLayer } from "../../reference/index.ts";
import type { Tensor } from "../tensor.ts";
import type { KerasModelFile, ModelCell } from "./read-model.ts";

type F64 = { shape: readonly number[]; data: Float64Array };

function runCell(l: ModelCell, x: F64, dialect: KerasModelFile["dialect"]): F64[] {
  // The cell's class and config belong together (ModelCell is read per class, read-model.ts).
  const layer = { className: l.className, config: l.config, weights: { kernel: l.weights.kernel.data, recurrent_kernel: l.weights.recurrent_kernel.data, bias: l.weights.bias?.data ?? null } } as ModelLayer;
  const [b, t, d] = x.shape as [number, number, number];
  return runModel([layer], [{ x: x.data, shape: [b, t, d] }], dialect)[0]!.outputs.map((o) => ({ shape: o.shape, data: o.data }));
}

/** Reverses axis 1 of a (B, T, U) tensor. */
function flipTime(y: F64): F64 {
  const [b, t, u] = y.shape as [number, number, number];
  const out = new Float64Array(y.data.length);
  for (let i = 0; i < b; i++) for (let s = 0; s < t; s++) out.set(y.data.subarray((i * t + s) * u, (i * t + s + 1) * u), (i * t + (t - 1 - s)) * u);
  return { shape: y.shape, data: out };
}

function merge(a: F64, b: F64, mode: string | null): F64 {
  if (mode === "concat") {
    const u = a.shape[a.shape.length - 1]!;
    const rows = a.data.length / u;
    const out = new Float64Array(a.data.length * 2);
    for (let r = 0; r < rows; r++) {
      out.set(a.data.subarray(r * u, (r + 1) * u), r * 2 * u);
      out.set(b.data.subarray(r * u, (r + 1) * u), r * 2 * u + u);
    }
    return { shape: [...a.shape.slice(0, -1), 2 * u], data: out };
  }
  const f = mode === "sum" ? (p: number, q: number) => p + q : mode === "ave" ? (p: number, q: number) => (p + q) / 2 : mode === "mul" ? (p: number, q: number) => p * q : null;
  if (!f) throw new RangeError(`Bidirectional merge_mode ${String(mode)} is not supported here (concat, sum, ave, mul)`);
  return { shape: a.shape, data: a.data.map((v, k) => f(v, b.data[k]!)) };
}

/** The model's output for x, as the reference computes it from the weights read from the file. */
export function runRecurrentStack(model: KerasModelFile, x: Tensor): Tensor {
  const other = model.layers.filter((l) => l.className !== "InputLayer" && !model.recurrent.some((r) => r.name === l.name));
  if (other.length > 0) throw new RangeError(`${model.file}: layers ${other.map((l) => `${l.name} (${l.className})`).join(", ")} are not recurrent; only input + recurrent (LSTM, GRU, SimpleRNN, Bidirectional of them) models can be run`);
  let y: F64 = { shape: x.shape, data: Float64Array.from(x.data) };
  for (const r of model.recurrent) {
    if (r.className !== "Bidirectional") {
      if (r.cell.config.return_state) throw new RangeError(`${model.file}: ${r.name} returns its states; run it directly`);
      y = runCell(r.cell, y, model.dialect)[0]!;
      continue;
    }
    const fwd = runCell(r.forward, y, model.dialect)[0]!;
    let bwd = runCell(r.backward, y, model.dialect)[0]!;
    if (r.backward.config.return_sequences) bwd = flipTime(bwd); // bidirectional.py: the backward sequence is reversed back
    y = merge(fwd, bwd, r.mergeMode);
  }
  return { shape: y.shape, data: Float32Array.from(y.data) };
}
