/**
 * Any program that speaks the JSON-lines protocol of spec/adapter.md §8 becomes an Engine. One
 * process serves every case (start-up of a Python engine costs seconds); when it crashes, hangs or
 * loses the protocol, that case gets an *error* verdict naming what happened and the next case gets
 * a fresh process (§8.7). A protocol-2 engine may be a layer engine (§8.9): it gets one message per
 * layer call and the model is composed here, as for an in-process layer engine (layer-engine.ts).
 */
import { delimiter, join } from "node:path";
import type { LayerCase } from "../case.ts";
import {
  UnsupportedCaseError,
  type Engine,
  type EngineGradients,
  type EngineOutputs,
  type Feature,
  type LayerGradients,
  type RecurrentGradientCall,
  type RecurrentLayerCall,
  type RecurrentLayerOutputs,
} from "../engine.ts";
import { GRADIENTS_FEATURE, isFeature } from "../features.ts";
import type { GradientRequest } from "../gradients/case.ts";
import { gradientsFromWire, gradientsMessage, layerGradientsFromWire, layerGradientsMessage } from "../protocol/gradient-message.ts";
import { packageRoot } from "../package-paths.ts";
import type { Tensor } from "../tensor.ts";
import { layerCallMessage, layerOutputsFromWire } from "../protocol/layer-message.ts";
import { GRADIENTS_PROTOCOL, PROTOCOL_VERSIONS, type HelloMessage, type MessageType, type RequestMessage } from "../protocol/messages.ts";
import { runMessage } from "../protocol/run-message.ts";
import { protocolViolation } from "../protocol/validate.ts";
import { tensorFromWire } from "../protocol/wire-tensor.ts";
import { EngineProcess, type LineEvent } from "./engine-process.ts";
import { layerGradients } from "./layer-gradients.ts";
import { keepsOwnState, layerEngineFeatures, runLayers } from "./layer-engine.ts";

export interface ProcessEngineOptions {
  /** Check every message, both ways, against spec/protocol.schema.json. */
  readonly validateProtocol?: boolean;
  /** How long one case may take before the engine is killed (default 60 s). */
  readonly timeoutMs?: number;
  /** How long the engine may take to say hello (default 120 s: importing TensorFlow is slow on a busy machine). */
  readonly startupTimeoutMs?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The engine could not be started as a protocol engine at all (no or bad hello, wrong version): the CLI exits 2. */
export class EngineLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineLoadError";
  }
}

/** What happened around one case, beyond its outputs: for the verdict and the report (§8.7). */
export interface ProcessCaseLog {
  /** What the engine wrote on stderr while it computed this case. */
  readonly stderr: string;
  /** Process events: restarts, kills, protocol violations, the engine's own traceback. */
  readonly notes: readonly string[];
  /**
   * The notes the engine attached to its replies (protocol 2, §8.4), e.g. which kernel ran; a layer
   * engine's are prefixed with the layer call ("layer 1, call 0: …").
   */
  readonly engineNotes: readonly string[];
}

/** How much of an engine's notes a case keeps (§8.4): they are meant to be short. */
const MAX_ENGINE_NOTES = 20;
const MAX_NOTE_LENGTH = 500;

export interface ProcessEngine extends Engine {
  readonly command: string;
  /** The engine's hello, as received. */
  readonly hello: HelloMessage;
  /** "layer" for a layer engine (§8.9): its capabilities are the layer's, `features` the composed engine's. */
  readonly kind: "model" | "layer";
  /** stderr written before the first case (start-up noise, e.g. TensorFlow's banner). */
  readonly startupStderr: string;
  /** Per case id: its stderr and process events. */
  caseLog(caseId: string): ProcessCaseLog | undefined;
  /** How often the process was started (1 + restarts). */
  readonly starts: number;
  close(): Promise<void>;
}

/** A line as it appears in a message: quoted, cut to a readable length. */
function quoteLine(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}

/**
 * A bare NaN or Infinity where a value goes (`[NaN, 1.0]`, `"x": -Infinity`): what Python's
 * json.dumps writes for non-finite floats unless told `allow_nan=False`. JSON has no such literal.
 */
