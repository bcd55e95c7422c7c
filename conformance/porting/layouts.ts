/**
 * Named-tensor views of every weight layout the converters know (spec/porting.md §10), for weight
 * files: each layout reads a `{ name → tensor }` map into Keras weights (one layer, one or two
 * directions) and writes Keras weights back under its own names. The `convert` command is this
 * table plus file reading.
 */
import type { LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import { cudnnCanonicalToKeras, cudnnLstmLayerToKeras, kerasToCudnnCanonical, kerasToCudnnLstmLayer } from "./cudnn.ts";
import type { BiasSplit } from "./gates.ts";
import { KERAS1_LSTM_WEIGHT_ORDER, keras1ToKeras, kerasToKeras1 } from "./keras1.ts";
import { kerasToOnnx, onnxToKeras } from "./onnx.ts";
import { kerasToPytorchStateDict, pytorchStateDictToKeras, type KerasStackLayer } from "./pytorch.ts";
import { kerasToTf1LstmCell, tf1LstmCellToKeras } from "./tf1.ts";
import { kerasToTflite, tfliteToKeras, type TfliteLstmTensors } from "./tflite.ts";

export type NamedTensors = Readonly<Record<string, Tensor>>;

export interface LayoutOptions {
  readonly biasSplit?: BiasSplit;
  /** TF1 `forget_bias` (default 1.0). */
  readonly forgetBias?: number;
  /** TF1: the input width, needed to split the concatenated kernel (default: kernel rows − units). */
  readonly inputDim?: number;
}

export interface Layout {
  readonly name: string;
  readonly description: string;
  /** The tensor names a file of this layout holds. */
  readonly names: string;
  /** True when reading sums two biases into one (information lost). */
  readonly lossyToKeras: boolean;
  readonly bidirectional: boolean;
  read(t: NamedTensors, o: LayoutOptions): KerasStackLayer;
  write(layer: KerasStackLayer, o: LayoutOptions): Record<string, Tensor>;
}

function need(t: NamedTensors, name: string, layout: string): Tensor {
  const v = t[name];
  if (!v) throw new RangeError(`${name}: missing — a ${layout} weight file holds ${LAYOUTS[layout]?.names ?? "other tensors"}; this one has ${Object.keys(t).join(", ") || "none"}`);
  return v;
}

function kerasNamed(w: LstmWeights, prefix: string): Record<string, Tensor> {
  return { [`${prefix}kernel`]: w.kernel, [`${prefix}recurrent_kernel`]: w.recurrent_kernel, ...(w.bias ? { [`${prefix}bias`]: w.bias } : {}) };
}

function readKerasNamed(t: NamedTensors, prefix: string, layout: string): LstmWeights {
  const bias = t[`${prefix}bias`];
  return { kernel: need(t, `${prefix}kernel`, layout), recurrent_kernel: need(t, `${prefix}recurrent_kernel`, layout), ...(bias ? { bias } : {}) };
}

function unidirectional(layer: KerasStackLayer, layout: string): LstmWeights {
  if (layer.backward) throw new RangeError(`the ${layout} layout holds one direction; convert the forward and backward weights separately`);
  return layer.forward;
}

const CUDNN_NAMES = ["W_i", "W_f", "W_c", "W_o", "R_i", "R_f", "R_c", "R_o"];
const CUDNN_BIAS_NAMES = ["bW_i", "bW_f", "bW_c", "bW_o", "bR_i", "bR_f", "bR_c", "bR_o"];

export const LAYOUTS: Readonly<Record<string, Layout>> = {
  keras: {
    name: "keras",
    description: "Keras 2/3, tf-keras, tfjs: kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u); i,f,c,o",
    names: "kernel, recurrent_kernel, bias — or forward/… and backward/… for a Bidirectional layer",
    lossyToKeras: false,
    bidirectional: true,
    read: (t) => (t["forward/kernel"] ? { forward: readKerasNamed(t, "forward/", "keras"), backward: readKerasNamed(t, "backward/", "keras") } : { forward: readKerasNamed(t, "", "keras") }),
    write: (l) => (l.backward ? { ...kerasNamed(l.forward, "forward/"), ...kerasNamed(l.backward, "backward/") } : kerasNamed(l.forward, "")),
  },
  pytorch: {
    name: "pytorch",
    description: "torch.nn.LSTM state_dict: weight_ih_l0 (4H, in), weight_hh_l0 (4H, H), bias_ih_l0, bias_hh_l0; i,f,g,o",
    names: "weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (+ …_l0_reverse)",
    lossyToKeras: true,
    bidirectional: true,
    read: (t) => {
      const stack = pytorchStateDictToKeras(t);
      if (stack.length !== 1) throw new RangeError(`the weight file holds ${stack.length} PyTorch layers (weight_ih_l0…l${stack.length - 1}); convert one Keras layer at a time`);
      return stack[0]!;
    },
    write: (l, o) => kerasToPytorchStateDict([l], o.biasSplit ? { biasSplit: o.biasSplit } : {}),
  },
  onnx: {
    name: "onnx",
    description: "ONNX LSTM inputs: W [dirs, 4H, in], R [dirs, 4H, H], B [dirs, 8H]; i,o,f,c",
    names: "W, R, B",
    lossyToKeras: true,
    bidirectional: true,
    read: (t) => {
      const B = t["B"];
      const [forward, backward] = onnxToKeras({ W: need(t, "W", "onnx"), R: need(t, "R", "onnx"), ...(B ? { B } : {}) });
      return backward ? { forward: forward!, backward } : { forward: forward! };
    },
    write: (l) => {
      const o = kerasToOnnx(l.backward ? [l.forward, l.backward] : [l.forward]);
      return { W: o.W, R: o.R, ...(o.B ? { B: o.B } : {}) };
    },
  },
  cudnn: {
    name: "cudnn",
    description: "cuDNN canonical: W_i…W_o (u, in), R_i…R_o (u, u), bW_i…bW_o, bR_i…bR_o (u); i,f,c,o, two biases",
    names: [...CUDNN_NAMES, ...CUDNN_BIAS_NAMES].join(", "),
    lossyToKeras: true,
    bidirectional: false,
    read: (t) => ({ forward: cudnnCanonicalToKeras({ weights: CUDNN_NAMES.map((n) => need(t, n, "cudnn")), biases: CUDNN_BIAS_NAMES.map((n) => need(t, n, "cudnn")) }) }),
    write: (l, o) => {
      const c = kerasToCudnnCanonical(unidirectional(l, "cudnn"), o.biasSplit ? { biasSplit: o.biasSplit } : {});
      return Object.fromEntries([...CUDNN_NAMES.map((n, k) => [n, c.weights[k]!]), ...CUDNN_BIAS_NAMES.map((n, k) => [n, c.biases[k]!])]);
    },
  },
  "cudnn-layer": {
    name: "cudnn-layer",
    description: "Keras 2 CuDNNLSTM layer: kernel (in, 4u), recurrent_kernel (u, 4u) in cuDNN's block layout, bias (8u)",
    names: "kernel, recurrent_kernel, bias",
    lossyToKeras: true,
    bidirectional: false,
    read: (t) => ({ forward: cudnnLstmLayerToKeras({ kernel: need(t, "kernel", "cudnn-layer"), recurrent_kernel: need(t, "recurrent_kernel", "cudnn-layer"), bias: need(t, "bias", "cudnn-layer") }) }),
    write: (l, o) => ({ ...kerasToCudnnLstmLayer(unidirectional(l, "cudnn-layer"), o.biasSplit ? { biasSplit: o.biasSplit } : {}) }),
  },
  keras1: {
    name: "keras1",
    description: "Keras 1 per-gate arrays W_*, U_*, b_* (stored i, c, f, o)",
    names: KERAS1_LSTM_WEIGHT_ORDER.join(", "),
    lossyToKeras: false,
    bidirectional: false,
    read: (t) => ({ forward: keras1ToKeras(KERAS1_LSTM_WEIGHT_ORDER.map((n) => need(t, n, "keras1"))) }),
    write: (l) => {
      const arrays = kerasToKeras1(unidirectional(l, "keras1"));
      return Object.fromEntries(KERAS1_LSTM_WEIGHT_ORDER.map((n, k) => [n, arrays[k]!]));
    },
  },
  tf1: {
    name: "tf1",
    description: "TF 1.x LSTMCell / LSTMBlockCell: kernel [in + u, 4u] on concat([x, h]), bias [4u]; i,j,f,o; forget_bias at run time",
    names: "kernel, bias",
    lossyToKeras: false,
    bidirectional: false,
    read: (t, o) => {
      const kernel = need(t, "kernel", "tf1");
      const bias = need(t, "bias", "tf1");
      const units = (bias.shape[0] ?? 0) / 4;
      return { forward: tf1LstmCellToKeras({ kernel, bias }, o.inputDim ?? (kernel.shape[0] ?? 0) - units, o.forgetBias === undefined ? {} : { forgetBias: o.forgetBias }) };
    },
    write: (l, o) => ({ ...kerasToTf1LstmCell(unidirectional(l, "tf1"), o.forgetBias === undefined ? {} : { forgetBias: o.forgetBias }) }),
  },
  tflite: {
    name: "tflite",
    description: "TFLite LSTM per-gate tensors: input_to_{input,forget,cell,output}_weights (u, in), recurrent_to_…_weights (u, u), …_gate_bias (u)",
    names: "input_to_*_weights, recurrent_to_*_weights, *_gate_bias for input, forget, cell, output",
    lossyToKeras: false,
    bidirectional: false,
    read: (t) => ({ forward: tfliteToKeras(t as TfliteLstmTensors) }),
    write: (l) => ({ ...kerasToTflite(unidirectional(l, "tflite")) }),
  },
};
