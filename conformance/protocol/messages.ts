/**
 * The out-of-process protocol's messages as they travel, one JSON object per line
 * (spec/adapter.md §8, schema spec/protocol.schema.json). Field names follow the fixture format
 * (snake_case, spec/fixture-format.md §3) so an engine can read fixtures and protocol messages with
 * the same code.
 */
import type { Dialect } from "../case.ts";

/** The newest protocol version this runner speaks (spec/adapter.md §8.1). */
export const PROTOCOL_VERSION = 3;

/**
 * Every version this runner speaks: 2 only adds to 1 (layer engines, `unsupported`, notes), 3 only
 * adds to 2 (the gradient messages, spec/gradients.md §7.3), so 1 and 2 keep working.
 */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2, 3];

/** The first version with the gradient messages (spec/gradients.md §7.3). */
export const GRADIENTS_PROTOCOL = 3;

/** A float value on the wire: a JSON number, or one of these strings for non-finite values. */
export type WireFloat = number | "NaN" | "Infinity" | "-Infinity";

/** spec/fixture-format.md §3.3: flat row-major data plus shape. */
export interface WireFloatTensor {
  readonly dtype: "float32";
  readonly shape: readonly number[];
  readonly data: readonly WireFloat[];
  readonly name?: string;
}

export interface WireBoolTensor {
  readonly dtype: "bool";
  readonly shape: readonly number[];
  readonly data: readonly boolean[];
}

/** A recurrent layer (spec/fixture-format.md §3.1): its class names the cell, weights in get_weights() order. */
export interface WireRecurrentLayer {
  readonly class_name: "LSTM" | "GRU" | "SimpleRNN";
  readonly config: Readonly<Record<string, unknown>>;
  readonly weights: readonly WireFloatTensor[];
}

/** A Bidirectional (spec/fixture-format.md §3.1, spec/bidirectional.md): its own config (merge_mode), and its two recurrent layers. */
export interface WireBidirectionalLayer {
  readonly class_name: "Bidirectional";
  readonly config: Readonly<Record<string, unknown>>;
  readonly forward: WireRecurrentLayer;
  readonly backward: WireRecurrentLayer;
}

export type WireLayer = WireRecurrentLayer | WireBidirectionalLayer | { readonly class_name: "Masking"; readonly config: Readonly<Record<string, unknown>> };

export interface WireCall {
  readonly x: WireFloatTensor;
  readonly mask?: WireBoolTensor;
  readonly initial_state?: readonly WireFloatTensor[];
}

/** engine → runner, first line (§8.2). */
export interface HelloMessage {
  readonly type: "hello";
  readonly protocol: number;
  readonly engine: { readonly name: string; readonly version: string; readonly [key: string]: unknown };
  readonly capabilities: readonly string[];
  /** Protocol 2: "layer" for an engine that computes one layer call per message (§8.9); default "model". */
  readonly kind?: "model" | "layer";
}

/** runner → engine (§8.3). */
export interface RunMessage {
  readonly type: "run";
  readonly id: string;
  readonly dialect: Dialect;
  readonly layers: readonly WireLayer[];
  readonly calls: readonly WireCall[];
}

/** Protocol 2: short notes an engine may attach to any reply (which kernel ran, …), kept with the case (§8.4). */
interface Notes {
  readonly notes?: readonly string[];
}

/** engine → runner (§8.4). */
export interface ResultMessage extends Notes {
  readonly type: "result";
  readonly id: string;
  readonly outputs: readonly (readonly WireFloatTensor[])[];
}

/** engine → runner (§8.4). */
export interface ErrorMessage extends Notes {
  readonly type: "error";
  readonly id: string;
  readonly message: string;
  readonly traceback?: string;
}

/** engine → runner, protocol 2 (§8.4): the engine cannot express this case (or layer call); the case is *unsupported*. */
export interface UnsupportedMessage extends Notes {
  readonly type: "unsupported";
  readonly id: string;
  readonly reason: string;
}

