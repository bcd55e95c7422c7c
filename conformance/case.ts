/**
 * A case: what an engine is asked to compute (DESIGN.md "A case"), and — for a fixture case — what
 * Keras computed for it. Field names inside `config` stay in Keras's own vocabulary (snake_case),
 * exactly as `layer.get_config()` wrote them (spec/fixture-format.md §3.1).
 */
import type { MergeMode } from "../reference/bidirectional.ts";
import type { BoolTensor, Tensor } from "./tensor.ts";

export type { MergeMode } from "../reference/bidirectional.ts";

/** Which Keras produced a case; it fixes the meaning of names such as `hard_sigmoid` (spec/lstm.md). */
export type Dialect = "keras3" | "tf-keras";

/** The config keys every recurrent layer has (Keras's `RNN` base layer and its cell). Keys the suite reads are typed; the rest pass through. */
export interface RecurrentConfig {
  readonly units: number;
  readonly activation: string;
  readonly use_bias: boolean;
  readonly return_sequences: boolean;
  readonly return_state: boolean;
  readonly go_backwards: boolean;
  readonly stateful: boolean;
  readonly zero_output_for_mask?: boolean;
  readonly dropout?: number;
  readonly recurrent_dropout?: number;
  readonly unroll?: boolean;
  readonly [key: string]: unknown;
}

/** An LSTM layer's config as Keras serialises it (spec/lstm.md §3.13). */
export interface LstmConfig extends RecurrentConfig {
  readonly recurrent_activation: string;
  readonly unit_forget_bias?: boolean;
}

/** A GRU layer's config (spec/gru.md §3.13): `reset_after` picks the step (§2.1, §2.2) and the bias shape (§1.3). */
export interface GruConfig extends RecurrentConfig {
  readonly recurrent_activation: string;
  readonly reset_after: boolean;
}

/** A SimpleRNN layer's config (spec/simple-rnn.md §3.13): no recurrent_activation. */
export type SimpleRnnConfig = RecurrentConfig;

/**
 * A recurrent layer's weights in Keras layout, `get_weights()` order: `kernel (input_dim, n·units)`,
 * `recurrent_kernel (units, n·units)`, `bias` when `use_bias` — `n` column blocks and the bias shape
 * per cell are its layout (conformance/cells.ts).
 */
export interface RecurrentWeights {
  readonly kernel: Tensor;
  readonly recurrent_kernel: Tensor;
  /** Absent when `use_bias` is false. */
  readonly bias?: Tensor;
}

/** LSTM weights in Keras layout (spec/lstm.md §1): gate blocks i, f, c, o along the last axis. */
export interface LstmWeights extends RecurrentWeights {
  /** (input_dim, 4·units) */
  readonly kernel: Tensor;
  /** (units, 4·units) */
  readonly recurrent_kernel: Tensor;
  /** (4·units); absent when `use_bias` is false. */
  readonly bias?: Tensor;
}

/** GRU weights (spec/gru.md §1): blocks z, r, h; the bias is (2, 3·units) with reset_after (row 0 input, row 1 recurrent), else (3·units). */
export interface GruWeights extends RecurrentWeights {
  /** (input_dim, 3·units) */
  readonly kernel: Tensor;
  /** (units, 3·units) */
  readonly recurrent_kernel: Tensor;
  /** (2, 3·units) with reset_after, (3·units) without; absent when `use_bias` is false. */
  readonly bias?: Tensor;
}

/** SimpleRNN weights (spec/simple-rnn.md §1): one block. */
export interface SimpleRnnWeights extends RecurrentWeights {
  /** (input_dim, units) */
  readonly kernel: Tensor;
  /** (units, units) */
  readonly recurrent_kernel: Tensor;
  /** (units); absent when `use_bias` is false. */
  readonly bias?: Tensor;
}

export interface LstmLayer {
  readonly className: "LSTM";
  readonly config: LstmConfig;
  readonly weights: LstmWeights;
}

export interface GruLayer {
  readonly className: "GRU";
  readonly config: GruConfig;
  readonly weights: GruWeights;
}

export interface SimpleRnnLayer {
  readonly className: "SimpleRNN";
  readonly config: SimpleRnnConfig;
  readonly weights: SimpleRnnWeights;
}

/** Any recurrent layer: Keras's `RNN` with one of its cells (the layout of each: conformance/cells.ts). */
export type RecurrentLayer = LstmLayer | GruLayer | SimpleRnnLayer;

/** Keras's `Masking` layer: masks every step whose features all equal `mask_value`. */
export interface MaskingLayer {
  readonly className: "Masking";
  readonly config: { readonly mask_value: number; readonly [key: string]: unknown };
}

