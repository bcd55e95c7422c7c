/**
 * The messages between the judge and an engine running in a worker thread (worker-engine.ts,
 * engine-worker.ts). Structured clone carries them, so typed arrays cross as typed arrays.
 */
import type { LayerCase } from "../case.ts";
import type { EngineGradients, EngineOutputs } from "../engine.ts";
import type { GradientRequest } from "../gradients/case.ts";

/** What the worker needs to load the engine: the `--engine` argument and the directory it is relative to. */
export interface WorkerData {
  readonly spec: string;
  readonly cwd: string;
}

export type ToWorker =
  | { readonly type: "run"; readonly seq: number; readonly case: LayerCase }
  /** spec/gradients.md §7.2: the engine's gradients(), same timeouts and faults as run. */
  | { readonly type: "gradients"; readonly seq: number; readonly request: GradientRequest }
  | { readonly type: "close" };

export type FromWorker =
  /** `gradients`: whether the engine has a gradients() method (spec/gradients.md §7.2). */
  | { readonly type: "ready"; readonly name: string; readonly version: string; readonly features: readonly string[]; readonly gradients: boolean }
  /** The engine module could not be loaded; `moduleError` when the registry said why in the user's terms. */
  | { readonly type: "load-error"; readonly message: string; readonly moduleError: boolean }
  | { readonly type: "result"; readonly seq: number; readonly outputs: EngineOutputs }
  | { readonly type: "gradients-result"; readonly seq: number; readonly gradients: EngineGradients }
  /** `run` or `gradients` threw (or its answer could not be posted); `unsupported` is the reason of an UnsupportedCaseError. */
  | { readonly type: "threw"; readonly seq: number; readonly message: string; readonly unsupported: string | null }
  | { readonly type: "closed"; readonly error: string | null };
