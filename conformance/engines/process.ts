/**
 * Any program that speaks the JSON-lines protocol of spec/adapter.md §8 becomes an Engine. One
 * process serves every case (start-up of a Python engine costs seconds); when it crashes, hangs or
 * loses the protocol, that case gets an *error* verdict naming what happened and the next case gets
 * a fresh process (§8.7).
 */
import type { LayerCase } from "../case.ts";
import type { Engine, EngineOutputs, Feature } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { PROTOCOL_VERSION, type HelloMessage, type MessageType } from "../protocol/messages.ts";
import { runMessage } from "../protocol/run-message.ts";
import { protocolViolation } from "../protocol/validate.ts";
import { tensorFromWire } from "../protocol/wire-tensor.ts";
import { EngineProcess, type LineEvent } from "./engine-process.ts";

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
}

export interface ProcessEngine extends Engine {
  readonly command: string;
  /** The engine's hello, as received. */
  readonly hello: HelloMessage;
  /** stderr written before the first case (start-up noise, e.g. TensorFlow's banner). */
  readonly startupStderr: string;
  /** Per case id: its stderr and process events. */
  caseLog(caseId: string): ProcessCaseLog | undefined;
  /** How often the process was started (1 + restarts). */
  readonly starts: number;
  close(): Promise<void>;
}

const KNOWN_FEATURES = new Set<string>([
  "return_sequences", "return_state", "go_backwards", "initial_state", "mask", "masking_layer",
  "zero_output_for_mask", "stateful", "stacked", "use_bias_false", "dialect:tf-keras",
]);

function isFeature(s: string): s is Feature {
  return KNOWN_FEATURES.has(s) || /^(activation|recurrent_activation):[a-z0-9_]+$/.test(s);
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
  return undefined;
}

