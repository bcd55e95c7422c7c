/**
 * A case: what an engine is asked to compute (DESIGN.md "A case"), and — for a fixture case — what
 * Keras computed for it. Field names inside `config` stay in Keras's own vocabulary (snake_case),
 * exactly as `layer.get_config()` wrote them (spec/fixture-format.md §3.1).
 */
import type { BoolTensor, Tensor } from "./tensor.ts";

/** Which Keras produced a case; it fixes the meaning of names such as `hard_sigmoid` (spec/lstm.md). */
export type Dialect = "keras3" | "tf-keras";

/** An LSTM layer's config as Keras serialises it. Keys the suite reads are typed; the rest pass through. */
export interface LstmConfig {
  readonly units: number;
  readonly activation: string;
  readonly recurrent_activation: string;
  readonly use_bias: boolean;
  readonly return_sequences: boolean;
  readonly return_state: boolean;
  readonly go_backwards: boolean;
  readonly stateful: boolean;
  readonly zero_output_for_mask?: boolean;
  readonly unit_forget_bias?: boolean;
  readonly dropout?: number;
  readonly recurrent_dropout?: number;
  readonly unroll?: boolean;
  readonly [key: string]: unknown;
}

/** LSTM weights in Keras layout (spec/lstm.md §1): gate blocks i, f, c, o along the last axis. */
export interface LstmWeights {
  /** (input_dim, 4·units) */
  readonly kernel: Tensor;
  /** (units, 4·units) */
  readonly recurrent_kernel: Tensor;
  /** (4·units); absent when `use_bias` is false. */
  readonly bias?: Tensor;
}

export interface LstmLayer {
  readonly className: "LSTM";
  readonly config: LstmConfig;
  readonly weights: LstmWeights;
}

/** Keras's `Masking` layer: masks every step whose features all equal `mask_value`. */
export interface MaskingLayer {
  readonly className: "Masking";
  readonly config: { readonly mask_value: number; readonly [key: string]: unknown };
}

export type Layer = LstmLayer | MaskingLayer;

/** The inputs of one call of the model. */
export interface CallInputs {
  /** (batch, timesteps, input_dim) */
  readonly x: Tensor;
  /** (batch, timesteps), passed as `mask=` to the first recurrent layer. */
  readonly mask?: BoolTensor;
  /** [h0, c0], each (batch, units), passed as `initial_state=` to the first recurrent layer. */
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
  /** (batch, timesteps, units) */
  readonly h: Tensor;
  /** (batch, timesteps, units) */
  readonly c: Tensor;
}

/** What Keras returned for one call. */
export interface ExpectedCall {
  /** `[output]` or `[output, h, c]`, in Keras's order. */
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

/** The LSTM layers of a case, in order. */
export function lstmLayers(c: LayerCase): LstmLayer[] {
  return c.layers.filter((l): l is LstmLayer => l.className === "LSTM");
}
