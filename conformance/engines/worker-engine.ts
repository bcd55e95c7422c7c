/**
 * An in-process engine (`--engine <module|name>`) run in a worker thread, so that the judge shares
 * no state with the code it judges (spec/adapter.md §1.1): the engine cannot end the process with
 * an exit code of its choosing, patch the globals the comparison uses, crash the run from a
 * background callback, or block the per-case timeout — `worker.terminate()` ends even a synchronous
 * endless loop. When the worker dies or is stopped, that case gets an *error* verdict and the next
 * case gets a fresh worker.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { LayerCase } from "../case.ts";
import { UnsupportedCaseError, type Engine, type EngineGradients, type EngineOutputs, type Feature } from "../engine.ts";
import type { GradientRequest } from "../gradients/case.ts";
import { isFeature } from "../features.ts";
import { describeThrown, EngineFault } from "../untrusted.ts";
import { EngineModuleError } from "./registry.ts";
import type { FromWorker, ToWorker, WorkerData } from "./worker-messages.ts";

export interface WorkerEngineOptions {
  /** How long one case may take before the worker is stopped (default 10 s). */
  readonly timeoutMs?: number;
  /** How long loading the engine module may take (default 120 s: tfjs and onnxruntime load slowly on a busy machine). */
  readonly startupTimeoutMs?: number;
  /** How long `close()` may take before the worker is stopped anyway (default 5 s). */
  readonly closeTimeoutMs?: number;
  readonly cwd?: string;
}

export interface WorkerEngine extends Engine {
  /** How often a worker was started (1 + restarts after a crash, exit or timeout). */
  readonly starts: number;
  close(): Promise<void>;
}

/**
 * The worker's entry: TypeScript in a checkout (loaded through tsx, which a worker does not inherit
 * from the `tsx/esm/api` the CLI was started with), JavaScript in the built package.
 */
function workerEntry(): { readonly code: string; readonly entry: string; readonly tsx: string | null } {
  const ts = import.meta.url.endsWith(".ts");
  const entry = new URL(ts ? "./engine-worker.ts" : "./engine-worker.js", import.meta.url).href;
  return { code: BOOT, entry, tsx: ts ? tsxEsmApi() : null };
}

/** tsx's ESM API (`import` condition of `tsx/esm/api`): require.resolve would give its CommonJS build. */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
  const exports = (JSON.parse(readFileSync(manifest, "utf8")) as { exports: Record<string, { import: { default: string } }> }).exports;
  return new URL(exports["./esm/api"]!.import.default, pathToFileURL(manifest)).href;
}

/**
 * Loads the entry in the worker; a failure to load it is reported like an engine that cannot load.
 * In a checkout tsx is registered once for the whole thread (half the start-up of a `tsImport` per
 * module), and the registry is told so (registry.ts TSX_REGISTERED).
 */
const BOOT = `const { workerData, parentPort } = require("node:worker_threads");
const { entry, tsx } = workerData.boot;
const registered = tsx === null ? Promise.resolve() : import(tsx).then((api) => {
  api.register();
  globalThis[Symbol.for("keras-rnn-conformance.tsx-registered")] = true;
});
registered.then(() => import(entry))
  .catch((e) => parentPort.postMessage({ type: "load-error", message: String((e && e.stack) || e), moduleError: false }));`;

type Waiting = { readonly resolve: (m: FromWorker) => void; readonly reject: (e: Error) => void };

/** One worker: its messages in order, and how it ended. */
class EngineThread {
  readonly worker: Worker;
  private waiting: Waiting | undefined;
  /** Why the worker ended, once it has. */
  ended: string | undefined;

  constructor(spec: string, cwd: string) {
    const boot = workerEntry();
    const data: WorkerData & { boot: typeof boot } = { spec, cwd, boot };
    // stdout: true keeps the engine's console output off the judge's stdout (where `--report json` may go).
    this.worker = new Worker(boot.code, { eval: true, workerData: data, stdout: true, execArgv: [] });
    this.worker.stdout.pipe(process.stderr);
    this.worker.on("message", (m: FromWorker) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.resolve(m);
    });
    this.worker.on("error", (e: unknown) => this.end(`the engine's code threw outside run() (an uncaught exception or unhandled rejection): ${describeThrown(e, true)}`));
    this.worker.on("exit", (code) => this.end(`the engine ended its worker thread (process.exit(${code}) or a fatal error)`));
  }

  /** The next message, or a rejection when the worker ends or `timeoutMs` passes first (then the worker is stopped). */
  next(timeoutMs: number, what: string): Promise<FromWorker> {
    if (this.ended !== undefined) return Promise.reject(new EngineFault(this.ended));
    return new Promise<FromWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        this.end(`${what} took more than ${timeoutMs} ms; the engine's worker was stopped`);
        reject(new EngineFault(this.ended));
      }, timeoutMs);
      this.waiting = {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  end(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    void this.worker.terminate();
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(new EngineFault(why));
  }
}