const BARE_NON_FINITE = /[[,:]\s*(-?(?:NaN|Infinity))\s*[\],}]/;

/** Why a line on stdout that JSON.parse refused is not a message, and what to do about it (§8.1, §8.6). */
function notJsonProblem(line: string): string {
  const found = BARE_NON_FINITE.exec(line);
  if (found?.[1] !== undefined) {
    // The token may sit megabytes into the line: quote where it is, not the line's start.
    const near = line.slice(Math.max(0, found.index - 60), found.index + 60);
    return `a line that is not valid JSON: it contains the bare token ${found[1]} (near ${quoteLine(near)}), which JSON does not allow; Python's json.dumps writes it for a non-finite float. ` +
      `Write finite numbers as numbers and a non-finite value as the string "NaN", "Infinity" or "-Infinity" (spec/adapter.md §8.6; ` +
      `array_to_wire in examples/engines/conformance_protocol.py does this, and json.dumps(..., allow_nan=False) refuses any left)`;
  }
  return `a line on stdout that is not JSON: ${quoteLine(line)}; stdout is reserved for protocol messages (write logs to stderr)`;
}

function stderrTailNote(p: EngineProcess): string {
  const tail = p.stderrTail(1500).trimEnd();
  return tail === "" ? " (nothing on stderr)" : `; stderr tail:\n${tail}`;
}

function describeEnd(ev: Extract<LineEvent, { kind: "exit" }>): string {
  const how = ev.signal !== null ? `was killed by ${ev.signal}` : `exited with code ${ev.code ?? "unknown"}`;
  return ev.partial !== "" ? `${how} after writing a partial line ${quoteLine(ev.partial)}` : how;
}

/** Why `hello` is not a usable hello, or undefined (the checks that hold even without --validate-protocol). */
function helloProblem(hello: unknown): string | undefined {
  const h = hello as Partial<HelloMessage> | null;
  if (typeof h !== "object" || h === null || h.type !== "hello") return `expected a "hello" message first, got ${JSON.stringify(hello).slice(0, 200)}`;
  if (typeof h.engine?.name !== "string" || typeof h.engine.version !== "string") return `hello: "engine" needs string "name" and "version"`;
  if (!Array.isArray(h.capabilities) || !h.capabilities.every((c) => typeof c === "string")) return `hello: "capabilities" must be a list of strings`;
  if (h.kind !== undefined && h.kind !== "model" && h.kind !== "layer") return `hello: "kind" must be "model" or "layer", got ${JSON.stringify(h.kind)}`;
  if (h.kind !== undefined && h.protocol === 1) return `hello: "kind" needs protocol 2 (spec/adapter.md §8.9); this hello says protocol 1`;
  return undefined;
}

/** What one case's exchanges collect for its log. */
interface CaseLogDraft {
  readonly notes: string[];
  readonly engineNotes: string[];
}

/** The answer each request asks for (§8.4, §8.9, spec/gradients.md §7.3). */
const ANSWER_OF: Readonly<Record<RequestMessage["type"], string>> = { run: "result", layer_call: "layer_result", gradients: "gradients_result", layer_gradients: "layer_gradients_result" };

/** The replies an engine may give to `message` (§8.4, §8.9); `unsupported` from protocol 2. */
function replyTypes(message: RequestMessage, protocol: number): string[] {
  return [ANSWER_OF[message.type], "error", ...(protocol >= 2 ? ["unsupported"] : [])];
}

/** The reply types as a message names them: `"result", "error" or "unsupported"`. */
const listTypes = (types: readonly string[]): string => types.map((t) => `"${t}"`).join(", ").replace(/, ([^,]*)$/, " or $1");

