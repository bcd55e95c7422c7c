/**
 * One running engine process seen as lines: what it writes on stdout arrives line by line, what it
 * writes on stderr is kept (spec/adapter.md §8.7: noise on stderr is not an error, it goes into the
 * report). The protocol logic lives in `process.ts`; this file only knows processes and lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/** What waiting for the next stdout line gave. */
export type LineEvent =
  | { readonly kind: "line"; readonly text: string }
  /** The process ended; `partial` is what it wrote after its last newline, if anything. */
  | { readonly kind: "exit"; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly partial: string }
  | { readonly kind: "timeout"; readonly partial: string };

/** stderr kept per process; beyond this only the tail is kept (a chatty engine must not fill memory). */
const STDERR_LIMIT = 256 * 1024;

/**
 * How long after the engine's own exit we wait for its pipes to close. They close once every holder
 * has closed them, and a grandchild in another session may hold them for ever (spec/adapter.md §8.7);
 * what the engine wrote before exiting is already in the pipe and arrives well within this.
 */
const CLOSE_GRACE_MS = 500;

interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface EngineProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class EngineProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  /** The line being assembled, as the chunks that hold it: joined once, when its newline arrives (§8.7). */
  private partialChunks: string[] = [];
  private stderr = "";
  /** Characters of stderr dropped from the front to respect STDERR_LIMIT. */
  private stderrDropped = 0;
  /** Set once the process has ended and its pipes are closed (or given up on): nothing more will arrive. */
  private exitInfo: ExitInfo | undefined;
  private waiter: (() => void) | undefined;
  /** The direct child's exit (or failure to start): unlike `exited`, it does not wait for the pipes. */
  private readonly childExit: Promise<ExitInfo>;
  private resolveChildExit: (info: ExitInfo) => void = () => undefined;
  private resolveExited: () => void = () => undefined;
  readonly exited: Promise<void>;

  constructor(readonly command: string, options: EngineProcessOptions = {}) {
    // A shell, so users can write `KERAS_BACKEND=jax python engine.py`; its own process group
    // (detached), so a kill reaches the engine and not only the shell.
    this.child = spawn(command, { shell: true, detached: true, stdio: ["pipe", "pipe", "pipe"], cwd: options.cwd, env: options.env ?? process.env });
    this.child.stdout.setEncoding("utf8");
    this.child.stderr.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.onStdout(chunk));
    this.child.stderr.on("data", (chunk: string) => this.onStderr(chunk));
    // Writing to an engine that has died raises EPIPE on stdin; the exit event reports it instead.
    this.child.stdin.on("error", () => undefined);
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.childExit = new Promise((resolve) => (this.resolveChildExit = resolve));
    // "close" comes after "exit" once stdout and stderr are drained: the normal end, which keeps the
    // last lines. Should a descendant keep the pipes open, end anyway a short grace after "exit".
    this.child.on("exit", (code, signal) => {
      this.resolveChildExit({ code, signal });
      setTimeout(() => this.finish({ code, signal }), CLOSE_GRACE_MS).unref();
    });
    this.child.on("close", (code, signal) => this.finish({ code, signal }));
    this.child.on("error", (err) => {
      this.onStderr(`[conformance] cannot start "${command}": ${err.message}\n`);
      this.resolveChildExit({ code: null, signal: null });
      this.finish({ code: null, signal: null });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Total characters written on stderr so far, as a mark for `stderrSince`. */
  get stderrMark(): number {
    return this.stderrDropped + this.stderr.length;
  }

  /** What the process wrote on stderr since `mark` (as much as is still kept). */
  stderrSince(mark: number): string {
    return this.stderr.slice(Math.max(0, mark - this.stderrDropped));
  }

  /** The last `n` characters of stderr, for error messages. */
  stderrTail(n = 2000): string {
    return this.stderr.slice(-n);
  }

  /** Sends one line; false when the process can no longer read. */
  send(line: string): boolean {
    if (!this.alive || this.child.stdin.destroyed) return false;
    this.child.stdin.write(line + "\n");
    return true;
  }

  /** Waits for the next complete stdout line, the end of the process, or `timeoutMs`. */
  async nextLine(timeoutMs: number): Promise<LineEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return { kind: "line", text: line };
      if (this.exitInfo !== undefined) return { kind: "exit", ...this.exitInfo, partial: this.partial() };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: "timeout", partial: this.partial() };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  /** Closes stdin (a polite engine exits on EOF) and waits up to `graceMs` before killing. */
  async stop(graceMs: number): Promise<void> {
    if (!this.alive) return;
    this.child.stdin.end();
    const timer = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), graceMs).unref());
    if ((await Promise.race([this.exited.then(() => "done" as const), timer])) === "late") await this.kill();
  }

  /**
   * Kills the engine's whole process group (the shell and what it started) and waits for the
   * engine's exit, not for its pipes: a descendant that left the group (setsid) may hold them open
   * for ever (spec/adapter.md §8.7). Our ends are closed, so nothing here waits for it.
   */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const pid = this.child.pid;
    try {
      if (pid !== undefined) process.kill(-pid, "SIGKILL");
      else this.child.kill("SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
    this.finish(await this.childExit);
  }

  /** What the process wrote after its last newline (joined here: only timeouts and exits ask). */
  private partial(): string {
    const text = this.partialChunks.join("");
    this.partialChunks = text === "" ? [] : [text];
    return text;
  }

  /** Only the new chunk is scanned for newlines, so a line of n bytes costs O(n) however it is cut (§8.7). */
  private onStdout(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl !== -1; nl = chunk.indexOf("\n", start)) {
      this.partialChunks.push(chunk.slice(start, nl));
      const line = this.partialChunks.join("");
      this.partialChunks = [];
      this.lines.push(line.endsWith("\r") ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    if (start < chunk.length) this.partialChunks.push(chunk.slice(start));
    if (start > 0) this.wake();
  }

  /** The end: once, on "close", on the grace after "exit", or on a kill. Our pipe ends are closed. */
  private finish(info: ExitInfo): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = info;
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    this.wake();
    this.resolveExited();
  }

  private onStderr(chunk: string): void {
    this.stderr += chunk;
    if (this.stderr.length > STDERR_LIMIT) {
      const drop = this.stderr.length - STDERR_LIMIT;
      this.stderr = this.stderr.slice(drop);
      this.stderrDropped += drop;
    }
  }

  private wake(): void {
    this.waiter?.();
  }
}