class ProtocolEngine implements ProcessEngine {
  readonly name: string;
  readonly version: string;
  readonly features: readonly Feature[];
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
    this.features = hello.capabilities.filter(isFeature);
    if (unknown.length > 0) this.pendingNotes.push(`engine declared unknown capabilities, ignored: ${unknown.join(", ")}`);
  }

  caseLog(caseId: string): ProcessCaseLog | undefined {
    return this.logs.get(caseId);
  }

  run(c: LayerCase): Promise<EngineOutputs> {
    const next = this.queue.then(() => this.runNow(c));
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

  private async runNow(c: LayerCase): Promise<EngineOutputs> {
    const notes = this.pendingNotes;
    this.pendingNotes = [];
    let p = this.process;
    let mark = 0;
    const record = (): void => {
      this.logs.set(c.id, { stderr: p === undefined ? "" : p.stderrSince(mark), notes });
    };
    try {
      if (p === undefined || !p.alive) {
        p = await this.restart(notes);
      }
      mark = p.stderrMark;
      if (!this.sendChecked(p, runMessage(c), "run")) {
        throw new Error(`engine process is not accepting input${stderrTailNote(p)}`);
      }
      const outputs = await this.awaitReply(p, c, notes);
      record();
      return outputs;
    } catch (err) {
      record();
      throw err;
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

  private async awaitReply(p: EngineProcess, c: LayerCase, notes: string[]): Promise<EngineOutputs> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const ev = await p.nextLine(Math.max(0, deadline - Date.now()));
      if (ev.kind === "timeout") {
        const partial = ev.partial !== "" ? ` (it had written a partial line ${quoteLine(ev.partial)})` : "";
        await this.discard(p, `engine killed after ${this.timeoutMs} ms without a reply`, notes);
        throw new Error(`case ${c.id}: engine gave no reply within ${this.timeoutMs} ms${partial}; killed, the next case gets a new process`);
      }
      if (ev.kind === "exit") {
        if (this.process === p) this.process = undefined;
        throw new Error(`case ${c.id}: engine process ${describeEnd(ev)} while computing it; the next case gets a new process${stderrTailNote(p)}`);
      }
      // §8.1: blank lines carry nothing and are allowed.
      if (ev.text.trim() === "") continue;
      let message: unknown;
      try {
        message = JSON.parse(ev.text);
      } catch {
        await this.discard(p, "engine killed after it wrote a line that is not JSON", notes);
        throw new Error(`case ${c.id}: engine wrote ${notJsonProblem(ev.text)}`);
      }
      const problem = this.options.validateProtocol === true ? protocolViolation(message) : undefined;
      if (problem !== undefined) {
        await this.discard(p, "engine killed after a protocol violation", notes);
        throw new Error(`case ${c.id}: engine's reply ${problem}; line ${quoteLine(ev.text)}`);
      }
      return await this.interpretReply(p, c, message, ev.text, notes);
    }
  }

  private async interpretReply(p: EngineProcess, c: LayerCase, message: unknown, line: string, notes: string[]): Promise<EngineOutputs> {
    const m = message as { type?: unknown; id?: unknown; message?: unknown; traceback?: unknown; outputs?: unknown };
    if ((m.type === "result" || m.type === "error") && m.id !== c.id) {
      await this.discard(p, "engine killed after it answered for another case", notes);
      throw new Error(`case ${c.id}: engine replied for case ${JSON.stringify(m.id)} instead`);
    }
    if (m.type === "error") {
      if (typeof m.traceback === "string") notes.push(`engine traceback:\n${m.traceback}`);
      throw new Error(`case ${c.id}: engine reported an error: ${typeof m.message === "string" ? m.message : JSON.stringify(m.message)}`);
    }
    if (m.type !== "result") {
      await this.discard(p, "engine killed after an unexpected message", notes);
      throw new Error(`case ${c.id}: expected a "result" or "error" message, got ${quoteLine(line)}`);
    }
    if (!Array.isArray(m.outputs) || m.outputs.length !== c.calls.length) {
      throw new Error(`case ${c.id}: result /outputs must hold one list per call (${c.calls.length}), got ${Array.isArray(m.outputs) ? m.outputs.length : JSON.stringify(m.outputs)?.slice(0, 80)}`);
    }
    return m.outputs.map((call: unknown, i): Tensor[] => {
      if (!Array.isArray(call)) throw new Error(`case ${c.id}: result /outputs/${i} must be a list of tensors`);
      try {
        return call.map((t: unknown, k) => tensorFromWire(t, `/outputs/${i}/${k}`));
      } catch (err) {
        throw new Error(`case ${c.id}: result ${(err as Error).message}`, { cause: err });
      }
    });
  }
}

/** Starts the command and reads its hello (§8.2). Throws EngineLoadError when there is no valid one. */
async function startAndHandshake(command: string, options: ProcessEngineOptions): Promise<{ process: EngineProcess; hello: HelloMessage }> {
  const p = new EngineProcess(command, { cwd: options.cwd, env: options.env });
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
  if ((hello as { type?: unknown } | null)?.type === "hello" && version !== PROTOCOL_VERSION) {
    return fail(`engine speaks protocol version ${JSON.stringify(version)}, this runner speaks version ${PROTOCOL_VERSION} (spec/adapter.md §8.1)`);
  }
  const problem = (options.validateProtocol === true ? protocolViolation(hello, "hello") : undefined) ?? helloProblem(hello);
  if (problem !== undefined) return fail(`${problem}; line ${quoteLine(ev.text)}`);
  return { process: p, hello: hello as HelloMessage };
}

/**
 * Starts `command` (run by the shell) and returns it as an Engine once it has said hello.
 * Rejects with EngineLoadError on a missing, malformed or wrong-version hello.
 */
export async function createProcessEngine(command: string, options: ProcessEngineOptions = {}): Promise<ProcessEngine> {
  const { process: p, hello } = await startAndHandshake(command, options);
  return new ProtocolEngine(command, options, p, hello);
}
