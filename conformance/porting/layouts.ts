/**
 * Named-tensor views of every weight layout the converters know (spec/porting.md §10), for weight
 * files: each layout reads a `{ name → tensor }` map into Keras weights (one layer, one or two
 * directions) and writes Keras weights back under its own names. `LAYOUTS` is the LSTM's table;
 * `WEIGHT_LAYOUTS` has every cell's (the GRU's and SimpleRNN's forms of each layout that has one,
 * spec/porting.md §14, §15). The `convert` command is these tables plus file reading.
 */
import type { LstmWeights, RecurrentWeights } from "../case.ts";
import { CELL_LIST, type CellKind } from "../cells.ts";
import type { Tensor } from "../tensor.ts";
import { cudnnCanonicalToKeras, cudnnLstmLayerToKeras, kerasToCudnnCanonical, kerasToCudnnLstmLayer } from "./cudnn.ts";
import type { BiasSplit } from "./gates.ts";
import { KERAS1_LSTM_WEIGHT_ORDER, keras1ToKeras, kerasToKeras1 } from "./keras1.ts";
import { kerasToOnnx, onnxToKeras } from "./onnx.ts";
import { kerasToPytorchStateDict, pytorchStateDictToKeras, type KerasStackLayer } from "./pytorch.ts";
import { kerasToTf1LstmCell, tf1LstmCellToKeras } from "./tf1.ts";
import { kerasToTflite, tfliteToKeras, type TfliteLstmTensors } from "./tflite.ts";
import {
  KERAS1_GRU_WEIGHT_ORDER,
  cudnnGruCanonicalToKeras,
  cudnnGruLayerToKeras,
  keras1GruToKeras,
  kerasGruToCudnnCanonical,
  kerasGruToOnnx,
  kerasGruToPytorchStateDict,
  kerasToCudnnGruLayer,
  kerasToKeras1Gru,
  kerasToTf1GruCell,
  onnxGruToKeras,
  pytorchGruStateDictToKeras,
  tf1GruCellToKeras,
} from "./gru.ts";
import { kerasCellDims } from "./keras-layout.ts";
import {
  KERAS1_SIMPLE_RNN_WEIGHT_ORDER,
  keras1SimpleRnnToKeras,
  kerasSimpleRnnToOnnx,
  kerasSimpleRnnToPytorchStateDict,
  kerasToKeras1SimpleRnn,
  kerasToTf1RnnCell,
  onnxRnnToKeras,
  pytorchRnnStateDictToKeras,
  tf1RnnCellToKeras,
} from "./simple-rnn.ts";

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

function kerasNamed(w: RecurrentWeights, prefix: string): Record<string, Tensor> {
  return { [`${prefix}kernel`]: w.kernel, [`${prefix}recurrent_kernel`]: w.recurrent_kernel, ...(w.bias ? { [`${prefix}bias`]: w.bias } : {}) };
}

