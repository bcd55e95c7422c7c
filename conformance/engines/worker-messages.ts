/**
 * The messages between the judge and an engine running in a worker thread (worker-engine.ts,
 * engine-worker.ts). Structured clone carries them, so typed arrays cross as typed arrays.
 */
import type { LayerCase } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";

/** What the worker needs to load the engine: the `--engine` argument and the directory it is relative to. */
export interface WorkerData {
  readonly spec: string;
  readonly cwd: string;
}

export type ToWorker =
  | { readonly type: "run"; readonly seq: number; readonly case: LayerCase }
  | { readonly type: "close" };

export type FromWorker =
  | { readonly type: "ready"; readonly name: string; readonly version: string; readonly features: readonly string[] }
  /** The engine module could not be loaded; `moduleError` when the registry said why in the user's terms. */
  | { readonly type: "load-error"; readonly message: string; readonly moduleError: boolean }
  | { readonly type: "result"; readonly seq: number; readonly outputs: EngineOutputs }
  /** `run` threw (or its outputs could not be posted); `unsupported` is the reason of an UnsupportedCaseError. */
  | { readonly type: "threw"; readonly seq: number; readonly message: string; readonly unsupported: string | null }
  | { readonly type: "closed"; readonly error: string | null };
