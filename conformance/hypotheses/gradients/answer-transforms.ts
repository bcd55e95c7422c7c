/**
 * Mistakes in how an engine *returns* its gradients, as transforms of a correct answer
 * (spec/gradients.md §2.2: Keras layout, get_weights() order, the bias shape per cell): the kernels
 * in PyTorch's layout (transposed), the gate blocks in another framework's order, the bias gradient
 * doubled, a reset_after GRU's two bias rows summed into both. The math is right; the reading is not.
 */
import { CELL_LAYOUTS } from "../../../reference/cells/layout.ts";
import type { Layer } from "../../case.ts";
import type { GradientAnswer, LayerWeightGradients } from "../../gradients/case.ts";

type AnyTensor = { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
type Out = { readonly shape: readonly number[]; readonly data: Float64Array };

const copy = (t: AnyTensor): Out => ({ shape: [...t.shape], data: Float64Array.from(t.data) });

/** Applies `edit` to every recurrent layer's weight gradients of every call; x and the initial state are kept. */
function editLayers(layers: readonly Layer[], answers: readonly GradientAnswer<AnyTensor>[], edit: (l: LayerWeightGradients<AnyTensor>, layer: Layer) => LayerWeightGradients<Out>): GradientAnswer<Out>[] {
  return answers.map((a) => ({
    layers: a.layers.map((l) => edit(l, layers[l.layer]!)),
    x: copy(a.x),
    ...(a.initialState ? { initialState: a.initialState.map(copy) } : {}),
    ...(a.outputs ? { outputs: a.outputs.map(copy) } : {}),
  }));
}

const sameLayer = (l: LayerWeightGradients<AnyTensor>): LayerWeightGradients<Out> => ({ layer: l.layer, kernel: copy(l.kernel), recurrent_kernel: copy(l.recurrent_kernel), ...(l.bias ? { bias: copy(l.bias) } : {}) });

/** (rows, cols) → (cols, rows): PyTorch's weight_ih (n·u, D) and weight_hh (n·u, u) for Keras's (D, n·u), (u, n·u). */
function transposed(t: AnyTensor): Out {
  const [rows = 0, cols = 0] = t.shape;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) data[k * rows + r] = t.data[r * cols + k]!;
  return { shape: [cols, rows], data };
}

/** Kernel and recurrent-kernel gradients in PyTorch's layout (transposed), as a port that forgot to transpose them back returns them. */
export function inTorchLayout(layers: readonly Layer[], answers: readonly GradientAnswer<AnyTensor>[]): GradientAnswer<Out>[] {
  return editLayers(layers, answers, (l) => ({ ...sameLayer(l), kernel: transposed(l.kernel), recurrent_kernel: transposed(l.recurrent_kernel) }));
}

/** Every weight gradient's column blocks in `order` (letters of the cell's blocks, e.g. "iofc", "rzh"): block j holds Keras's block `order[j]`. */
export function inGateOrder(layers: readonly Layer[], answers: readonly GradientAnswer<AnyTensor>[], className: "LSTM" | "GRU", order: string): GradientAnswer<Out>[] {
  const blocks = CELL_LAYOUTS[className].blocks;
  const from = [...order].map((g) => blocks.indexOf(g));
  const reorder = (t: AnyTensor): Out => {
    const cols = t.shape.at(-1)!;
    const u = cols / blocks.length;
    return { shape: [...t.shape], data: Float64Array.from(t.data, (_, k) => t.data[k - (k % cols) + from[Math.floor((k % cols) / u)]! * u + ((k % cols) % u)]!) };
  };
  return editLayers(layers, answers, (l, layer) =>
    layer.className !== className ? sameLayer(l) : { layer: l.layer, kernel: reorder(l.kernel), recurrent_kernel: reorder(l.recurrent_kernel), ...(l.bias ? { bias: reorder(l.bias) } : {}) },
  );
}

/** The bias gradient doubled (every layer with a bias). */
export function biasDoubled(layers: readonly Layer[], answers: readonly GradientAnswer<AnyTensor>[]): GradientAnswer<Out>[] {
  return editLayers(layers, answers, (l) => ({ ...sameLayer(l), ...(l.bias ? { bias: { shape: [...l.bias.shape], data: Float64Array.from(l.bias.data, (v) => 2 * v) } } : {}) }));
}

/** A reset_after GRU's (2, 3u) bias gradient with both rows the sum of the two (spec/gru.md §1.3: row 0 input, row 1 recurrent). */
export function gruBiasRowsSummed(layers: readonly Layer[], answers: readonly GradientAnswer<AnyTensor>[]): GradientAnswer<Out>[] {
  return editLayers(layers, answers, (l) => {
    const b = l.bias;
    if (!b || b.shape.length !== 2) return sameLayer(l);
    const n = b.shape[1]!;
    return { ...sameLayer(l), bias: { shape: [...b.shape], data: Float64Array.from(b.data, (_, k) => b.data[k % n]! + b.data[n + (k % n)]!) } };
  });
}
