/**
 * Weight-handling mistakes: a gate reading another gate's block, gate columns read interleaved,
 * kernels swapped, transposed or reshaped instead of transposed (whole or per gate), the bias
 * doubled, halved, dropped or offset (spec/lstm.md §1, §2; spec/porting.md §1, §2).
 *
 * A kernel's orientation, the swap of the two kernels and a bias factor are the same mistake in every
 * cell — each is `kernel (D, n·u)`, `recurrent_kernel (u, n·u)` and a bias, n and the bias's shape
 * read from the layer's descriptor (conformance/cells.ts; spec/gru.md §1, spec/simple-rnn.md §1) —
 * so those apply to a layer of any cell, in its own words (cell-words.ts). Gate slices, interleaved
 * columns and the forget bias are the LSTM's; the GRU's own are in gru.ts.
 */
import { STAGES, type Hypothesis, type PairMeta } from "./hypothesis.ts";
import {
  ALL_CELLS,
  KERAS_GATE_ORDER,
  blockCount,
  mapBlocks,
  mapLayersOf,
  mapTensor,
  withBlocksPicked,
  reshapeThenTranspose,
  transposeSquare,
  withWeights,
  type LayerOf,
} from "./case-transforms.ts";
import { cellWorded, columnsOf } from "./cell-words.ts";
import type { RecurrentLayer } from "../case.ts";
import type { CellClassName, CellDescriptor } from "../cells.ts";
import type { Tensor } from "../tensor.ts";

const GATE_NAMES: Readonly<Record<string, string>> = { i: "input", f: "forget", c: "cell candidate", o: "output" };

/** An explanation: one text for every case, or one worded per cell (cell-words.ts). */
type Words = string | Pick<Hypothesis, "explanation" | "explanationFor">;

/**
 * A hypothesis made of one transformation of each layer of `cells` (null: not applicable to that
 * layer); not applicable to a case without such a layer.
 */
function layerHypothesis<K extends CellClassName>(id: string, words: Words, meta: PairMeta, cells: readonly K[], f: (layer: LayerOf<K>) => LayerOf<K> | null): Hypothesis {
  return {
    id,
    ...(typeof words === "string" ? { explanation: words } : words),
    ...meta,
    async predict(c, oracle) {
      const transformed = mapLayersOf(c, cells, f);
      return transformed ? oracle(transformed) : null;
    },
  };
}

const LSTM_ONLY = ["LSTM"] as const;
/** Cells with more than one gate block: per-block mistakes differ from whole-matrix ones there. */
const GATED = ["LSTM", "GRU"] as const;

/** Where each chapter says how a kernel is oriented (x · W). */
const ORIENTATION: Readonly<Record<string, string>> = { lstm: "spec/lstm.md §1", gru: "spec/gru.md §1.4", simple_rnn: "spec/simple-rnn.md §1.3" };
const orientation = (cell: CellDescriptor): string => ORIENTATION[cell.kind] ?? `${cell.chapter} §1`;

const GATE_BLOCKS: PairMeta = { touches: ["gate-blocks"], stage: STAGES.gates };
const KERNEL: PairMeta = { touches: ["kernel"], stage: STAGES.layout };
const RECURRENT: PairMeta = { touches: ["recurrent-kernel"], stage: STAGES.blocks };
const BOTH_KERNELS: PairMeta = { touches: ["kernel", "recurrent-kernel"], stage: STAGES.layout };
const BIAS: PairMeta = { touches: ["bias"], stage: STAGES.arithmetic };
const RUNTIME_FORGET_BIAS: PairMeta = { touches: ["runtime-forget-bias"], stage: STAGES.runtimeBias };

/** Gate `target` computed from gate `source`'s block (e.g. the forget gate reading the input gate's block). */
function gateReadsBlock(target: string, source: string): Hypothesis {
  const t = KERAS_GATE_ORDER.indexOf(target);
  const s = KERAS_GATE_ORDER.indexOf(source);
  const pick = (g: number): number => (g === t ? s : g);
  return layerHypothesis(
    `gate-block:${target}<-${source}`,
    `your engine matches Keras if the ${GATE_NAMES[target]} gate (${target}) is computed from the ${GATE_NAMES[source]} gate's ` +
      `block (${source}) of kernel, recurrent_kernel and bias: check the slice offsets (spec/lstm.md §1, §2)`,
    GATE_BLOCKS,
    LSTM_ONLY,
    (layer) => withBlocksPicked(layer, pick),
  );
}

