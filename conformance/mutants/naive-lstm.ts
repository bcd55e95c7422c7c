/**
 * A small, plainly written float32 LSTM engine with optional *flaw hooks*: the base of the mutant
 * gallery. With no flaw it computes what spec/lstm.md says (it is deliberately separate code from
 * `reference/`, so a mutant's flaw is not inherited by or from the reference). Each mutant module
 * switches on exactly one flaw.
 *
 * Semantics followed (spec/lstm.md): §1 weights (kernel (in,4u), recurrent_kernel (u,4u), bias (4u),
 * gate blocks i,f,c,o), §2 one step, §3 options (go_backwards in processing order, masks hold the
 * state and repeat the last emitted output or zeros with zero_output_for_mask, initial_state, stateful
 * calls, stacked layers with the mask passed on, Masking layer), §4 hard_sigmoid per Keras version.
 */
import { lstmLayers, type CallInputs, type LayerCase, type LstmLayer } from "../case.ts";
import type { Engine, EngineOutputs, Feature } from "../engine.ts";
import { activationFeatures, OPTION_FEATURES } from "../features.ts";
import type { Tensor } from "../tensor.ts";

/** One porting mistake each; a mutant sets exactly one of them (a pair mutant, two: mutants/index.ts). */
export interface NaiveLstmFlaws {
  /** Gate blocks read in this order instead of Keras's "ifco" (e.g. "iofc" = ONNX). */
  readonly gateOrder?: string;
  /** The forget gate reads this gate's block instead of its own (e.g. "i"). */
  readonly forgetGateReadsBlock?: "i" | "c" | "o";
  /** Each (units × units) gate block of the recurrent kernel transposed. */
  readonly transposeRecurrentBlocks?: boolean;
  /** The kernel's data read as PyTorch's (4u, in) layout and transposed (reshape instead of transpose). */
  readonly kernelReadAsTorchLayout?: boolean;
  /** The bias multiplied by this factor (2 = added twice, 0 = dropped). */
  readonly biasFactor?: number;
  /** A run-time forget bias added to the f pre-activation (TF1 LSTMCell forget_bias). */
  readonly runtimeForgetBias?: number;
  /** hard_sigmoid always computed with this Keras version's formula. */
  readonly hardSigmoidAs?: "keras3" | "tf-keras";
  /** The recurrent activation always sigmoid, whatever the config says. */
  readonly recurrentActivationAlwaysSigmoid?: boolean;
  /** h_t = o ⊙ c_t: the activation on c_t forgotten. */
  readonly noActivationOnCell?: boolean;
  /** Returns [output, c, h]. */
  readonly returnedStateSwapped?: boolean;
  /** go_backwards sequence output flipped back to original time order. */
  readonly backwardsOutputReReversed?: boolean;
  /** The mask (explicit or from Masking) is ignored; Masking still zeros masked inputs. */
  readonly ignoreMask?: boolean;
  /** Batch row 0's mask used for every row (a broadcasting slip). */
  readonly maskRowZeroForAll?: boolean;
  /** Masked steps emit zeros when zero_output_for_mask is false and carry when it is true. */
  readonly zeroOutputForMaskInverted?: boolean;
  /** initial_state ignored (zeros used). */
  readonly ignoreInitialState?: boolean;
  /** initial_state read as [c0, h0]. */
  readonly initialStateSwapped?: boolean;
  /** A stateful layer starts every call from zeros. */
  readonly statefulNotCarried?: boolean;
  /** The time loop starts at the second processed step (output rows of skipped steps stay zero). */
  readonly skipFirstStep?: boolean;
  /** Gate columns read per unit, interleaved (i0 f0 c0 o0 i1 …, Chainer's per-unit layout), not in blocks. */
  readonly interleavedGates?: boolean;
  /** Each (input_dim × units) gate block of the kernel read as (units × input_dim) and transposed (reshape instead of transpose, per gate). */
  readonly kernelBlocksReadAsTorch?: boolean;
  /** The input and an explicit mask read as time-major (T, B, …), the sequence output written time-major. */
  readonly timeMajor?: boolean;
  /** At a masked step h and c move on; only the output is held. */
  readonly maskAdvancesState?: boolean;
  /** The mask turned into a length per row and applied as right padding (ONNX sequence_lens). */
  readonly maskAsLengths?: boolean;
  /** A Masking layer's mask applied to the layer called with initial_state (tf-keras, tfjs; Keras 3 drops it). */
  readonly maskingMaskWithInitialState?: boolean;
  /** Masked steps before the first valid one emit the initial h (Keras's JAX backend, tfjs), not zeros. */
  readonly maskedPrefixEmitsInitialH?: boolean;
}

