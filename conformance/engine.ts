/**
 * The engine interface (spec/adapter.md): anything that turns a case into outputs. The reference is
 * one engine; tfjs, ONNX Runtime, a process in another language and the mutants are others.
 */
import type { LayerCase } from "./case.ts";
import type { Tensor } from "./tensor.ts";

/**
 * An option a case may need. An engine lists what it implements; a case that needs anything else is
 * reported as *unsupported* for that engine, never as passed (spec/adapter.md §2).
 * Activations use Keras's names, e.g. `activation:relu`, `recurrent_activation:hard_sigmoid`.
 */
export type Feature =
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
  | `activation:${string}`
  | `recurrent_activation:${string}`;

/** Per call, the outputs in Keras's order: `[output]` or `[output, h, c]` (spec/lstm.md). */
export type EngineOutputs = readonly (readonly Tensor[])[];

export interface Engine {
  readonly name: string;
  readonly version: string;
  /** The options this engine implements. */
  readonly features: readonly Feature[];
  /** Computes a case. May be async; may throw (reported as an *error* verdict for that case). */
  run(c: LayerCase): EngineOutputs | Promise<EngineOutputs>;
  /** Releases resources (a subprocess, a session) at the end of a run. */
  close?(): void | Promise<void>;
}

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