const gateReadsBlockHypotheses: Hypothesis[] = ["f", "i", "c", "o"].flatMap((target) =>
  [...KERAS_GATE_ORDER].filter((s) => s !== target).map((source) => gateReadsBlock(target, source)),
);

const inputDimOf = (layer: RecurrentLayer): number => layer.weights.kernel.shape[0]!;

export const recurrentBlocksTransposed = layerHypothesis(
  "recurrent-kernel-blocks-transposed",
  cellWorded(
    "your engine matches Keras if each (units × units) gate block of recurrent_kernel is transposed: " +
      "Keras computes h_{t-1} · U with U of shape (units, 4·units) (spec/lstm.md §1)",
    (cell) =>
      cell.blocks.length === 1
        ? "your engine matches Keras if recurrent_kernel is transposed (PyTorch's weight_hh is its transpose): Keras computes h_{t-1} · U " +
          `with U of shape (units, units), square but not symmetric (${orientation(cell)}, ${cell.chapter} §6)`
        : "your engine matches Keras if each (units × units) gate block of recurrent_kernel is transposed: " +
          `Keras computes h_{t-1} · U with U of shape (units, ${columnsOf(cell)}) (${orientation(cell)})`,
  ),
  RECURRENT,
  ALL_CELLS,
  (layer) => {
    const u = layer.config.units;
    return withWeights(layer, { ...layer.weights, recurrent_kernel: mapBlocks(layer.weights.recurrent_kernel, u, (b) => transposeSquare(b, u), blockCount(layer)) });
  },
);

export const kernelBlocksTransposed = layerHypothesis(
  "kernel-blocks-transposed",
  cellWorded(
    "your engine matches Keras if each gate block of kernel is transposed: Keras computes x_t · W with W of shape " +
      "(input_dim, 4·units), not PyTorch's (4·units, input_dim) (spec/lstm.md §1)",
    (cell) =>
      `your engine matches Keras if ${cell.blocks.length === 1 ? "kernel is" : "each gate block of kernel is"} transposed: Keras computes x_t · W with W of shape ` +
      `(input_dim, ${columnsOf(cell)}), not PyTorch's (${columnsOf(cell)}, input_dim) (${orientation(cell)})`,
  ),
  KERNEL,
  ALL_CELLS,
  (layer) => {
    const u = layer.config.units;
    if (inputDimOf(layer) !== u) return null; // a block transpose only keeps the shape when input_dim = units
    return withWeights(layer, { ...layer.weights, kernel: mapBlocks(layer.weights.kernel, u, (b) => transposeSquare(b, u), blockCount(layer)) });
  },
);

export const kernelsSwapped = layerHypothesis(
  "kernels-swapped",
  cellWorded(
    "your engine matches Keras if kernel and recurrent_kernel are swapped: get_weights() order is " +
      "[kernel (input_dim, 4·units), recurrent_kernel (units, 4·units), bias] (spec/lstm.md §1)",
    (cell) =>
      "your engine matches Keras if kernel and recurrent_kernel are swapped: get_weights() order is " +
      `[kernel (input_dim, ${columnsOf(cell)}), recurrent_kernel (units, ${columnsOf(cell)}), bias] (${cell.chapter} §1.1)`,
  ),
  BOTH_KERNELS,
  ALL_CELLS,
  (layer) => {
    if (inputDimOf(layer) !== layer.config.units) return null;
    return withWeights(layer, { ...layer.weights, kernel: layer.weights.recurrent_kernel, recurrent_kernel: layer.weights.kernel });
  },
);