class ThreadedEngine implements WorkerEngine {
  starts = 1;
  private seq = 0;
  /** Cases run one at a time through the one worker. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private thread: EngineThread,
    readonly name: string,
    readonly version: string,
    readonly features: readonly Feature[],
    private readonly spec: string,
    private readonly options: Required<Pick<WorkerEngineOptions, "timeoutMs" | "startupTimeoutMs" | "closeTimeoutMs" | "cwd">>,
    hasGradients: boolean,
  ) {
    if (hasGradients) this.gradients = (req) => this.enqueue(() => this.ask({ type: "gradients", seq: 0, request: req }, req.id, "gradients-result").then((m) => m.gradients));
  }

  /** Present exactly when the engine in the worker has gradients() (spec/gradients.md §7.2): it crosses the thread as run does. */
  readonly gradients?: (req: GradientRequest) => Promise<EngineGradients>;

  run(c: LayerCase): Promise<EngineOutputs> {
    return this.enqueue(() => this.ask({ type: "run", seq: 0, case: c }, c.id, "result").then((m) => m.outputs));
  }

  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Sends one request (its seq set here) and waits for its answer of type `want`, under the case timeout. */
  private async ask<K extends "result" | "gradients-result">(
    request: Extract<ToWorker, { type: "run" | "gradients" }>,
    id: string,
    want: K,
  ): Promise<Extract<FromWorker, { type: K }>> {
    let restarted = "";
    if (this.thread.ended !== undefined) {
      // What ended the last worker ended it between cases, or in a case already reported: say so, and start afresh.
      restarted = ` (the engine's worker had ended after the previous case: ${this.thread.ended}; it was restarted)`;
      this.thread = (await startThread(this.spec, this.options)).thread;
      this.starts++;
    }
    const seq = ++this.seq;
    this.thread.post({ ...request, seq });
    const m = await this.thread.next(this.options.timeoutMs, `case ${id}`);
    if (m.type === want && "seq" in m && m.seq === seq) {
      if (restarted !== "") throw new EngineFault(`the engine's worker had crashed before this case${restarted}`);
      return m as Extract<FromWorker, { type: K }>;
    }
    if (m.type === "threw" && m.seq === seq) {
      if (m.unsupported !== null) throw new UnsupportedCaseError(m.unsupported);
      throw new EngineFault(`${m.message}${restarted}`);
    }
    this.thread.end(`the engine's worker answered out of turn (${m.type})`);
    throw new EngineFault(this.thread.ended);
  }

  async close(): Promise<void> {
    await this.queue;
    const thread = this.thread;
    if (thread.ended !== undefined) return;
    thread.post({ type: "close" });
    let error: string | null;
    try {
      const m = await thread.next(this.options.closeTimeoutMs, "close()");
      error = m.type === "closed" ? m.error : `close() answered with ${m.type}`;
    } catch (e) {
      error = (e as Error).message;
    }
    thread.end("closed");
    if (error !== null) throw new Error(`engine close() failed: ${error}`);
  }
}

async function startThread(spec: string, options: { readonly startupTimeoutMs: number; readonly cwd: string }): Promise<{ thread: EngineThread; ready: Extract<FromWorker, { type: "ready" }> }> {
  const thread = new EngineThread(spec, options.cwd);
  let m: FromWorker;
  try {
    m = await thread.next(options.startupTimeoutMs, "loading the engine");
  } catch (e) {
    throw new EngineModuleError(`cannot load engine ${spec}: ${(e as Error).message}`);
  }
  if (m.type === "ready") return { thread, ready: m };
  thread.end("not loaded");
  if (m.type === "load-error") throw new EngineModuleError(m.moduleError ? m.message : `cannot load engine ${spec}: ${m.message}`);
  throw new EngineModuleError(`cannot load engine ${spec}: its worker sent ${m.type} before it was ready`);
}

/**
 * Loads the engine `spec` names (as `--engine` does: a built-in name, `mutant:<name>`, or a module
 * path) in a worker thread and returns it as an Engine. Rejects with EngineModuleError when it cannot.
 */
export async function createWorkerEngine(spec: string, options: WorkerEngineOptions = {}): Promise<WorkerEngine> {
  const full = {
    timeoutMs: options.timeoutMs ?? 10_000,
    startupTimeoutMs: options.startupTimeoutMs ?? 120_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 5_000,
    cwd: options.cwd ?? process.cwd(),
  };
  const { thread, ready } = await startThread(spec, full);
  const features = ready.features.filter(isFeature);
  return new ThreadedEngine(thread, ready.name, ready.version, features, spec, full, ready.gradients === true);
}
