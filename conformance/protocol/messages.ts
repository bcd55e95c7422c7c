/**
 * The out-of-process protocol's messages as they travel, one JSON object per line
 * (spec/adapter.md §8, schema spec/protocol.schema.json). Field names follow the fixture format
 * (snake_case, spec/fixture-format.md §3) so an engine can read fixtures and protocol messages with
 * the same code.
 */
import type { Dialect } from "../case.ts";

/** The protocol version this runner speaks (spec/adapter.md §8.1). */
export const PROTOCOL_VERSION = 1;

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

export type WireLayer =
  | { readonly class_name: "LSTM"; readonly config: Readonly<Record<string, unknown>>; readonly weights: readonly WireFloatTensor[] }
  | { readonly class_name: "Masking"; readonly config: Readonly<Record<string, unknown>> };

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
}

/** runner → engine (§8.3). */
export interface RunMessage {
  readonly type: "run";
  readonly id: string;
  readonly dialect: Dialect;
  readonly layers: readonly WireLayer[];
  readonly calls: readonly WireCall[];
}

/** engine → runner (§8.4). */
export interface ResultMessage {
  readonly type: "result";
  readonly id: string;
  readonly outputs: readonly (readonly WireFloatTensor[])[];
}

/** engine → runner (§8.4). */
export interface ErrorMessage {
  readonly type: "error";
  readonly id: string;
  readonly message: string;
  readonly traceback?: string;
}

/** runner → engine (§8.5). */
export interface ShutdownMessage {
  readonly type: "shutdown";
}

export type EngineMessage = HelloMessage | ResultMessage | ErrorMessage;
export type RunnerMessage = RunMessage | ShutdownMessage;
export type MessageType = (EngineMessage | RunnerMessage)["type"];