export interface NaiveLstmOptions {
  readonly name: string;
  readonly version?: string;
  readonly flaws?: NaiveLstmFlaws;
}

/** The activations the naive engines implement (Keras's names). */
export const activationNames = [
  "tanh", "sigmoid", "hard_sigmoid", "linear", "relu", "relu6", "softsign", "softplus", "elu", "selu", "exponential", "swish", "silu",
] as const;

export const naiveLstmFeatures: readonly Feature[] = [...OPTION_FEATURES, ...activationFeatures(activationNames)];

export type Act = (x: number) => number;
const sigmoid: Act = (x) => 1 / (1 + Math.exp(-x));
const clip01 = (x: number): number => Math.min(1, Math.max(0, x));

/** The activation `name` as `dialect`'s Keras computes it (shared by the naive GRU and SimpleRNN, naive-rnn.ts). */
export function activation(name: string, dialect: "keras3" | "tf-keras"): Act {
  switch (name) {
    case "tanh": return Math.tanh;
    case "sigmoid": return sigmoid;
    // spec/lstm.md §4: Keras 3 clips x/6 + 0.5; Keras 2 / tf-keras clip 0.2x + 0.5
    case "hard_sigmoid": return dialect === "keras3" ? (x) => clip01(x / 6 + 0.5) : (x) => clip01(0.2 * x + 0.5);
    case "linear": return (x) => x;
    case "relu": return (x) => Math.max(0, x);
    case "relu6": return (x) => Math.min(6, Math.max(0, x));
    case "softsign": return (x) => x / (1 + Math.abs(x));
    case "softplus": return (x) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
    case "elu": return (x) => (x > 0 ? x : Math.expm1(x));
    case "selu": return (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x));
    case "exponential": return Math.exp;
    case "swish":
    case "silu": return (x) => x * sigmoid(x);
    default: throw new Error(`naive LSTM: activation "${name}" not implemented`);
  }
}

/** Per layer and batch row, the state a stateful layer carries into the next call. */
interface LayerState { h: Float32Array; c: Float32Array }

const KERAS_ORDER = "ifco";

type WeightKind = "kernel" | "recurrent" | "bias";

/**
 * A (rows × 4u) weight as the flawed engine uses it: block k of the result is what it takes for Keras
 * gate k. The flaws act in a fixed order, the order in which a port reads a weight: the buffer's
 * layout (reshape instead of transpose) first, then which columns make which gate (interleaved,
 * gate order, slice offsets), then the orientation of each recurrent block.
 */
function readBlocks(data: Float32Array, rows: number, units: number, flaws: NaiveLstmFlaws, kind: WeightKind): Float32Array {
  const cols = 4 * units;
  let src = data;
  if (kind === "kernel" && flaws.kernelReadAsTorchLayout) {
    // the (in, 4u) buffer reinterpreted as (4u, in) and transposed
    src = new Float32Array(rows * cols);
    for (let r = 0; r < cols; r++) for (let k = 0; k < rows; k++) src[k * cols + r] = data[r * rows + k]!;
  }
  if (kind === "kernel" && flaws.kernelBlocksReadAsTorch) src = reshapeEachBlock(src, rows, units);
  const out = new Float32Array(rows * cols);
  for (let g = 0; g < 4; g++) {
    const source = sourceBlock(g, flaws);
    for (let j = 0; j < units; j++) {
      // interleaved: unit j's four gates side by side (i0 f0 c0 o0 i1 …); blocked: gate by gate
      const from = flaws.interleavedGates ? 4 * j + source : source * units + j;
      for (let r = 0; r < rows; r++) out[r * cols + g * units + j] = src[r * cols + from]!;
    }
  }
  if (kind === "recurrent" && flaws.transposeRecurrentBlocks) {
    const t = new Float32Array(out.length);
    for (let g = 0; g < 4; g++) for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) t[r * cols + g * units + j] = out[j * cols + g * units + r]!;
    return t;
  }
  return out;
}

