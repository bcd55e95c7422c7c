/**
 * The engine interface (spec/adapter.md): anything that turns a case into outputs. The reference is
 * one engine; tfjs, ONNX Runtime, a process in another language and the mutants are others.
 */
import type { Dialect, GruConfig, GruWeights, LayerCase, LstmConfig, LstmWeights, SimpleRnnConfig, SimpleRnnWeights } from "./case.ts";
import type { GradientAnswer, GradientRequest } from "./gradients/case.ts";
import type { BoolTensor, Tensor } from "./tensor.ts";

/**
 * An option a case may need. An engine lists what it implements; a case that needs anything else is
 * reported as *unsupported* for that engine, never as passed (spec/adapter.md §2).
 * Activations use Keras's names, e.g. `activation:relu`, `recurrent_activation:hard_sigmoid`.
 * Cells: `cell:lstm`, `cell:gru`, `cell:simple_rnn`; an engine that declares none implements the LSTM
 * only (conformance/features.ts `implementedFeatures`). `gru:reset_after_false`: a GRU with
 * `reset_after=False` (spec/gru.md §2.2).
 */
export type Feature =
  | "cell:lstm"
  | "cell:gru"
  | "cell:simple_rnn"
  | "gru:reset_after_false"
  | "return_sequences"
  | "return_state"
  | "go_backwards"
  | "initial_state"
  | "mask"
  | "masking_layer"
  | "zero_output_for_mask"
  | "stateful"
  | "stacked"
  | "use_bias_false"
  | "dialect:tf-keras"
  | "bidirectional"
  | "gradients"
  | `activation:${string}`
  | `recurrent_activation:${string}`;

/** Per call, the outputs in Keras's order: `[output]`, or with return_state `[output, h, c]` (LSTM) or `[output, h]` (GRU, SimpleRNN). */
export type EngineOutputs = readonly (readonly Tensor[])[];

export interface Engine {
  readonly name: string;
  readonly version: string;
  /** The options this engine implements. */
  readonly features: readonly Feature[];
  /** Computes a case. May be async; may throw (reported as an *error* verdict for that case). */
  run(c: LayerCase): EngineOutputs | Promise<EngineOutputs>;
  /**
   * The gradient capability (spec/gradients.md §7.2), with the feature `gradients`: per call of the
   * request, the gradients of Σ⟨cotangent, output⟩ w.r.t. every recurrent layer's weights (Keras
   * layout), x and — when the first recurrent layer is given or carries a state — that state.
   * Without the feature and this method, every gradient case is *unsupported*, never a pass. May
   * throw, also `UnsupportedCaseError`, as `run`.
   */
  gradients?(req: GradientRequest): EngineGradients | Promise<EngineGradients>;
  /** Releases resources (a subprocess, a session) at the end of a run. */
  close?(): void | Promise<void>;
}

/** Per call, an engine's gradients (spec/gradients.md §5.2's `gradients`); float32 or float64 data. */
export type EngineGradients = readonly GradientAnswer<LayerTensor>[];

/**
 * Thrown by `run` when a case uses only declared features but in a combination the engine cannot
 * express (e.g. ONNX `sequence_lens` can only say "the first L steps are valid", so a mask with a
 * hole cannot be passed to it). The runner reports the case as *unsupported* with this reason, not
 * as an error (spec/adapter.md §2).
 */
export class UnsupportedCaseError extends Error {
  constructor(readonly reason: string) {
    super(`unsupported: ${reason}`);
    this.name = "UnsupportedCaseError";
  }
}

/**
 * What every layer call carries, whatever the cell (spec/adapter.md §1.2): the suite composes the
 * model around it — the Masking layer, stacks, the mask passed down, stateful calls, what is
 * returned (spec/lstm.md §3) — so the engine implements only the layer.
 */
