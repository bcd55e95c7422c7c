/**
 * Keras LSTM ⇄ PyTorch `torch.nn.LSTM` parameters (spec/porting.md §3).
 *
 * PyTorch (pytorch/pytorch torch/nn/modules/rnn.py, `LSTM` docstring and `RNNBase.__init__`):
 * `weight_ih_l{k}[_reverse]` (4·H, input_size), `weight_hh_l{k}[_reverse]` (4·H, H),
 * `bias_ih_l{k}[_reverse]` and `bias_hh_l{k}[_reverse]` (4·H); gate blocks i, f, g, o — the same order
 * as Keras's i, f, c, o (g is Keras's c), so the conversion is a transpose and a bias split, no reorder.
 * Both biases are added to every gate. `proj_size > 0` (a `weight_hr_l{k}`) has no Keras equivalent.
 */
import type { LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import { WeightShapeError, addTensors, expectShape, splitBias, transpose2d, unitsFromGateAxis, type BiasSplit } from "./gates.ts";
import { kerasLstmDims } from "./keras-layout.ts";

/** One layer and direction of a PyTorch `nn.LSTM`, without the `_l{k}[_reverse]` suffixes. */
export interface PytorchLstmParams {
  /** (4·H, input_size), blocks i, f, g, o. */
  readonly weight_ih: Tensor;
  /** (4·H, H). */
  readonly weight_hh: Tensor;
  /** (4·H); absent together with `bias_hh` when the module has `bias=False`. */
  readonly bias_ih?: Tensor;
  readonly bias_hh?: Tensor;
}

export interface KerasToPytorchOptions {
  /** Where the one Keras bias goes; default `"input"` (Keras's own torch backend, keras/src/backend/torch/rnn.py). */
  readonly biasSplit?: BiasSplit;
}

/**
 * Keras → PyTorch, one layer and direction: `weight_ih = kernel.T`, `weight_hh = recurrent_kernel.T`,
 * the bias split by `biasSplit`. A Keras layer without bias (`use_bias=False`) maps to `bias=False`.
 * `pytorchToKeras(kerasToPytorch(w))` gives back `w` bit for bit (with `"half"`, except subnormal biases).
 */
export function kerasToPytorch(w: LstmWeights, options: KerasToPytorchOptions = {}): PytorchLstmParams {
  kerasLstmDims(w);
  const weight_ih = transpose2d(w.kernel);
  const weight_hh = transpose2d(w.recurrent_kernel);
  if (!w.bias) return { weight_ih, weight_hh };
  const [bias_ih, bias_hh] = splitBias(w.bias, options.biasSplit ?? "input");
  return { weight_ih, weight_hh, bias_ih, bias_hh };
}

/**
 * PyTorch → Keras, one layer and direction. LOSSY for the bias: Keras has one bias, so
 * `bias = bias_ih + bias_hh` (float32 sum) and the split cannot be recovered; the outputs are the
 * same up to float32 rounding of that sum.
 */
export function pytorchToKeras(p: PytorchLstmParams, nameOf: (kind: keyof PytorchLstmParams) => string = (kind) => `pytorch.${kind}`): LstmWeights {
  const units = unitsFromGateAxis(p.weight_hh, 2, 0, nameOf("weight_hh"), "(4·hidden_size, hidden_size)");
  expectShape(p.weight_hh, [4 * units, units], nameOf("weight_hh"));
  expectShape(p.weight_ih, [4 * units, p.weight_ih.shape[1] ?? 0], nameOf("weight_ih"));
  const kernel = transpose2d(p.weight_ih);
  const recurrent_kernel = transpose2d(p.weight_hh);
  if (!p.bias_ih && !p.bias_hh) return { kernel, recurrent_kernel };
  if (!p.bias_ih || !p.bias_hh) {
    throw new WeightShapeError(nameOf(p.bias_ih ? "bias_hh" : "bias_ih"), `(${4 * units},) (PyTorch has both biases or neither)`, []);
  }
  expectShape(p.bias_ih, [4 * units], nameOf("bias_ih"));
  expectShape(p.bias_hh, [4 * units], nameOf("bias_hh"));
  return { kernel, recurrent_kernel, bias: addTensors(p.bias_ih, p.bias_hh) };
}

/** One layer of a Keras stack: the forward weights, and for a `Bidirectional` layer the backward ones. */
export interface KerasStackLayer {
  readonly forward: LstmWeights;
  readonly backward?: LstmWeights;
}

/** PyTorch's name for a parameter: `weight_ih_l0`, `bias_hh_l1_reverse` (rnn.py `RNNBase.__init__`). */
export function pytorchParamName(kind: keyof PytorchLstmParams, layer: number, reverse: boolean): string {
  return `${kind}_l${layer}${reverse ? "_reverse" : ""}`;
}

/**
 * Keras stacked / Bidirectional LSTMs → the `state_dict` of one `nn.LSTM(num_layers=len(stack),
 * bidirectional=…)`, keys prefixed with `prefix` (e.g. `"lstm."`). Every layer must have the same
 * direction count; layer k > 0 must take `num_directions·H` inputs (what the previous layer emits).
 */
export function kerasToPytorchStateDict(stack: readonly KerasStackLayer[], options: KerasToPytorchOptions & { readonly prefix?: string } = {}): Record<string, Tensor> {
  const prefix = options.prefix ?? "";
  const bidirectional = stack[0]?.backward !== undefined;
  const out: Record<string, Tensor> = {};
  stack.forEach((layer, k) => {
    if ((layer.backward !== undefined) !== bidirectional) throw new RangeError(`layer ${k}: every layer of an nn.LSTM has the same number of directions`);
    const directions: [LstmWeights, boolean][] = [[layer.forward, false]];
    if (layer.backward) directions.push([layer.backward, true]);
    for (const [w, reverse] of directions) {
      const p = kerasToPytorch(w, options);
      for (const [kind, t] of Object.entries(p) as [keyof PytorchLstmParams, Tensor][]) out[prefix + pytorchParamName(kind, k, reverse)] = t;
    }
  });
  return out;
}

/** The inverse of {@link kerasToPytorchStateDict} (lossy for the biases, see {@link pytorchToKeras}). */
export function pytorchStateDictToKeras(dict: Readonly<Record<string, Tensor>>, prefix = ""): KerasStackLayer[] {
  const proj = Object.keys(dict).find((k) => k.startsWith(`${prefix}weight_hr_l`));
  if (proj) throw new RangeError(`${proj}: nn.LSTM with proj_size > 0 has no Keras equivalent (Keras LSTM has no projection)`);
  const stack: KerasStackLayer[] = [];
  for (let k = 0; dict[prefix + pytorchParamName("weight_ih", k, false)]; k++) {
    const read = (reverse: boolean): LstmWeights => {
      const get = (kind: keyof PytorchLstmParams): Tensor | undefined => dict[prefix + pytorchParamName(kind, k, reverse)];
      const hh = get("weight_hh");
      if (!hh) throw new WeightShapeError(prefix + pytorchParamName("weight_hh", k, reverse), "(4·hidden_size, hidden_size); missing", []);
      const bias_ih = get("bias_ih");
      const bias_hh = get("bias_hh");
      return pytorchToKeras({ weight_ih: get("weight_ih")!, weight_hh: hh, ...(bias_ih ? { bias_ih } : {}), ...(bias_hh ? { bias_hh } : {}) }, (kind) => prefix + pytorchParamName(kind, k, reverse));
    };
    const reverse = dict[prefix + pytorchParamName("weight_ih", k, true)] !== undefined;
    stack.push(reverse ? { forward: read(false), backward: read(true) } : { forward: read(false) });
  }
  if (stack.length === 0) throw new RangeError(`no ${prefix}weight_ih_l0 in the state dict (keys: ${Object.keys(dict).join(", ") || "none"})`);
  return stack;
}

/**
 * One layer and direction of any PyTorch recurrent module (`nn.LSTM`, `nn.GRU`, `nn.RNN`), without the
 * `_l{k}[_reverse]` suffixes: the same four parameters, `n·H` rows for `n` gate blocks (4, 3, 1).
 */
export interface PytorchRnnParams {
  /** (n·H, input_size). */
  readonly weight_ih: Tensor;
  /** (n·H, H). */
  readonly weight_hh: Tensor;
  /** (n·H); absent together with `bias_hh` when the module has `bias=False`. */
  readonly bias_ih?: Tensor;
  readonly bias_hh?: Tensor;
}

/** One layer of a Keras stack of any cell: the forward weights, and for a `Bidirectional` layer the backward ones. */
export interface KerasDirections<W> {
  readonly forward: W;
  readonly backward?: W;
}

/**
 * A stack of Keras layers → the `state_dict` of one PyTorch module (`num_layers = stack.length`,
 * `bidirectional` when the layers have a backward half), each direction converted by `convert`, keys
 * prefixed with `prefix`. The cell-generic form of {@link kerasToPytorchStateDict} (rnn.py `RNNBase`
 * names every module's parameters alike).
 */
export function stackToPytorchStateDict<W>(stack: readonly KerasDirections<W>[], convert: (w: W) => PytorchRnnParams, prefix = ""): Record<string, Tensor> {
  const bidirectional = stack[0]?.backward !== undefined;
  const out: Record<string, Tensor> = {};
  stack.forEach((layer, k) => {
    if ((layer.backward !== undefined) !== bidirectional) throw new RangeError(`layer ${k}: every layer of a PyTorch recurrent module has the same number of directions`);
    const directions: [W, boolean][] = [[layer.forward, false]];
    if (layer.backward !== undefined) directions.push([layer.backward, true]);
    for (const [w, reverse] of directions) {
      for (const [kind, t] of Object.entries(convert(w)) as [keyof PytorchRnnParams, Tensor][]) out[prefix + pytorchParamName(kind, k, reverse)] = t;
    }
  });
  return out;
}

/** The inverse of {@link stackToPytorchStateDict}: every layer `_l0 … _l{n-1}`, with `_reverse` halves, converted by `convert`. */
export function pytorchStateDictToStack<W>(dict: Readonly<Record<string, Tensor>>, convert: (p: PytorchRnnParams, nameOf: (kind: keyof PytorchRnnParams) => string) => W, prefix = ""): KerasDirections<W>[] {
  const proj = Object.keys(dict).find((k) => k.startsWith(`${prefix}weight_hr_l`));
  if (proj) throw new RangeError(`${proj}: a projection (proj_size > 0) has no Keras equivalent`);
  const stack: KerasDirections<W>[] = [];
  for (let k = 0; dict[prefix + pytorchParamName("weight_ih", k, false)]; k++) {
    const read = (reverse: boolean): W => {
      const name = (kind: keyof PytorchRnnParams): string => prefix + pytorchParamName(kind, k, reverse);
      const hh = dict[name("weight_hh")];
      if (!hh) throw new WeightShapeError(name("weight_hh"), "(n·hidden_size, hidden_size); missing", []);
      const bias_ih = dict[name("bias_ih")];
      const bias_hh = dict[name("bias_hh")];
      return convert({ weight_ih: dict[name("weight_ih")]!, weight_hh: hh, ...(bias_ih ? { bias_ih } : {}), ...(bias_hh ? { bias_hh } : {}) }, name);
    };
    const reverse = dict[prefix + pytorchParamName("weight_ih", k, true)] !== undefined;
    stack.push(reverse ? { forward: read(false), backward: read(true) } : { forward: read(false) });
  }
  if (stack.length === 0) throw new RangeError(`no ${prefix}weight_ih_l0 in the state dict (keys: ${Object.keys(dict).join(", ") || "none"})`);
  return stack;
}