/** Each (rows × u) gate block's row-major buffer read as (u × rows) and transposed: a per-gate reshape instead of transpose. */
function reshapeEachBlock(data: Float32Array, rows: number, units: number): Float32Array {
  const cols = 4 * units;
  const out = new Float32Array(data.length);
  for (let g = 0; g < 4; g++) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < units; j++) {
        const k = j * rows + r; // element (j, r) of the (u × rows) reading is the block's k-th element
        out[r * cols + g * units + j] = data[Math.floor(k / units) * cols + g * units + (k % units)]!;
      }
    }
  }
  return out;
}

/** Which stored block the flawed engine reads for Keras gate `g` (0=i,1=f,2=c,3=o). */
function sourceBlock(g: number, flaws: NaiveLstmFlaws): number {
  if (g === 1 && flaws.forgetGateReadsBlock) return KERAS_ORDER.indexOf(flaws.forgetGateReadsBlock);
  if (flaws.gateOrder) return flaws.gateOrder.indexOf(KERAS_ORDER[g]!);
  return g;
}

function zeros(shape: number[]): Tensor {
  return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}

interface LayerRun { sequence: Tensor; last: Tensor; h: Tensor; c: Tensor }

function runLayer(
  layer: LstmLayer,
  dialect: "keras3" | "tf-keras",
  x: Tensor,
  givenMask: Uint8Array | undefined,
  init: readonly Tensor[] | undefined,
  flaws: NaiveLstmFlaws,
): LayerRun {
  const [B, T, D] = x.shape as [number, number, number];
  const cfg = layer.config;
  const u = cfg.units;
  const mask = givenMask && flaws.maskAsLengths ? lengthsAsRightPadding(givenMask, B, T) : givenMask;
  const W = readBlocks(layer.weights.kernel.data, D, u, flaws, "kernel");
  const U = readBlocks(layer.weights.recurrent_kernel.data, u, u, flaws, "recurrent");
  const bias = new Float32Array(4 * u);
  if (cfg.use_bias && layer.weights.bias) {
    const b = readBlocks(layer.weights.bias.data, 1, u, flaws, "bias");
    const factor = flaws.biasFactor ?? 1;
    for (let k = 0; k < 4 * u; k++) bias[k] = b[k]! * factor;
  }
  if (flaws.runtimeForgetBias) for (let j = 0; j < u; j++) bias[u + j] = bias[u + j]! + flaws.runtimeForgetBias;

  const usedDialect = flaws.hardSigmoidAs ?? dialect;
  const act = activation(cfg.activation, usedDialect);
  const rec = activation(flaws.recurrentActivationAlwaysSigmoid ? "sigmoid" : cfg.recurrent_activation, usedDialect);

  const h = new Float32Array(B * u);
  const c = new Float32Array(B * u);
  if (init && !flaws.ignoreInitialState) {
    const [h0, c0] = flaws.initialStateSwapped ? [init[1]!, init[0]!] : [init[0]!, init[1]!];
    h.set(h0.data);
    c.set(c0.data);
  }
  const sequence = zeros([B, T, u]);
  // spec/lstm.md §3.5.3: zeros before the first valid step (JAX's scan starts from the initial h)
  const prevOut = flaws.maskedPrefixEmitsInitialH ? Float32Array.from(h) : new Float32Array(B * u);
  const z = new Float64Array(4 * u);
  const zeroMasked = (cfg.zero_output_for_mask ?? false) !== (flaws.zeroOutputForMaskInverted ?? false);

  for (let s = flaws.skipFirstStep ? 1 : 0; s < T; s++) {
    const t = cfg.go_backwards ? T - 1 - s : s; // processing order, spec/lstm.md §3 (go_backwards)
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 4 * u; k++) {
        let acc = bias[k]!;
        for (let d = 0; d < D; d++) acc += x.data[(b * T + t) * D + d]! * W[d * 4 * u + k]!;
        for (let j = 0; j < u; j++) acc += h[b * u + j]! * U[j * 4 * u + k]!;
        z[k] = acc;
      }
      const valid = flaws.ignoreMask || !mask || mask[(flaws.maskRowZeroForAll ? 0 : b) * T + t] === 1;
      for (let j = 0; j < u; j++) {
        const i = rec(z[j]!);
        const f = rec(z[u + j]!);
        const g = act(z[2 * u + j]!);
        const o = rec(z[3 * u + j]!);
        const cNew = Math.fround(f * c[b * u + j]! + i * g);
        const hNew = Math.fround(o * (flaws.noActivationOnCell ? cNew : act(cNew)));
        const outIndex = (b * T + s) * u + j;
        if (valid || flaws.maskAdvancesState) {
          c[b * u + j] = cNew;
          h[b * u + j] = hNew;
        }
        if (valid) {
          prevOut[b * u + j] = hNew;
          sequence.data[outIndex] = hNew;
        } else {
          sequence.data[outIndex] = zeroMasked ? 0 : prevOut[b * u + j]!;
        }
      }
    }
  }
  const last = zeros([B, u]);
  for (let b = 0; b < B; b++) for (let j = 0; j < u; j++) last.data[b * u + j] = sequence.data[(b * T + T - 1) * u + j]!;
  if (flaws.backwardsOutputReReversed && cfg.go_backwards) {
    const flipped = zeros([B, T, u]);
    for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) for (let j = 0; j < u; j++) {
      flipped.data[(b * T + s) * u + j] = sequence.data[(b * T + (T - 1 - s)) * u + j]!;
    }
    return { sequence: flipped, last, h: { shape: [B, u], data: h }, c: { shape: [B, u], data: c } };
  }
  return { sequence, last, h: { shape: [B, u], data: h }, c: { shape: [B, u], data: c } };
}