const torchLayout = (which: "kernel" | "recurrent_kernel" | "both"): Hypothesis =>
  layerHypothesis(
    `reshaped-not-transposed:${which}`,
    cellWorded(
      `your engine matches Keras if ${which === "both" ? "kernel and recurrent_kernel are" : `${which} is`} read as PyTorch's ` +
        "(4·units, n) layout, i.e. the (n, 4·units) buffer is reshaped instead of transposed (spec/lstm.md §1)",
      (cell) =>
        `your engine matches Keras if ${which === "both" ? "kernel and recurrent_kernel are" : `${which} is`} read as PyTorch's ` +
        `(${columnsOf(cell)}, n) layout, i.e. the (n, ${columnsOf(cell)}) buffer is reshaped instead of transposed (${orientation(cell)}, ${cell.chapter} §6)`,
    ),
    which === "kernel" ? KERNEL : which === "recurrent_kernel" ? { touches: ["recurrent-kernel"], stage: STAGES.layout } : BOTH_KERNELS,
    ALL_CELLS,
    (layer) => {
      const w = layer.weights;
      // A one-block cell's square matrix reshaped and read transposed is its transpose, which
      // kernel-blocks-transposed and recurrent-kernel-blocks-transposed name (a SimpleRNN's U is always square).
      const square = (t: Tensor): boolean => blockCount(layer) === 1 && t.shape[0] === t.shape[1];
      if (which !== "both" && square(which === "kernel" ? w.kernel : w.recurrent_kernel)) return null;
      return withWeights(layer, {
        ...w,
        kernel: which === "recurrent_kernel" ? w.kernel : reshapeThenTranspose(w.kernel),
        recurrent_kernel: which === "kernel" ? w.recurrent_kernel : reshapeThenTranspose(w.recurrent_kernel),
      });
    },
  );

/** A bias mistake of every cell: each bias value `b` (a GRU's two rows alike) becomes `f(b, k, units)`, k its index. */
const biasHypothesis = (id: string, words: Words, f: (b: number, k: number, units: number) => number): Hypothesis =>
  layerHypothesis(id, words, BIAS, ALL_CELLS, (layer) => {
    const u = layer.config.units;
    const bias = layer.weights.bias;
    if (!layer.config.use_bias || !bias) return null;
    return withWeights(layer, { ...layer.weights, bias: mapTensor(bias, (b, k) => f(b, k, u)) });
  });

/** A cell's bias in words: an LSTM's (4·units), a GRU's two rows or one, a SimpleRNN's (units) (chapter §1.3). */
const biasShapeOf = (cell: CellDescriptor): string =>
  cell.kind === "gru" ? "(2, 3·units) with reset_after — input and recurrent bias — or (3·units) without (spec/gru.md §1.3)" : `(${columnsOf(cell)}) (${cell.chapter} §1.1)`;

export const biasTwice = biasHypothesis(
  "bias-twice",
  cellWorded(
    "your engine matches Keras if the bias is added twice (e.g. loaded as both PyTorch's b_ih and b_hh, or ONNX's Wb and Rb): " +
      "Keras has one bias, added once (spec/lstm.md §2)",
    (cell) =>
      cell.kind === "gru"
        ? "your engine matches Keras if the bias is added twice: Keras adds each row of its bias once (spec/gru.md §1.3, §2)"
        : "your engine matches Keras if the bias is added twice (e.g. loaded as both PyTorch's b_ih and b_hh, or ONNX's Wb and Rb): " +
          `Keras has one bias, added once (${cell.chapter} §2.1, §6)`,
  ),
  (b) => 2 * b,
);

export const biasDropped = biasHypothesis(
  "bias-dropped",
  cellWorded(
    "your engine matches Keras if the bias is ignored: with use_bias=true Keras adds bias (4·units) to the pre-activations (spec/lstm.md §2)",
    (cell) => `your engine matches Keras if the bias is ignored: with use_bias=true Keras adds its bias, ${biasShapeOf(cell)}`,
  ),
  () => 0,
);

export const biasHalved = biasHypothesis(
  "bias-halved",
  cellWorded(
    "your engine matches Keras if half the bias is used (e.g. a Keras bias split half and half into b_ih and b_hh, as tf-keras does " +
      "for CuDNNLSTM, and one half dropped): Keras adds the whole bias once (spec/lstm.md §2, spec/porting.md §2)",
    (cell) => `your engine matches Keras if half the bias is used: Keras adds the whole bias, ${biasShapeOf(cell)}`,
  ),
  (b) => b / 2,
);