interface LayerCallBase {
  /** Which Keras wrote the config; it fixes what `hard_sigmoid` means (spec/lstm.md §4.2). */
  readonly dialect: Dialect;
  /**
   * (batch, timesteps, input_dim): the call's x — zeroed at masked steps when a Masking layer comes
   * first (spec/lstm.md §3.5.5) — or, further down a stack, the previous layer's sequence (as float32).
   */
  readonly x: Tensor;
  /** (batch, timesteps), 1 = valid, in original time order even with `go_backwards` (spec/lstm.md §3.5). */
  readonly mask?: BoolTensor;
  /** Where the call sits, for logs and for an engine that keeps stateful layers' state itself. */
  readonly caseId: string;
  /** The layer's position in the case's `layers` (a Masking layer counts); a Bidirectional's two layers share it. */
  readonly layerIndex: number;
  /**
   * Set when the layer is one of a Bidirectional's two (spec/bidirectional.md): an engine that keeps
   * stateful layers' state itself keys it by layerIndex *and* direction.
   */
  readonly direction?: "forward" | "backward";
  /** Which call of the case: a stateful layer's state starts from zeros at call 0 (spec/lstm.md §3.6). */
  readonly callIndex: number;
}

/** One call of one LSTM layer, as a *layer engine*'s `lstm()` receives it (spec/adapter.md §1.2). */
export interface LstmLayerCall extends LayerCallBase {
  readonly className: "LSTM";
  /** Keras's `get_config()` keys (spec/lstm.md §3.13). */
  readonly config: LstmConfig;
  /** Keras layout: gate blocks i, f, c, o along the last axis (spec/lstm.md §1). */
  readonly weights: LstmWeights;
  /** [h0, c0], each (batch, units): the call's `initial_state`, or what a stateful layer kept from the previous call. */
  readonly initialState?: readonly [Tensor, Tensor];
}

/** One call of one GRU layer, as `gru()` receives it (spec/adapter.md §1.2; spec/gru.md). */
export interface GruLayerCall extends LayerCallBase {
  readonly className: "GRU";
  /** Keras's `get_config()` keys; `reset_after` decides the step (spec/gru.md §2.1, §2.2). */
  readonly config: GruConfig;
  /** Keras layout: blocks z, r, h; bias (2, 3·units) with reset_after, else (3·units) (spec/gru.md §1). */
  readonly weights: GruWeights;
  /** [h0], (batch, units) (spec/gru.md §3.4). */
  readonly initialState?: readonly [Tensor];
}

/** One call of one SimpleRNN layer, as `simpleRnn()` receives it (spec/adapter.md §1.2; spec/simple-rnn.md). */
export interface SimpleRnnLayerCall extends LayerCallBase {
  readonly className: "SimpleRNN";
  readonly config: SimpleRnnConfig;
  /** Keras layout: kernel (input_dim, units), recurrent_kernel (units, units), bias (units) (spec/simple-rnn.md §1). */
  readonly weights: SimpleRnnWeights;
  /** [h0], (batch, units). */
  readonly initialState?: readonly [Tensor];
}

/** A call of any recurrent layer; `className` says which cell. */
export type RecurrentLayerCall = LstmLayerCall | GruLayerCall | SimpleRnnLayerCall;

/** A float tensor a layer engine returns: Float32Array or Float64Array data (compared as is, spec/adapter.md §3). */
export type LayerTensor = Tensor | Tensor<Float64Array>;

/**
 * What one LSTM layer call returns: the final state `h`, `c` (after the last *valid* step, spec/lstm.md
 * §3.5.2) and either `sequence` — every step's output, (batch, timesteps, units), in processing
 * order (§3.3) — or `output`, the layer's output exactly as Keras returns it (the sequence with
 * `return_sequences`, else the last output, (batch, units)). From a sequence the suite takes the last
 * step as the last output, which is what Keras returns, masks and `zero_output_for_mask` included.
 */
export type LstmLayerOutputs =
  | { readonly sequence: LayerTensor; readonly output?: never; readonly h: LayerTensor; readonly c: LayerTensor }
  | { readonly output: LayerTensor; readonly sequence?: never; readonly h: LayerTensor; readonly c: LayerTensor };

/** What one GRU or SimpleRNN layer call returns: as `LstmLayerOutputs`, with the one state `h` and no `c` (spec/gru.md §3.2). */
export type GruLayerOutputs =
  | { readonly sequence: LayerTensor; readonly output?: never; readonly h: LayerTensor; readonly c?: never }
  | { readonly output: LayerTensor; readonly sequence?: never; readonly h: LayerTensor; readonly c?: never };

export type SimpleRnnLayerOutputs = GruLayerOutputs;

/** What any layer call returns; `c` exactly for an LSTM. */
export type RecurrentLayerOutputs = LstmLayerOutputs | GruLayerOutputs;

