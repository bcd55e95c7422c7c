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

export interface EngineProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class EngineProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private partial = "";
  private stderr = "";
  /** Characters of stderr dropped from the front to respect STDERR_LIMIT. */
  private stderrDropped = 0;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private waiter: (() => void) | undefined;
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
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.exitInfo = { code, signal };
        this.wake();
        resolve();
      });
      this.child.on("error", (err) => {
        this.onStderr(`[conformance] cannot start "${command}": ${err.message}\n`);
        this.exitInfo = { code: null, signal: null };
        this.wake();
        resolve();
      });
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
      if (this.exitInfo !== undefined) return { kind: "exit", ...this.exitInfo, partial: this.partial };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: "timeout", partial: this.partial };
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

  /** Kills the engine's whole process group (the shell and what it started) and waits for the end. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const pid = this.child.pid;
    try {
      if (pid !== undefined) process.kill(-pid, "SIGKILL");
      else this.child.kill("SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
    await this.exited;
  }

  private onStdout(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const p of parts) this.lines.push(p.endsWith("\r") ? p.slice(0, -1) : p);
    if (parts.length > 0) this.wake();
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