/** A (B, T) mask replaced by one whose row b has its first n_b steps valid, n_b = the row's valid steps. */
export function lengthsAsRightPadding(mask: Uint8Array, B: number, T: number): Uint8Array {
  const out = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < T; t++) n += mask[b * T + t]!;
    out.fill(1, b * T, b * T + n);
  }
  return out;
}

/**
 * A (B, T, …) buffer as an engine that takes it for time-major (T, B, …) sees it, in (B, T, …) order
 * (`toBatchMajor`); or a (B, T, …) result written back time-major (`!toBatchMajor`).
 */
export function swapBatchTime<D extends Float32Array | Uint8Array>(data: D, B: number, T: number, toBatchMajor: boolean): D {
  const inner = data.length / (B * T);
  const out = data.slice() as D;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const batchMajor = (b * T + t) * inner;
      const timeMajor = (t * B + b) * inner;
      const [to, from] = toBatchMajor ? [batchMajor, timeMajor] : [timeMajor, batchMajor];
      out.set(data.subarray(from, from + inner), to);
    }
  }
  return out;
}

/** Keras's Masking layer: mask = any feature differs from mask_value; masked steps' features zeroed. */
export function applyMasking(x: Tensor, maskValue: number): { x: Tensor; mask: Uint8Array } {
  const [B, T, D] = x.shape as [number, number, number];
  const mask = new Uint8Array(B * T);
  const out = new Float32Array(x.data);
  for (let bt = 0; bt < B * T; bt++) {
    let any = false;
    for (let d = 0; d < D; d++) if (x.data[bt * D + d] !== maskValue) any = true;
    mask[bt] = any ? 1 : 0;
    if (!any) out.fill(0, bt * D, (bt + 1) * D);
  }
  return { x: { shape: x.shape, data: out }, mask };
}