/** A forget bias of `delta` added to the f pre-activation at run time (TF1 LSTMCell's forget_bias, or its removal). */
function runtimeForgetBias(delta: 1 | -1): Hypothesis {
  const plus = delta > 0;
  return layerHypothesis(
    plus ? "forget-bias-plus-one" : "forget-bias-minus-one",
    plus
      ? "your engine matches Keras if 1.0 is added to the forget gate's pre-activation at run time (TF1 LSTMCell forget_bias): " +
          "Keras's unit_forget_bias only initialises the bias, nothing is added when running (spec/lstm.md §1)"
      : "your engine matches Keras if 1.0 is subtracted from the forget gate's pre-activation (a TF1 forget_bias taken out that " +
          "Keras never added): Keras's bias is used as stored, nothing is added or removed when running (spec/lstm.md §1, spec/porting.md §7)",
    RUNTIME_FORGET_BIAS,
    LSTM_ONLY,
    (layer) => {
      const u = layer.config.units;
      const base = layer.config.use_bias && layer.weights.bias ? layer.weights.bias : { shape: [4 * u], data: new Float32Array(4 * u) };
      const bias = mapTensor(base, (b, k) => (k >= u && k < 2 * u ? b + delta : b));
      return { ...layer, config: { ...layer.config, use_bias: true }, weights: { ...layer.weights, bias } };
    },
  );
}

export const forgetBiasPlusOne: Hypothesis = runtimeForgetBias(1);
export const forgetBiasMinusOne: Hypothesis = runtimeForgetBias(-1);

/** A (rows, 4u) weight whose column g·u + j is column 4j + g of `w`: per-unit interleaved columns read as blocks. */
function deinterleave(w: Tensor, units: number): Tensor {
  const cols = 4 * units;
  const rows = w.data.length / cols;
  const data = new Float32Array(w.data.length);
  for (let r = 0; r < rows; r++) for (let g = 0; g < 4; g++) for (let j = 0; j < units; j++) data[r * cols + g * units + j] = w.data[r * cols + 4 * j + g]!;
  return { shape: w.shape, data };
}

export const gatesInterleaved = layerHypothesis(
  "gate-columns-interleaved",
  "your engine matches Keras if the gate columns are read per unit, interleaved (i0 f0 c0 o0 i1 f1 …, Chainer's layout): " +
    "Keras stores four blocks of units columns, all of i, then f, c, o (spec/lstm.md §1.2)",
  // a column map of its own: a gate order or a slice offset can come on top of it
  { touches: ["gate-columns"], stage: STAGES.columns },
  LSTM_ONLY,
  (layer) => {
    const u = layer.config.units;
    if (u < 2) return null; // one unit: interleaved and blocked are the same columns
    const w = layer.weights;
    return withWeights(layer, {
      kernel: deinterleave(w.kernel, u),
      recurrent_kernel: deinterleave(w.recurrent_kernel, u),
      ...(w.bias ? { bias: deinterleave(w.bias, u) } : {}),
    });
  },
);

export const kernelBlocksReshaped = layerHypothesis(
  "kernel-blocks-reshaped",
  cellWorded(
    "your engine matches Keras if each (input_dim × units) gate block of kernel is reshaped to PyTorch's per-gate (units × input_dim) " +
      "instead of transposed (or a cuDNN buffer read in the wrong C/F order): use each block's transpose (spec/lstm.md §1.3)",
    (cell) =>
      "your engine matches Keras if each (input_dim × units) gate block of kernel is reshaped to a per-gate (units × input_dim) " +
      `instead of transposed (or a cuDNN buffer read in the wrong C/F order, spec/gru.md §6): use each block's transpose (${orientation(cell)})`,
  ),
  KERNEL,
  // one block: the whole kernel reshaped, which reshaped-not-transposed:kernel names
  GATED,
  (layer) => {
    const u = layer.config.units;
    const reshaped = mapBlocks(layer.weights.kernel, u, (block, rows) => reshapeThenTranspose({ shape: [rows, u], data: block }).data, blockCount(layer));
    return withWeights(layer, { ...layer.weights, kernel: reshaped });
  },
);

export const weightHypotheses: readonly Hypothesis[] = [
  recurrentBlocksTransposed,
  kernelBlocksTransposed,
  kernelsSwapped,
  torchLayout("kernel"),
  torchLayout("recurrent_kernel"),
  torchLayout("both"),
  kernelBlocksReshaped,
  biasTwice,
  biasDropped,
  biasHalved,
  forgetBiasPlusOne,
  forgetBiasMinusOne,
  gatesInterleaved,
  ...gateReadsBlockHypotheses,
];