/** runner → layer engine, protocol 2 (§8.9): one call of one recurrent layer; the runner composes the model. */
export interface LayerCallMessage {
  readonly type: "layer_call";
  /** Names this message; the reply repeats it. Unique within the run. */
  readonly id: string;
  /** The case the call belongs to. */
  readonly case: string;
  readonly layer_index: number;
  readonly call_index: number;
  /** Set for the two layers of a Bidirectional, which share its layer_index (spec/bidirectional.md). */
  readonly direction?: "forward" | "backward";
  readonly dialect: Dialect;
  readonly layer: WireRecurrentLayer;
  readonly x: WireFloatTensor;
  readonly mask?: WireBoolTensor;
  readonly initial_state?: readonly WireFloatTensor[];
}

/** layer engine → runner, protocol 2 (§8.9): `sequence` (every step) or `output` (as Keras returns it), and the final state. */
export interface LayerResultMessage extends Notes {
  readonly type: "layer_result";
  readonly id: string;
  readonly sequence?: WireFloatTensor;
  readonly output?: WireFloatTensor;
  readonly h: WireFloatTensor;
  /** An LSTM's layer only (state [h, c]); a GRU or SimpleRNN has the one state h. */
  readonly c?: WireFloatTensor;
}

/** runner → model engine, protocol 3 (spec/gradients.md §7.3): the `run` message plus the cotangents, one list per call. */
export interface GradientsMessage extends Omit<RunMessage, "type"> {
  readonly type: "gradients";
  readonly cotangents: readonly (readonly WireFloatTensor[])[];
}

/** One recurrent layer's weight gradients on the wire: named as its weights (kernel, recurrent_kernel, bias?), in Keras's shapes. */
export interface WireLayerGradients {
  readonly layer: number;
  readonly weights: readonly WireFloatTensor[];
}

/** One call's gradients on the wire, as a gradient fixture records them (spec/gradients.md §5.2). */
export interface WireCallGradients {
  readonly layers: readonly WireLayerGradients[];
  readonly x: WireFloatTensor;
  readonly initial_state?: readonly WireFloatTensor[];
}

/** model engine → runner, protocol 3: per call its gradients; optionally the forward's outputs, per call. */
export interface GradientsResultMessage extends Notes {
  readonly type: "gradients_result";
  readonly id: string;
  readonly gradients: readonly WireCallGradients[];
  readonly outputs?: readonly (readonly WireFloatTensor[])[];
}

/** runner → layer engine, protocol 3: a layer_call's fields plus the cotangents of what the layer returned (spec/gradients.md §7.2). */
export interface LayerGradientsMessage extends Omit<LayerCallMessage, "type"> {
  readonly type: "layer_gradients";
  readonly cotangents: { readonly output: WireFloatTensor; readonly h: WireFloatTensor; readonly c?: WireFloatTensor };
}

/** layer engine → runner, protocol 3: the layer call's backward. */
export interface LayerGradientsResultMessage extends Notes {
  readonly type: "layer_gradients_result";
  readonly id: string;
  readonly weights: readonly WireFloatTensor[];
  readonly x: WireFloatTensor;
  readonly initial_state?: readonly WireFloatTensor[];
}

/** runner → engine (§8.5). */
export interface ShutdownMessage {
  readonly type: "shutdown";
}

export type EngineMessage = HelloMessage | ResultMessage | ErrorMessage | UnsupportedMessage | LayerResultMessage | GradientsResultMessage | LayerGradientsResultMessage;
export type RunnerMessage = RunMessage | LayerCallMessage | GradientsMessage | LayerGradientsMessage | ShutdownMessage;
/** The runner's messages that ask for a reply. */
export type RequestMessage = Exclude<RunnerMessage, ShutdownMessage>;
export type MessageType = (EngineMessage | RunnerMessage)["type"];
