/**
 * Reading what an engine hands back — a thrown value or its outputs — without trusting it
 * (spec/adapter.md §4.1). An engine may throw `Object.create(null)`, return a Proxy, objects with
 * throwing getters, fake typed arrays or cycles; each must become a readable *error* verdict, never
 * a crash of the judge.
 */
import { join } from "node:path";
import { packageRoot } from "./package-paths.ts";

/** The longest description kept of a thrown value (a report stays readable). */
const MAX_DESCRIPTION = 2000;

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function cut(text: string): string {
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}

/** Stack frames worth showing an engine's author: theirs, not the suite's or Node's. */
function engineFrames(stack: string): string {
  const own = join(packageRoot(), "conformance");
  return stack
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && !l.includes(own) && !l.includes("(node:") && !/^\s+at node:/.test(l) && !l.includes("/node_modules/"))
    .slice(0, 5)
    .join("\n");
}

/**
 * "Name: message" for an Error (with the first stack frames in the engine's own code, when
 * `withStack`), and a best-effort description of anything else. Never throws.
 */
export function describeThrown(e: unknown, withStack = false): string {
  if (e === null || e === undefined || typeof e === "number" || typeof e === "boolean" || typeof e === "bigint" || typeof e === "symbol") {
    return `${typeof e === "symbol" ? "a symbol" : `the value ${String(e)}`} (not an Error)`;
  }
  if (typeof e === "string") return cut(e);
  const name = attempt(() => (e as { name?: unknown }).name);
  const message = attempt(() => (e as { message?: unknown }).message);
  if (typeof message === "string") {
    const head = `${typeof name === "string" && name !== "" ? name : "Error"}: ${message}`;
    const stack = withStack ? attempt(() => (e as { stack?: unknown }).stack) : undefined;
    const frames = typeof stack === "string" ? engineFrames(stack) : "";
    return cut(frames === "" ? head : `${head}\n${frames}`);
  }
  const text = attempt(() => JSON.stringify(e));
  if (typeof text === "string" && text !== "{}") return cut(`a non-Error value ${text}`);
  if (attempt(() => Object.getPrototypeOf(e)) === null) return "a non-Error object with no prototype";
  const tag = attempt(() => Object.prototype.toString.call(e)) ?? "[object ?]";
  return `a non-Error value ${tag}`;
}

/** An adapter's account of what an engine did (worker-engine.ts): the runner shows its message as it is. */
export class EngineFault extends Error {
  override readonly name = "EngineFault";
}

/** The sentence for outputs that cannot be copied as data. */
export function unreadableOutputs(e: unknown): string {
  return `the engine's outputs cannot be read as plain data (${describeThrown(e)}); return arrays of { shape, data: Float32Array } (spec/adapter.md §3)`;
}

/**
 * A plain copy of what the engine returned: typed arrays stay typed arrays, getters are read once,
 * class instances and fakes become plain objects (so the output checks see what they really are),
 * and the engine can no longer change the data while it is judged. Throws, with a readable message,
 * when the value cannot be copied (a Proxy, a function, a getter that throws).
 */
export function detach<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch (e) {
    throw new EngineFault(unreadableOutputs(e), { cause: e });
  }
}