/**
 * The cotangents of what one layer call returned (spec/gradients.md §7.2): `output` of the layer's
 * output exactly as Keras returns it — (batch, timesteps, units) in processing order with
 * `return_sequences`, else (batch, units), the last output — and one per final state, in the cell's
 * order. Always all present: zeros where nothing above reads a tensor (a lower layer's states, a
 * state the model does not return, spec/gradients.md §3.5).
 */
export interface LstmCotangents {
  readonly output: Tensor;
  readonly h: Tensor;
  readonly c: Tensor;
}

/** As `LstmCotangents`, for the one state h of a GRU or SimpleRNN. */
export interface GruCotangents {
  readonly output: Tensor;
  readonly h: Tensor;
}

export type SimpleRnnCotangents = GruCotangents;

/**
 * One LSTM layer call and the cotangents of what it returned, as `lstmGradients()` receives it. The
 * call is the one the forward made, except that a stateful layer's carried state is always given as
 * `initialState` (zeros on call 0): for gradients the engine keeps no state (spec/gradients.md §3.4).
 */
export interface LstmGradientCall extends LstmLayerCall {
  readonly cotangents: LstmCotangents;
}
export interface GruGradientCall extends GruLayerCall {
  readonly cotangents: GruCotangents;
}
export interface SimpleRnnGradientCall extends SimpleRnnLayerCall {
  readonly cotangents: SimpleRnnCotangents;
}
export type RecurrentGradientCall = LstmGradientCall | GruGradientCall | SimpleRnnGradientCall;

/**
 * One layer call's backward (spec/gradients.md §7.2), each in Keras's shape: the weights' gradients
 * (kernel (D, n·u), recurrent_kernel (u, n·u), bias exactly with use_bias — (2, 3u) for a
 * reset_after GRU), `x` (batch, timesteps, input_dim) in original time order, and `initialState`
 * ([h0, c0] or [h0], each (batch, units)), required when the call has an `initialState`.
 */
export interface LayerGradients {
  readonly kernel: LayerTensor;
  readonly recurrent_kernel: LayerTensor;
  readonly bias?: LayerTensor;
  readonly x: LayerTensor;
  readonly initialState?: readonly LayerTensor[];
}

/**
 * An engine that implements one recurrent layer call per cell it has (spec/adapter.md §1.2): `lstm`,
 * `gru`, `simpleRnn` — at least one. It implements exactly the cells it has a function for.
 * `layerEngine(def)` makes an Engine of it; `--engine` also accepts a module exporting one as it is.
 */
export interface LayerEngine {
  readonly name: string;
  readonly version: string;
  /**
   * What the layer implements: activations, `go_backwards`, `mask`, `initial_state`,
   * `zero_output_for_mask`, `use_bias_false`, `dialect:tf-keras`, `gru:reset_after_false`;
   * `stateful` only when the engine keeps stateful layers' state itself. Default: Keras's default
   * cell (tanh / sigmoid). The `cell:*` features follow from the functions it has.
   */
  readonly features?: readonly Feature[];
  /** Computes one LSTM layer call. May be async; may throw, also `UnsupportedCaseError` (the whole case then is unsupported). */
  lstm?(call: LstmLayerCall): LstmLayerOutputs | Promise<LstmLayerOutputs>;
  /** Computes one GRU layer call (spec/gru.md), as `lstm`. */
  gru?(call: GruLayerCall): GruLayerOutputs | Promise<GruLayerOutputs>;
  /** Computes one SimpleRNN layer call (spec/simple-rnn.md), as `lstm`. */
  simpleRnn?(call: SimpleRnnLayerCall): SimpleRnnLayerOutputs | Promise<SimpleRnnLayerOutputs>;
  /**
   * The backward of one LSTM layer call (spec/gradients.md §7.2): the suite composes the model's
   * backward around it (reference/gradients/model.ts's rules) as it composes the forward. Having one
   * of the three gradient functions declares the feature `gradients`; a gradient case of a cell
   * without one is unsupported. Needs the cell's forward function too (the suite runs the forward
   * with it to know each layer's input).
   */
  lstmGradients?(call: LstmGradientCall): LayerGradients | Promise<LayerGradients>;
  gruGradients?(call: GruGradientCall): LayerGradients | Promise<LayerGradients>;
  simpleRnnGradients?(call: SimpleRnnGradientCall): LayerGradients | Promise<LayerGradients>;
  close?(): void | Promise<void>;
}