class ProtocolEngine implements ProcessEngine {
  readonly name: string;
  readonly version: string;
  readonly features: readonly Feature[];
  readonly kind: "model" | "layer";
  /** Layer engines only: whether the suite carries stateful layers' state (the engine does not declare `stateful`). */
  private readonly carryState: boolean;
  /** Numbers layer_call messages, so every reply names the message it answers (§8.9). */
  private layerCalls = 0;
  startupStderr = "";
  starts = 0;
  private process: EngineProcess | undefined;
  /** Set when a restart failed: the engine cannot start any more, every later case says why at once. */
  private broken: string | undefined;
  private readonly logs = new Map<string, ProcessCaseLog>();
  /** Notes about the process that the next case should carry (e.g. "restarted after a crash"). */
  private pendingNotes: string[] = [];
  /** Cases run one at a time over the one pipe. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly command: string,
    private readonly options: ProcessEngineOptions,
    first: EngineProcess,
    readonly hello: HelloMessage,
  ) {
    this.process = first;
    this.starts = 1;
    this.startupStderr = first.stderrSince(0);
    this.name = hello.engine.name;
    this.version = hello.engine.version;
    const unknown = hello.capabilities.filter((c) => !isFeature(c));
    let capabilities = hello.capabilities.filter(isFeature);
    // spec/gradients.md §7.3: the gradient messages are protocol 3's; an older engine never receives
    // them, so a `gradients` it declares is dropped (its gradient cases are then out of its scope).
    if (hello.protocol < GRADIENTS_PROTOCOL && capabilities.includes(GRADIENTS_FEATURE)) {
      capabilities = capabilities.filter((f) => f !== GRADIENTS_FEATURE);
      this.pendingNotes.push(`engine declared ${GRADIENTS_FEATURE} in a protocol ${hello.protocol} hello: ignored, the gradient messages need protocol ${GRADIENTS_PROTOCOL} (spec/gradients.md §7.3)`);
    }
    const gradients = capabilities.includes(GRADIENTS_FEATURE);
    this.kind = hello.kind ?? "model";
    // A layer engine's capabilities are the layer's; the composition adds the model's (§8.9, §1.2).
    this.features = this.kind === "layer" ? [...layerEngineFeatures(capabilities), ...(gradients ? [GRADIENTS_FEATURE] : [])] : capabilities;
    this.carryState = !keepsOwnState(capabilities);
    if (unknown.length > 0) this.pendingNotes.push(`engine declared unknown capabilities, ignored: ${unknown.join(", ")}`);
    if (gradients) this.gradients = (req) => this.enqueue(() => this.withCase(req, (p, deadline, log) => this.gradientsNow(p, req, deadline, log)));
  }

  /** Protocol 3 engines that declare `gradients` (spec/gradients.md §7.3). */
  readonly gradients?: (req: GradientRequest) => Promise<EngineGradients>;

  caseLog(caseId: string): ProcessCaseLog | undefined {
    return this.logs.get(caseId);
  }