/** Whether a layer is an LSTM: the naive engine computes no other recurrent layer. */
const isLstm = (l: { readonly className: string }): l is LstmLayer => l.className === "LSTM";

/** An engine whose `run` is synchronous. */
export interface SyncEngine extends Engine {
  run(c: LayerCase): EngineOutputs;
}

/** A naive LSTM engine, with the flaws it was built with (so that two mutants' flaws can be combined). */
export interface NaiveEngine extends SyncEngine {
  readonly flaws: NaiveLstmFlaws;
}

/** Builds an engine computing LSTM cases with the given flaws (none: a correct float32 engine). */
export function naiveLstmEngine(options: NaiveLstmOptions): NaiveEngine {
  const flaws = options.flaws ?? {};
  return {
    flaws,
    name: options.name,
    version: options.version ?? "1.0.0",
    features: naiveLstmFeatures,
    run(c: LayerCase): EngineOutputs {
      const lstms = lstmLayers(c);
      const carried = new Map<number, LayerState>();
      return c.calls.map((call: CallInputs) => {
        const [B, T] = call.x.shape as [number, number];
        let x = flaws.timeMajor ? { shape: call.x.shape, data: swapBatchTime(call.x.data, B, T, true) } : call.x;
        let mask = call.mask && flaws.timeMajor ? swapBatchTime(call.mask.data, B, T, true) : call.mask?.data;
        let maskIsAttached = false; // computed by a Masking layer rather than passed as mask=
        let lstmIndex = 0;
        let result: Tensor[] = [];
        for (const layer of c.layers) {
          if (layer.className === "Masking") {
            const masked = applyMasking(x, layer.config.mask_value);
            x = masked.x;
            mask = masked.mask;
            maskIsAttached = true;
            continue;
          }
          if (!isLstm(layer)) throw new Error(`naive LSTM: cannot run a ${(layer as { className: string }).className} layer`);
          const stored = carried.get(lstmIndex);
          let init: readonly Tensor[] | undefined = lstmIndex === 0 ? call.initialState : undefined;
          if (!init && stored && layer.config.stateful && !flaws.statefulNotCarried) {
            init = [{ shape: [x.shape[0]!, layer.config.units], data: stored.h }, { shape: [x.shape[0]!, layer.config.units], data: stored.c }];
          }
          // spec/lstm.md §3.5.7: Keras 3 does not hand a Masking layer's mask to a layer called with
          // initial_state; the mask still reaches the next layer of the stack.
          const givenInitialState = lstmIndex === 0 && call.initialState !== undefined;
          const applied = givenInitialState && maskIsAttached && c.dialect === "keras3" && !flaws.maskingMaskWithInitialState ? undefined : mask;
          // a carried state is the engine's own bookkeeping, not user input: the initial-state flaws do not apply to it
          const run = runLayer(layer, c.dialect, x, applied, init, init === call.initialState ? flaws : { ...flaws, ignoreInitialState: false, initialStateSwapped: false });
          if (layer.config.stateful) carried.set(lstmIndex, { h: run.h.data, c: run.c.data });
          const sequence = flaws.timeMajor && lstmIndex === lstms.length - 1 ? { shape: run.sequence.shape, data: swapBatchTime(run.sequence.data, B, T, false) } : run.sequence;
          const output = layer.config.return_sequences ? sequence : run.last;
          result = layer.config.return_state
            ? flaws.returnedStateSwapped ? [output, run.c, run.h] : [output, run.h, run.c]
            : [output];
          x = run.sequence; // spec/lstm.md §3 (stacked): the next layer reads this layer's sequence
          lstmIndex++;
        }
        if (lstmIndex !== lstms.length) throw new Error("naive LSTM: layer bookkeeping went wrong");
        return result;
      });
    },
  };
}
