/**
 * Weight-handling mistakes: a gate reading another gate's block, kernels swapped, transposed or
 * reshaped instead of transposed, the bias doubled, dropped or offset (spec/lstm.md §1, §2;
 * spec/porting.md §1, §2).
 */
import type { Hypothesis } from "./hypothesis.ts";
import {
  KERAS_GATE_ORDER,
  mapBlocks,
  mapLstmLayers,
  mapTensor,
  withBlocksPicked,
  reshapeThenTranspose,
  transposeSquare,
  withWeights,
} from "./case-transforms.ts";
import type { LstmLayer } from "../case.ts";

const GATE_NAMES: Readonly<Record<string, string>> = { i: "input", f: "forget", c: "cell candidate", o: "output" };

/** A hypothesis made of one transformation of each LSTM layer (null: not applicable to that layer). */
function layerHypothesis(id: string, explanation: string, f: (layer: LstmLayer) => LstmLayer | null): Hypothesis {
  return {
    id,
    explanation,
    async predict(c, oracle) {
      const transformed = mapLstmLayers(c, f);
      return transformed ? oracle(transformed) : null;
    },
  };
}

/** Gate `target` computed from gate `source`'s block (e.g. the forget gate reading the input gate's block). */
function gateReadsBlock(target: string, source: string): Hypothesis {
  const t = KERAS_GATE_ORDER.indexOf(target);
  const s = KERAS_GATE_ORDER.indexOf(source);
  const pick = (g: number): number => (g === t ? s : g);
  return layerHypothesis(
    `gate-block:${target}<-${source}`,
    `your engine matches Keras if the ${GATE_NAMES[target]} gate (${target}) is computed from the ${GATE_NAMES[source]} gate's ` +
      `block (${source}) of kernel, recurrent_kernel and bias: check the slice offsets (spec/lstm.md §1, §2)`,
    (layer) => withBlocksPicked(layer, pick),
  );
}

const gateReadsBlockHypotheses: Hypothesis[] = ["f", "i", "c", "o"].flatMap((target) =>
  [...KERAS_GATE_ORDER].filter((s) => s !== target).map((source) => gateReadsBlock(target, source)),
);

const inputDimOf = (layer: LstmLayer): number => layer.weights.kernel.shape[0]!;

export const recurrentBlocksTransposed = layerHypothesis(
  "recurrent-kernel-blocks-transposed",
  "your engine matches Keras if each (units × units) gate block of recurrent_kernel is transposed: " +
    "Keras computes h_{t-1} · U with U of shape (units, 4·units) (spec/lstm.md §1)",
  (layer) => withWeights(layer, { ...layer.weights, recurrent_kernel: mapBlocks(layer.weights.recurrent_kernel, layer.config.units, (b) => transposeSquare(b, layer.config.units)) }),
);

export const kernelBlocksTransposed = layerHypothesis(
  "kernel-blocks-transposed",
  "your engine matches Keras if each gate block of kernel is transposed: Keras computes x_t · W with W of shape " +
    "(input_dim, 4·units), not PyTorch's (4·units, input_dim) (spec/lstm.md §1)",
  (layer) => {
    const u = layer.config.units;
    if (inputDimOf(layer) !== u) return null; // a block transpose only keeps the shape when input_dim = units
    return withWeights(layer, { ...layer.weights, kernel: mapBlocks(layer.weights.kernel, u, (b) => transposeSquare(b, u)) });
  },
);

export const kernelsSwapped = layerHypothesis(
  "kernels-swapped",
  "your engine matches Keras if kernel and recurrent_kernel are swapped: get_weights() order is " +
    "[kernel (input_dim, 4·units), recurrent_kernel (units, 4·units), bias] (spec/lstm.md §1)",
  (layer) => {
    if (inputDimOf(layer) !== layer.config.units) return null;
    return withWeights(layer, { ...layer.weights, kernel: layer.weights.recurrent_kernel, recurrent_kernel: layer.weights.kernel });
  },
);

const torchLayout = (which: "kernel" | "recurrent_kernel" | "both"): Hypothesis =>
  layerHypothesis(
    `reshaped-not-transposed:${which}`,
    `your engine matches Keras if ${which === "both" ? "kernel and recurrent_kernel are" : `${which} is`} read as PyTorch's ` +
      "(4·units, n) layout, i.e. the (n, 4·units) buffer is reshaped instead of transposed (spec/lstm.md §1)",
    (layer) => {
      const w = layer.weights;
      return withWeights(layer, {
        ...w,
        kernel: which === "recurrent_kernel" ? w.kernel : reshapeThenTranspose(w.kernel),
        recurrent_kernel: which === "kernel" ? w.recurrent_kernel : reshapeThenTranspose(w.recurrent_kernel),
      });
    },
  );

const biasHypothesis = (id: string, explanation: string, f: (b: number, k: number, units: number) => number): Hypothesis =>
  layerHypothesis(id, explanation, (layer) => {
    const u = layer.config.units;
    const bias = layer.weights.bias;
    if (!layer.config.use_bias || !bias) return null;
    return withWeights(layer, { ...layer.weights, bias: mapTensor(bias, (b, k) => f(b, k, u)) });
  });

export const biasTwice = biasHypothesis(
  "bias-twice",
  "your engine matches Keras if the bias is added twice (e.g. loaded as both PyTorch's b_ih and b_hh, or ONNX's Wb and Rb): " +
    "Keras has one bias, added once (spec/lstm.md §2)",
  (b) => 2 * b,
);

export const biasDropped = biasHypothesis(
  "bias-dropped",
  "your engine matches Keras if the bias is ignored: with use_bias=true Keras adds bias (4·units) to the pre-activations (spec/lstm.md §2)",
  () => 0,
);

export const forgetBiasPlusOne: Hypothesis = layerHypothesis(
  "forget-bias-plus-one",
  "your engine matches Keras if 1.0 is added to the forget gate's pre-activation at run time (TF1 LSTMCell forget_bias): " +
    "Keras's unit_forget_bias only initialises the bias, nothing is added when running (spec/lstm.md §1)",
  (layer) => {
    const u = layer.config.units;
    const base = layer.config.use_bias && layer.weights.bias ? layer.weights.bias : { shape: [4 * u], data: new Float32Array(4 * u) };
    const bias = mapTensor(base, (b, k) => (k >= u && k < 2 * u ? b + 1 : b));
    return { ...layer, config: { ...layer.config, use_bias: true }, weights: { ...layer.weights, bias } };
  },
);

export const weightHypotheses: readonly Hypothesis[] = [
  recurrentBlocksTransposed,
  kernelBlocksTransposed,
  kernelsSwapped,
  torchLayout("kernel"),
  torchLayout("recurrent_kernel"),
  torchLayout("both"),
  biasTwice,
  biasDropped,
  forgetBiasPlusOne,
  ...gateReadsBlockHypotheses,
];