  run(c: LayerCase): Promise<EngineOutputs> {
    return this.enqueue(() => this.withCase(c, (p, deadline, log) => this.runNow(p, c, deadline, log)));
  }

  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    const p = this.process;
    this.process = undefined;
    if (p === undefined || !p.alive) return;
    this.sendChecked(p, { type: "shutdown" }, "shutdown");
    await p.stop(3000);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 60_000;
  }

  private sendChecked(p: EngineProcess, message: object, type: MessageType): boolean {
    if (this.options.validateProtocol === true) {
      const problem = protocolViolation(message, type);
      // What we send is ours to get right: a violation here is a bug in the runner.
      if (problem !== undefined) throw new Error(`runner bug: outgoing ${problem}`);
    }
    return p.send(JSON.stringify(message));
  }

  /** One case's exchanges with a live process (restarted when it is not), under one deadline, logged under the case's id. */
  private async withCase<T>(c: { readonly id: string }, work: (p: EngineProcess, deadline: number, log: CaseLogDraft) => Promise<T>): Promise<T> {
    const log: CaseLogDraft = { notes: this.pendingNotes, engineNotes: [] };
    this.pendingNotes = [];
    let p = this.process;
    let mark = 0;
    try {
      if (p === undefined || !p.alive) {
        p = await this.restart(log.notes);
      }
      mark = p.stderrMark;
      // --timeout is per case (§4.1): a layer engine's calls share it.
      return await work(p, Date.now() + this.timeoutMs, log);
    } finally {
      this.logs.set(c.id, { stderr: p === undefined ? "" : p.stderrSince(mark), notes: log.notes, engineNotes: log.engineNotes });
    }
  }

  private async runNow(p: EngineProcess, c: LayerCase, deadline: number, log: CaseLogDraft): Promise<EngineOutputs> {
    if (this.kind === "layer") {
      const layer = (call: RecurrentLayerCall): Promise<RecurrentLayerOutputs> => this.layerCall(p, c, call, deadline, log);
      return await runLayers(c, layer, { carryState: this.carryState, caller: "the engine's layer_result" });
    }
    const reply = await this.exchange(p, runMessage(c), `case ${c.id}`, deadline, log, "");
    return outputsOf(c, reply);
  }

  /** A gradient case (spec/gradients.md §7.3): one `gradients` message, or a layer engine's forward and `layer_gradients` per layer call. */
  private async gradientsNow(p: EngineProcess, req: GradientRequest, deadline: number, log: CaseLogDraft): Promise<EngineGradients> {
    if (this.kind === "layer") {
      const forward = (call: RecurrentLayerCall): Promise<RecurrentLayerOutputs> => this.layerCall(p, req, call, deadline, log);
      const backward = (call: RecurrentGradientCall): Promise<LayerGradients> => this.layerGradientCall(p, req, call, deadline, log);
      return await layerGradients(req, forward, backward, { caller: "the engine's layer_gradients_result" });
    }
    const what = `case ${req.id} (gradients)`;
    const reply = await this.exchange(p, gradientsMessage(req), what, deadline, log, "");
    try {
      return gradientsFromWire(reply, req.calls.length);
    } catch (err) {
      throw new Error(`${what}: gradients_result ${(err as Error).message}`, { cause: err });
    }
  }

  /** One layer call's backward of a layer engine (spec/gradients.md §7.3). */
  private async layerGradientCall(p: EngineProcess, c: LayerCase, call: RecurrentGradientCall, deadline: number, log: CaseLogDraft): Promise<LayerGradients> {
    const where = `layer ${call.layerIndex}, call ${call.callIndex}`;
    const what = `case ${c.id} (gradients of ${where})`;
    const reply = await this.exchange(p, layerGradientsMessage(`${c.id}#${++this.layerCalls}`, call), what, deadline, log, `${where}: `);
    try {
      return layerGradientsFromWire(reply);
    } catch (err) {
      throw new Error(`${what}: layer_gradients_result ${(err as Error).message}`, { cause: err });
    }
  }

  /** One layer call of a layer engine (§8.9). */
  private async layerCall(p: EngineProcess, c: LayerCase, call: RecurrentLayerCall, deadline: number, log: CaseLogDraft): Promise<RecurrentLayerOutputs> {
    const where = `layer ${call.layerIndex}, call ${call.callIndex}`;
    const what = `case ${c.id} (${where})`;
    const reply = await this.exchange(p, layerCallMessage(`${c.id}#${++this.layerCalls}`, call), what, deadline, log, `${where}: `);
    try {
      return layerOutputsFromWire(reply);
    } catch (err) {
      throw new Error(`${what}: layer_result ${(err as Error).message}`, { cause: err });
    }
  }

  private async restart(notes: string[]): Promise<EngineProcess> {
    if (this.broken !== undefined) throw new Error(`engine cannot be restarted: ${this.broken}`);
    notes.push(`engine process restarted (start #${this.starts + 1}) for this case`);
    let p: EngineProcess;
    try {
      ({ process: p } = await startAndHandshake(this.command, this.options));
    } catch (err) {
      this.broken = (err as Error).message;
      throw new Error(`engine could not be restarted: ${this.broken}`, { cause: err });
    }
    this.process = p;
    this.starts++;
    return p;
  }

  /** Ends the process and says so in the next case's notes, so the verdicts tell the story in order. */
  private async discard(p: EngineProcess, why: string, notes: string[]): Promise<void> {
    notes.push(why);
    await p.kill();
    if (this.process === p) this.process = undefined;
  }

  /**
   * Sends `message` and reads its reply (§8.4): a reply of the type it asks for, or a thrown error —
   * the case's verdict — when the engine answered with an error, declined (`unsupported`, protocol
   * 2) or broke the protocol; the process is killed when its stream can no longer be trusted (§8.7).
   */
  private async exchange(p: EngineProcess, message: RequestMessage, what: string, deadline: number, log: CaseLogDraft, notePrefix: string): Promise<Record<string, unknown>> {
    if (!this.sendChecked(p, message, message.type)) {
      throw new Error(`engine process is not accepting input${stderrTailNote(p)}`);
    }
    const { message: reply, line } = await this.awaitReply(p, what, deadline, log.notes);
    return this.interpretReply(p, message, reply, line, what, log, notePrefix);
  }

  private async awaitReply(p: EngineProcess, what: string, deadline: number, notes: string[]): Promise<{ message: unknown; line: string }> {
    for (;;) {
      const ev = await p.nextLine(Math.max(0, deadline - Date.now()));
      if (ev.kind === "timeout") {
        const partial = ev.partial !== "" ? ` (it had written a partial line ${quoteLine(ev.partial)})` : "";
        await this.discard(p, `engine killed after ${this.timeoutMs} ms without a reply`, notes);
        throw new Error(`${what}: engine gave no reply within ${this.timeoutMs} ms${partial}; killed, the next case gets a new process`);
      }
      if (ev.kind === "exit") {
        if (this.process === p) this.process = undefined;
        throw new Error(`${what}: engine process ${describeEnd(ev)} while computing it; the next case gets a new process${stderrTailNote(p)}`);
      }
      // §8.1: blank lines carry nothing and are allowed.
      if (ev.text.trim() === "") continue;
      let message: unknown;
      try {
        message = JSON.parse(ev.text);
      } catch {
        await this.discard(p, "engine killed after it wrote a line that is not JSON", notes);
        throw new Error(`${what}: engine wrote ${notJsonProblem(ev.text)}`);
      }
      const problem = this.options.validateProtocol === true ? protocolViolation(message) : undefined;
      if (problem !== undefined) {
        await this.discard(p, "engine killed after a protocol violation", notes);
        throw new Error(`${what}: engine's reply ${problem}; line ${quoteLine(ev.text)}`);
      }
      return { message, line: ev.text };
    }
  }

  private async interpretReply(p: EngineProcess, sent: RequestMessage, message: unknown, line: string, what: string, log: CaseLogDraft, notePrefix: string): Promise<Record<string, unknown>> {
    const m = (typeof message === "object" && message !== null ? message : {}) as Record<string, unknown>;
    const allowed = replyTypes(sent, this.hello.protocol);
    if (typeof m["type"] !== "string" || !allowed.includes(m["type"])) {
      await this.discard(p, "engine killed after an unexpected message", log.notes);
      throw new Error(`${what}: expected a ${listTypes(allowed)} message, got ${quoteLine(line)}`);
    }
    if (m["id"] !== sent.id) {
      const perCase = sent.type === "run" || sent.type === "gradients";
      await this.discard(p, `engine killed after it answered for another ${perCase ? "case" : "message"}`, log.notes);
      const instead = perCase ? `for case ${JSON.stringify(m["id"])} instead` : `to message ${JSON.stringify(m["id"])} instead of ${JSON.stringify(sent.id)}`;
      throw new Error(`${what}: engine replied ${instead}`);
    }
    if (this.hello.protocol >= 2) this.keepNotes(m["notes"], log, notePrefix);
    if (m["type"] === "error") {
      if (typeof m["traceback"] === "string") log.notes.push(`engine traceback:\n${m["traceback"]}`);
      throw new Error(`${what}: engine reported an error: ${typeof m["message"] === "string" ? m["message"] : JSON.stringify(m["message"])}`);
    }
    // spec/adapter.md §2: declared features in a combination the engine cannot express.
    if (m["type"] === "unsupported") throw new UnsupportedCaseError(typeof m["reason"] === "string" && m["reason"] !== "" ? m["reason"] : `${JSON.stringify(m["reason"])} (no reason given)`);
    return m;
  }

  /** Keeps an engine's notes with the case (§8.4), as many and as long as the limits allow. */
  private keepNotes(notes: unknown, log: CaseLogDraft, prefix: string): void {
    if (!Array.isArray(notes)) return;
    for (const note of notes) {
      if (log.engineNotes.length === MAX_ENGINE_NOTES) {
        log.notes.push(`engine notes beyond ${MAX_ENGINE_NOTES} for this case were dropped`);
        return;
      }
      const text = typeof note === "string" ? note : JSON.stringify(note);
      log.engineNotes.push(`${prefix}${text.length > MAX_NOTE_LENGTH ? `${text.slice(0, MAX_NOTE_LENGTH)}…` : text}`);
    }
  }
}