function readKerasNamed(t: NamedTensors, prefix: string, layout: string): LstmWeights {
  // the same three names for every cell (spec/fixture-format.md §3.1); the caller checks the shapes
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

// ---- every cell (spec/porting.md §10, §14, §15) ------------------------------------------------------

/** One Keras recurrent layer's weights as the `convert` command moves them, of any cell. */
export interface CellStackLayer {
  readonly cell: CellKind;
  readonly forward: RecurrentWeights;
  /** The backward half of a `Bidirectional` layer. */
  readonly backward?: RecurrentWeights;
  /** A GRU's `reset_after` (spec/gru.md §2.1, §2.2): which function the weights compute. */
  readonly resetAfter?: boolean;
  /** True when reading summed two biases into Keras's one: LOSSY, only their sum is kept (spec/porting.md §2). */
  readonly summedBiases?: boolean;
}

export interface CellLayoutOptions extends LayoutOptions {
  /** A GRU's `reset_after` where the tensors do not say it: no bias, or ONNX's `linear_before_reset` (an attribute, not a tensor). */
  readonly resetAfter?: boolean;
}

/** One layout's form for one cell: the tensors a file of it holds, and the conversions to and from Keras. */
export interface WeightLayout {
  readonly name: string;
  readonly description: string;
  /** The tensor names a file of this layout holds. */
  readonly names: string;
  readonly bidirectional: boolean;
  read(t: NamedTensors, o: CellLayoutOptions): CellStackLayer;
  /** The tensors, and what a user of them must know that no tensor says (ONNX's linear_before_reset). */
  write(layer: CellStackLayer, o: CellLayoutOptions): { readonly tensors: Record<string, Tensor>; readonly notes: readonly string[] };
}

/** The LSTM's layouts, as they always were (the table above), in the cell-generic form. */
const LSTM_WEIGHT_LAYOUTS: Readonly<Record<string, WeightLayout>> = Object.fromEntries(
  Object.values(LAYOUTS).map((l): [string, WeightLayout] => [
    l.name,
    {
      name: l.name,
      description: l.description,
      names: l.names,
      bidirectional: l.bidirectional,
      read: (t, o) => ({ cell: "lstm", ...l.read(t, o), ...(l.lossyToKeras ? { summedBiases: true } : {}) }),
      write: (layer, o) => ({ tensors: l.write({ forward: layer.forward, ...(layer.backward ? { backward: layer.backward } : {}) }, o), notes: [] }),
    },
  ]),
);

function directionsOf(layer: CellStackLayer, layout: string, bidirectional: boolean): RecurrentWeights[] {
  if (layer.backward && !bidirectional) throw new RangeError(`the ${layout} layout holds one direction; convert the forward and backward weights separately`);
  return layer.backward ? [layer.forward, layer.backward] : [layer.forward];
}

/** A GRU's `reset_after` as the layer or the options say it, if either does (a reset-before-only layout then checks it). */
function givenConvention(l: CellStackLayer, o: CellLayoutOptions): { resetAfter?: boolean } {
  const given = l.resetAfter ?? o.resetAfter;
  return given === undefined ? {} : { resetAfter: given };
}

/** A GRU's `reset_after`: its bias shape's, else the option's, else Keras 3's default (true). */
function gruConvention(w: RecurrentWeights, o: CellLayoutOptions): boolean {
  return kerasCellDims("GRU", w, "keras", o.resetAfter).resetAfter ?? true;
}

const KERAS_CELL_NAMES = "kernel, recurrent_kernel, bias — or forward/… and backward/… for a Bidirectional layer";

/** Keras's own layout of a GRU or SimpleRNN (a name-for-name copy, checked against the descriptor). */
function kerasLayout(cell: "gru" | "simple_rnn"): WeightLayout {
  const className = cell === "gru" ? "GRU" : "SimpleRNN";
  const read1 = (t: NamedTensors, prefix: string): RecurrentWeights => {
    const w = readKerasNamed(t, prefix, "keras");
    kerasCellDims(className, w, prefix ? prefix.slice(0, -1) : "keras");
    return w;
  };
  return {
    name: "keras",
    description: cell === "gru" ? "Keras 2/3, tf-keras: kernel (in, 3u), recurrent_kernel (u, 3u), bias (2, 3u) with reset_after or (3u); z,r,h" : "Keras 2/3, tf-keras, Keras 1: kernel (in, u), recurrent_kernel (u, u), bias (u)",
    names: KERAS_CELL_NAMES,
    bidirectional: true,
    read: (t, o) => {
      const forward = read1(t, t["forward/kernel"] ? "forward/" : "");
      const backward = t["forward/kernel"] ? read1(t, "backward/") : undefined;
      return { cell, forward, ...(backward ? { backward } : {}), ...(cell === "gru" ? { resetAfter: gruConvention(forward, o) } : {}) };
    },
    write: (l) => ({ tensors: l.backward ? { ...kerasNamed(l.forward, "forward/"), ...kerasNamed(l.backward, "backward/") } : kerasNamed(l.forward, ""), notes: [] }),
  };
}

const CUDNN_GRU_NAMES = ["W_r", "W_z", "W_h", "R_r", "R_z", "R_h"];
const CUDNN_GRU_BIAS_NAMES = ["bW_r", "bW_z", "bW_h", "bR_r", "bR_z", "bR_h"];
const TF1_GRU_NAMES = ["gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias"] as const;

/** The GRU's form of each layout that has one (spec/porting.md §14). TFLite has no GRU operator here. */
const GRU_WEIGHT_LAYOUTS: Readonly<Record<string, WeightLayout>> = {
  keras: kerasLayout("gru"),
  pytorch: {
    name: "pytorch",
    description: "torch.nn.GRU state_dict: weight_ih_l0 (3H, in), weight_hh_l0 (3H, H), bias_ih_l0, bias_hh_l0 (3H); r,z,n; reset_after=True only",
    names: "weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (+ …_l0_reverse)",
    bidirectional: true,
    read: (t) => {
      const stack = pytorchGruStateDictToKeras(t);
      if (stack.length !== 1) throw new RangeError(`the weight file holds ${stack.length} PyTorch layers (weight_ih_l0…l${stack.length - 1}); convert one Keras layer at a time`);
      return { cell: "gru", ...stack[0]!, resetAfter: true };
    },
    write: (l, o) => ({ tensors: kerasGruToPytorchStateDict([{ forward: l.forward, ...(l.backward ? { backward: l.backward } : {}) }], { resetAfter: l.resetAfter ?? o.resetAfter ?? true }), notes: [] }),
  },
  onnx: {
    name: "onnx",
    description: "ONNX GRU inputs: W [dirs, 3H, in], R [dirs, 3H, H], B [dirs, 6H]; z,r,h; attribute linear_before_reset = reset_after",
    names: "W, R, B",
    bidirectional: true,
    read: (t, o) => {
      const B = t["B"];
      // linear_before_reset is a node attribute, not a tensor: --reset-after says it (default 1, Keras 3's GRU).
      const linearBeforeReset = (o.resetAfter ?? true) ? 1 : 0;
      const { weights, resetAfter } = onnxGruToKeras({ W: need(t, "W", "onnx"), R: need(t, "R", "onnx"), ...(B ? { B } : {}), linearBeforeReset });
      return { cell: "gru", forward: weights[0]!, ...(weights[1] ? { backward: weights[1] } : {}), resetAfter, ...(B && !resetAfter ? { summedBiases: true } : {}) };
    },
    write: (l, o) => {
      const g = kerasGruToOnnx(directionsOf(l, "onnx", true), { resetAfter: l.resetAfter ?? o.resetAfter ?? true });
      return { tensors: { W: g.W, R: g.R, ...(g.B ? { B: g.B } : {}) }, notes: [`the ONNX GRU node needs linear_before_reset=${g.linearBeforeReset} (spec/gru.md §6 Q3)`] };
    },
  },
  cudnn: {
    name: "cudnn",
    description: "cuDNN canonical GRU: W_r, W_z, W_h (u, in), R_r, R_z, R_h (u, u), bW_*, bR_* (u); r,z,h; reset_after=True only",
    names: [...CUDNN_GRU_NAMES, ...CUDNN_GRU_BIAS_NAMES].join(", "),
    bidirectional: false,
    read: (t) => ({ cell: "gru", forward: cudnnGruCanonicalToKeras({ weights: CUDNN_GRU_NAMES.map((n) => need(t, n, "cudnn")), biases: CUDNN_GRU_BIAS_NAMES.map((n) => need(t, n, "cudnn")) }).weights, resetAfter: true }),
    write: (l, o) => {
      const c = kerasGruToCudnnCanonical(directionsOf(l, "cudnn", false)[0]!, { resetAfter: l.resetAfter ?? o.resetAfter ?? true });
      return { tensors: Object.fromEntries([...CUDNN_GRU_NAMES.map((n, k) => [n, c.weights[k]!]), ...CUDNN_GRU_BIAS_NAMES.map((n, k) => [n, c.biases[k]!])]), notes: [] };
    },
  },
  "cudnn-layer": {
    name: "cudnn-layer",
    description: "Keras 2 CuDNNGRU layer: kernel (in, 3u), recurrent_kernel (u, 3u) in cuDNN's block layout, bias (6u); z,r,h",
    names: "kernel, recurrent_kernel, bias",
    bidirectional: false,
    read: (t) => ({ cell: "gru", forward: cudnnGruLayerToKeras({ kernel: need(t, "kernel", "cudnn-layer"), recurrent_kernel: need(t, "recurrent_kernel", "cudnn-layer"), bias: need(t, "bias", "cudnn-layer") }).weights, resetAfter: true }),
    write: (l, o) => ({ tensors: { ...kerasToCudnnGruLayer(directionsOf(l, "cudnn-layer", false)[0]!, { resetAfter: l.resetAfter ?? o.resetAfter ?? true }) }, notes: [] }),
  },
  keras1: {
    name: "keras1",
    description: "Keras 1 GRU per-gate arrays W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h; reset_after=False",
    names: KERAS1_GRU_WEIGHT_ORDER.join(", "),
    bidirectional: false,
    read: (t) => ({ cell: "gru", forward: keras1GruToKeras(KERAS1_GRU_WEIGHT_ORDER.map((n) => need(t, n, "keras1"))).weights, resetAfter: false }),
    write: (l, o) => {
      const arrays = kerasToKeras1Gru(directionsOf(l, "keras1", false)[0]!, givenConvention(l, o));
      return { tensors: Object.fromEntries(KERAS1_GRU_WEIGHT_ORDER.map((n, k) => [n, arrays[k]!])), notes: [] };
    },
  },
  tf1: {
    name: "tf1",
    description: "TF 1.x GRUCell: gates/kernel [in + u, 2u] (r, u), gates/bias [2u], candidate/kernel [in + u, u], candidate/bias [u]; reset_after=False",
    names: TF1_GRU_NAMES.join(", "),
    bidirectional: false,
    read: (t, o) => {
      const [gk, gb, ck, cb] = TF1_GRU_NAMES.map((n) => need(t, n, "tf1"));
      return { cell: "gru", forward: tf1GruCellToKeras({ gates_kernel: gk!, gates_bias: gb!, candidate_kernel: ck!, candidate_bias: cb! }, o.inputDim).weights, resetAfter: false };
    },
    write: (l, o) => {
      const c = kerasToTf1GruCell(directionsOf(l, "tf1", false)[0]!, givenConvention(l, o));
      return { tensors: { "gates/kernel": c.gates_kernel, "gates/bias": c.gates_bias, "candidate/kernel": c.candidate_kernel, "candidate/bias": c.candidate_bias }, notes: [] };
    },
  },
};

/** The SimpleRNN's form of each layout that has one (spec/porting.md §15). */
const SIMPLE_RNN_WEIGHT_LAYOUTS: Readonly<Record<string, WeightLayout>> = {
  keras: kerasLayout("simple_rnn"),
  pytorch: {
    name: "pytorch",
    description: "torch.nn.RNN state_dict: weight_ih_l0 (H, in), weight_hh_l0 (H, H), bias_ih_l0, bias_hh_l0 (H); nonlinearity tanh or relu",
    names: "weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (+ …_l0_reverse)",
    bidirectional: true,
    read: (t) => {
      const stack = pytorchRnnStateDictToKeras(t);
      if (stack.length !== 1) throw new RangeError(`the weight file holds ${stack.length} PyTorch layers (weight_ih_l0…l${stack.length - 1}); convert one Keras layer at a time`);
      return { cell: "simple_rnn", ...stack[0]!, ...(t["bias_ih_l0"] ? { summedBiases: true } : {}) };
    },
    write: (l, o) => ({ tensors: kerasSimpleRnnToPytorchStateDict([{ forward: l.forward, ...(l.backward ? { backward: l.backward } : {}) }], o.biasSplit ? { biasSplit: o.biasSplit } : {}), notes: [] }),
  },
  onnx: {
    name: "onnx",
    description: "ONNX RNN inputs: W [dirs, H, in], R [dirs, H, H], B [dirs, 2H]",
    names: "W, R, B",
    bidirectional: true,
    read: (t) => {
      const B = t["B"];
      const [forward, backward] = onnxRnnToKeras({ W: need(t, "W", "onnx"), R: need(t, "R", "onnx"), ...(B ? { B } : {}) });
      return { cell: "simple_rnn", forward: forward!, ...(backward ? { backward } : {}), ...(B ? { summedBiases: true } : {}) };
    },
    write: (l) => {
      const r = kerasSimpleRnnToOnnx(directionsOf(l, "onnx", true));
      return { tensors: { W: r.W, R: r.R, ...(r.B ? { B: r.B } : {}) }, notes: [] };
    },
  },
  keras1: {
    name: "keras1",
    description: "Keras 1 SimpleRNN arrays W (in, u), U (u, u), b (u)",
    names: KERAS1_SIMPLE_RNN_WEIGHT_ORDER.join(", "),
    bidirectional: false,
    read: (t) => ({ cell: "simple_rnn", forward: keras1SimpleRnnToKeras(KERAS1_SIMPLE_RNN_WEIGHT_ORDER.map((n) => need(t, n, "keras1"))) }),
    write: (l) => {
      const arrays = kerasToKeras1SimpleRnn(directionsOf(l, "keras1", false)[0]!);
      return { tensors: Object.fromEntries(KERAS1_SIMPLE_RNN_WEIGHT_ORDER.map((n, k) => [n, arrays[k]!])), notes: [] };
    },
  },
  tf1: {
    name: "tf1",
    description: "TF 1.x BasicRNNCell: kernel [in + u, u] on concat([x, h]), bias [u]",
    names: "kernel, bias",
    bidirectional: false,
    read: (t, o) => ({ cell: "simple_rnn", forward: tf1RnnCellToKeras({ kernel: need(t, "kernel", "tf1"), bias: need(t, "bias", "tf1") }, o.inputDim) }),
    write: (l) => ({ tensors: { ...kerasToTf1RnnCell(directionsOf(l, "tf1", false)[0]!) }, notes: [] }),
  },
};

/** Every layout of every cell: `WEIGHT_LAYOUTS[cell][layout]`. The LSTM's are {@link LAYOUTS}. */
export const WEIGHT_LAYOUTS: Readonly<Record<CellKind, Readonly<Record<string, WeightLayout>>>> = {
  lstm: LSTM_WEIGHT_LAYOUTS,
  gru: GRU_WEIGHT_LAYOUTS,
  simple_rnn: SIMPLE_RNN_WEIGHT_LAYOUTS,
};

/** Blocks per cell along a weight's gate axis (the descriptors', conformance/cells.ts). */
const BLOCKS: readonly (readonly [number, CellKind])[] = CELL_LIST.map((d) => [d.blocks.length, d.kind] as const);
const cellOfRatio = (blocks: number | undefined): CellKind | undefined => BLOCKS.find(([n]) => n === blocks)?.[1];

/**
 * The cell a weight file of `layout` holds, from its tensors' names and shapes where they tell it:
 * the recurrent matrix is (u, n·u) or (n·H, H) for n blocks (4 LSTM, 3 GRU, 1 SimpleRNN), and the
 * per-gate layouts name their gates. Undefined where they do not: a TF1 `kernel, bias` pair is an
 * LSTMCell's or a BasicRNNCell's alike (then the caller says, or it is the LSTM, as it always was).
 */
export function inferCell(layout: string, t: NamedTensors): CellKind | undefined {
  const ratio = (m: Tensor | undefined, rowsOverCols: boolean): number | undefined => {
    const [a, b] = m?.shape.slice(-2) ?? [];
    if (a === undefined || b === undefined || a === 0 || b === 0) return undefined;
    const r = rowsOverCols ? a / b : b / a;
    return Number.isInteger(r) ? r : undefined;
  };
  switch (layout) {
    case "keras":
    case "cudnn-layer":
      return cellOfRatio(ratio(t["recurrent_kernel"] ?? t["forward/recurrent_kernel"], false));
    case "pytorch":
      return cellOfRatio(ratio(t["weight_hh_l0"], true));
    case "onnx":
      return cellOfRatio(ratio(t["R"], true));
    case "cudnn":
      return t["W_i"] ? "lstm" : t["W_r"] ? "gru" : undefined;
    case "keras1":
      return t["W_i"] ? "lstm" : t["W_z"] ? "gru" : t["W"] ? "simple_rnn" : undefined;
    case "tf1":
      return t["gates/kernel"] ? "gru" : undefined;
    case "tflite":
      return "lstm";
    default:
      return undefined;
  }
}
