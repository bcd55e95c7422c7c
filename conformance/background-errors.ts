/**
 * Errors an in-process engine raises outside the call the runner awaits — a throwing timer, a
 * promise nobody awaits — while the suite runs. Without a listener they would end the process and
 * lose every result; with one, they fail the case that was running (spec/adapter.md §4.1). Engines
 * run from the CLI live in a worker thread (engines/worker-engine.ts), where the same errors end the
 * worker instead; this covers engines passed to `runSuite` directly.
 */
import { describeThrown } from "./untrusted.ts";

export class BackgroundErrors {
  private pending: string[] = [];
  private readonly onError = (e: unknown): void => {
    this.pending.push(describeThrown(e, true));
  };

  /** Starts listening for the process's uncaught exceptions and unhandled rejections. */
  start(): this {
    process.on("uncaughtException", this.onError);
    process.on("unhandledRejection", this.onError);
    return this;
  }

  stop(): void {
    process.off("uncaughtException", this.onError);
    process.off("unhandledRejection", this.onError);
  }

  /** What arrived since the last call (an unhandled rejection is seen a tick later: let it land first). */
  async take(): Promise<readonly string[]> {
    await new Promise((resolve) => setImmediate(resolve));
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}