/**
 * Keras's `Bidirectional` (spec/bidirectional.md): one layer of the case, two recurrent layers inside,
 * each with the config Keras built it with — the backward layer's `go_backwards` and both layers'
 * `zero_output_for_mask` as the wrapper set them (forced in Keras 3, toggled in tf-keras) — and its
 * own weights in its cell's layout. `config` is the wrapper's own (`merge_mode`; null is Keras's None).
 */
export interface BidirectionalLayer {
  readonly className: "Bidirectional";
  readonly config: { readonly merge_mode: MergeMode; readonly [key: string]: unknown };
  readonly forward: RecurrentLayer;
  readonly backward: RecurrentLayer;
}

/** A layer that takes the sequence and returns one: a cell's layer, or a Bidirectional of two. */
export type SequenceLayer = RecurrentLayer | BidirectionalLayer;

export type Layer = RecurrentLayer | BidirectionalLayer | MaskingLayer;

/** The inputs of one call of the model. */
export interface CallInputs {
  /** (batch, timesteps, input_dim) */
  readonly x: Tensor;
  /** (batch, timesteps), passed as `mask=` to the first recurrent layer. */
  readonly mask?: BoolTensor;
  /**
   * Passed as `initial_state=` to the first recurrent layer: its states in order, each (batch, units) —
   * [h0, c0] for an LSTM, [h0] for a GRU or a SimpleRNN (spec/lstm.md §3.4, spec/gru.md §3.4).
   */
  readonly initialState?: readonly Tensor[];
}

/** What an engine receives: the model and the calls to make, in order. */
export interface LayerCase {
  readonly id: string;
  readonly dialect: Dialect;
  readonly layers: readonly Layer[];
  /** A `stateful` layer carries its state from one call to the next; otherwise calls are independent. */
  readonly calls: readonly CallInputs[];
}

/** The state after every step of one recurrent layer, in processing order (spec/fixture-format.md §3.2). */
export interface StepRecord {
  readonly layer: number;
  /** Which of a Bidirectional's two layers (spec/bidirectional.md); absent for any other layer. */
  readonly direction?: "forward" | "backward";
  /** (batch, timesteps, units) */
  readonly h: Tensor;
  /** (batch, timesteps, units); an LSTM's layer only (a GRU or a SimpleRNN has no c). */
  readonly c?: Tensor;
}

/** What Keras returned for one call. */
export interface ExpectedCall {
  /** `[output]`, or with return_state `[output, h, c]` (LSTM) or `[output, h]` (GRU, SimpleRNN), in Keras's order. */
  readonly outputs: readonly Tensor[];
  readonly steps: readonly StepRecord[];
}

/** `abs(actual - expected) <= atol + rtol * abs(expected)`, both finite (spec/tolerance.md). */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
  /** "policy", or why this case overrides it. */
  readonly source: string;
}

/** How another Keras backend's run of the case compared with the canonical one. */
export interface BackendRun {
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly agrees: boolean;
  /** That backend's outputs, per call, kept when it disagrees. */
  readonly outputs?: readonly (readonly Tensor[])[];
  readonly note?: string;
}

/** A case read from a fixture file: the inputs, Keras's outputs and where they came from. */
export interface FixtureCase extends LayerCase {
  readonly description: string;
  readonly seed: number;
  /** Path of the fixture file, for messages and reproductions. */
  readonly file: string;
  readonly tolerance: Tolerance;
  readonly expected: readonly ExpectedCall[];
  readonly backends: Readonly<Record<string, BackendRun>>;
}

/** The recurrent layers of a case that are not inside a Bidirectional (every layer but Masking and Bidirectional), in order. */
export function recurrentLayers(c: LayerCase): RecurrentLayer[] {
  return c.layers.filter((l): l is RecurrentLayer => l.className !== "Masking" && l.className !== "Bidirectional");
}

/** The layers of a case that take and return a sequence — recurrent layers and Bidirectionals — in order. */
export function sequenceLayers(c: LayerCase): SequenceLayer[] {
  return c.layers.filter((l): l is SequenceLayer => l.className !== "Masking");
}

/** Every recurrent layer of a case, a Bidirectional's two included (forward, then backward), in order. */
export function cellLayers(c: LayerCase): RecurrentLayer[] {
  return sequenceLayers(c).flatMap((l) => (l.className === "Bidirectional" ? [l.forward, l.backward] : [l]));
}

/** Whether a case has a Bidirectional layer. */
export const hasBidirectional = (c: LayerCase): boolean => c.layers.some((l) => l.className === "Bidirectional");

/** The LSTM layers of a case, in order (in a mixed stack, only those). */
export function lstmLayers(c: LayerCase): LstmLayer[] {
  return c.layers.filter((l): l is LstmLayer => l.className === "LSTM");
}