/** A `result`'s outputs, checked (§8.4, §8.7): one list of tensors per call, each tensor filling its shape. */
function outputsOf(c: LayerCase, m: Record<string, unknown>): EngineOutputs {
  const outputs = m["outputs"];
  if (!Array.isArray(outputs) || outputs.length !== c.calls.length) {
    throw new Error(`case ${c.id}: result /outputs must hold one list per call (${c.calls.length}), got ${Array.isArray(outputs) ? outputs.length : JSON.stringify(outputs)?.slice(0, 80)}`);
  }
  return outputs.map((call: unknown, i): Tensor[] => {
    if (!Array.isArray(call)) throw new Error(`case ${c.id}: result /outputs/${i} must be a list of tensors`);
    try {
      return call.map((t: unknown, k) => tensorFromWire(t, `/outputs/${i}/${k}`));
    } catch (err) {
      throw new Error(`case ${c.id}: result ${(err as Error).message}`, { cause: err });
    }
  });
}

/** Starts the command and reads its hello (§8.2). Throws EngineLoadError when there is no valid one. */
async function startAndHandshake(command: string, options: ProcessEngineOptions): Promise<{ process: EngineProcess; hello: HelloMessage }> {
  const p = new EngineProcess(command, { cwd: options.cwd, env: withPythonHelper(options.env ?? process.env) });
  const timeoutMs = options.startupTimeoutMs ?? 120_000;
  const fail = async (why: string): Promise<never> => {
    await p.kill();
    throw new EngineLoadError(`engine "${command}": ${why}`);
  };
  let ev = await p.nextLine(timeoutMs);
  while (ev.kind === "line" && ev.text.trim() === "") ev = await p.nextLine(timeoutMs);
  if (ev.kind === "timeout") return fail(`no hello within ${timeoutMs} ms${ev.partial !== "" ? ` (partial line ${quoteLine(ev.partial)})` : ""}${stderrTailNote(p)}`);
  if (ev.kind === "exit") return fail(`process ${describeEnd(ev)} before saying hello${stderrTailNote(p)}`);
  let hello: unknown;
  try {
    hello = JSON.parse(ev.text);
  } catch {
    return fail(`first line on stdout is not JSON: ${quoteLine(ev.text)}; an engine must start with a "hello" message (spec/adapter.md §8.2)`);
  }
  const version = (hello as { protocol?: unknown } | null)?.protocol;
  if ((hello as { type?: unknown } | null)?.type === "hello" && !PROTOCOL_VERSIONS.includes(version as number)) {
    return fail(`engine speaks protocol version ${JSON.stringify(version)}, this runner speaks version ${PROTOCOL_VERSIONS.join(" or ")} (spec/adapter.md §8.1)`);
  }
  const problem = (options.validateProtocol === true ? protocolViolation(hello, "hello") : undefined) ?? helloProblem(hello);
  if (problem !== undefined) return fail(`${problem}; line ${quoteLine(ev.text)}`);
  return { process: p, hello: hello as HelloMessage };
}

/**
 * The engine's environment with the package's `python/` folder last on PYTHONPATH, so that a Python
 * engine can `import keras_rnn_conformance` (the helper shipped with the package, spec/adapter.md
 * §8.10) without installing anything; the engine's own paths come first.
 */
function withPythonHelper(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const helper = join(packageRoot(), "python");
  return { ...env, PYTHONPATH: env["PYTHONPATH"] ? `${env["PYTHONPATH"]}${delimiter}${helper}` : helper };
}

/**
 * Starts `command` (run by the shell) and returns it as an Engine once it has said hello.
 * Rejects with EngineLoadError on a missing, malformed or wrong-version hello.
 */
export async function createProcessEngine(command: string, options: ProcessEngineOptions = {}): Promise<ProcessEngine> {
  const { process: p, hello } = await startAndHandshake(command, options);
  return new ProtocolEngine(command, options, p, hello);
}
