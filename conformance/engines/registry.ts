/**
 * Turning what the user wrote after `--engine` into an Engine (spec/adapter.md §7): a built-in name
 * (`reference`, `tfjs`, `onnxruntime`), `mutant:<name>`, or a path to a `.ts` / `.js` module.
 * A module exports the engine as `default` or `engine`, or a factory `createEngine()` (sync or
 * async); the engine may be a layer engine (`{ name, version, features?, lstm(call) }`, §1.2), which
 * is composed into one. `.ts` modules are loaded through tsx, so they need no build step.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Engine } from "../engine.ts";
import { ownModule } from "../package-paths.ts";
import { isLayerEngine, layerEngine } from "./layer-engine.ts";

/** The engine could not be loaded: the CLI reports it and exits 2. */
export class EngineModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineModuleError";
  }
}

/** Built-in engines, by name, as module paths relative to this file (loaded lazily: tfjs is heavy). */
export const BUILTIN_ENGINES: Readonly<Record<string, string>> = {
  reference: "./reference.ts",
  tfjs: "./tfjs.ts",
  onnxruntime: "./onnxruntime.ts",
};

/**
 * The packages each built-in engine needs beyond the suite's own dependencies. They are optional peer
 * dependencies (package.json), so that a user who runs only their own engine does not install them.
 * The versions are the ones the suite is tested with (its devDependencies).
 */
export const ENGINE_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  tfjs: ["@tensorflow/tfjs@4.22.0"],
  onnxruntime: ["onnxruntime-web@1.30.0", "protobufjs@7.6.6"],
};

const packageName = (pinned: string): string => pinned.slice(0, pinned.lastIndexOf("@"));

/**
 * The message for a built-in engine whose optional package is not installed, or null when `error`
 * is about something else. Node says "Cannot find package '<name>' imported from …"
 * (ERR_MODULE_NOT_FOUND); a CommonJS require says "Cannot find module '<name>'".
 */
export function missingEnginePackage(engine: string, error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  const needed = ENGINE_PACKAGES[engine] ?? [];
  const missing = needed.filter((p) => message.includes(`'${packageName(p)}'`) || message.includes(`"${packageName(p)}"`));
  if (missing.length === 0 || !/Cannot find (package|module)/.test(message)) return null;
  return `--engine ${engine} needs ${missing.map(packageName).join(" and ")}: npm install ${needed.join(" ")}`;
}

/**
 * Whether `spec` names one of the suite's own engines — the reference or a mutant built from it —
 * which run in the judge's thread: the judge already runs the reference as its oracle. Every other
 * engine, built-in tfjs and onnxruntime included, is third-party code and runs isolated.
 */
export function isSuiteEngine(spec: string): boolean {
  return spec === "reference" || spec.startsWith("mutant:");
}

/** Whether `spec` names a module file rather than a built-in engine. */
export function isModulePath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.(c|m)?(t|j)s$/.test(spec);
}

/** Why `value` is neither an engine (§1) nor a layer engine (§1.2), or null when it is one of them. */
function problemWith(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "is not an object";
  const e = value as Record<string, unknown>;
  if (typeof e["name"] !== "string") return "has no string `name`";
  if (typeof e["version"] !== "string") return "has no string `version`";
  if (isLayerEngine(value)) return e["features"] === undefined || Array.isArray(e["features"]) ? null : "has a `features` that is not an array";
  if (!Array.isArray(e["features"])) return "has no `features` array";
  if (typeof e["run"] !== "function") return "has no `run(case)` function (an engine) nor `lstm(call)` (a layer engine)";
  if (e["gradients"] !== undefined && typeof e["gradients"] !== "function") return "has a `gradients` that is not a function (spec/gradients.md §7.2)";
  return null;
}

/** An engine as it is, a layer engine composed into one (spec/adapter.md §1.2). */
const asEngine = (value: unknown): Engine => (isLayerEngine(value) ? layerEngine(value) : (value as Engine));

/** Finds the engine among a module's exports: `default`, `engine`, or `createEngine()`. */
export async function engineFromModule(module: Record<string, unknown>, where: string): Promise<Engine> {
  const defaultExport = module["default"];
  // A module loaded through CommonJS interop (tsx may compile to CJS) has its exports under `default`.
  if (typeof defaultExport === "object" && defaultExport !== null && problemWith(defaultExport) !== null && ["engine", "createEngine", "default"].some((k) => k in defaultExport)) {
    return engineFromModule(defaultExport as Record<string, unknown>, where);
  }
  const candidates: [string, unknown][] = [
    ["default", defaultExport],
    ["engine", module["engine"]],
  ];
  const factory = module["createEngine"];
  if (typeof factory === "function") candidates.push(["createEngine()", await (factory as () => unknown)()]);
  for (const [, value] of candidates) if (value !== undefined && problemWith(value) === null) return asEngine(value);
  const found = candidates.filter(([, v]) => v !== undefined);
  if (found.length === 0) throw new EngineModuleError(`${where} exports no engine: export it (or a layer engine, §1.2) as \`default\` or \`engine\`, or export \`createEngine()\` (spec/adapter.md §1)`);
  const [name, value] = found[0]!;
  throw new EngineModuleError(`${where}: export \`${name}\` is not an engine: it ${problemWith(value)} (spec/adapter.md §1)`);
}

/** Set by an engine worker that registered tsx for its whole thread (worker-engine.ts BOOT). */
export const TSX_REGISTERED = Symbol.for("keras-rnn-conformance.tsx-registered");

async function importModule(url: string, where: string, rethrow = false, own = false): Promise<Record<string, unknown>> {
  try {
    // tsx compiles the user's TypeScript on the fly; harmless when we already run under tsx. An engine
    // worker registers tsx for the whole thread (worker-engine.ts): the suite's own modules then need
    // only a plain import. A user's module still goes through tsImport, which also loads a .ts file
    // that tsx compiles to CommonJS (no "type": "module" near it) importing ES modules.
    if (/\.(c|m)?ts$/.test(url) && !(own && (globalThis as Record<symbol, unknown>)[TSX_REGISTERED] === true)) {
      const { tsImport } = await import("tsx/esm/api");
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if (rethrow) throw e;
    throw new EngineModuleError(`cannot load ${where}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Loads the engine `spec` names. Throws EngineModuleError with a message for the user. */
export async function loadEngine(spec: string, cwd = process.cwd()): Promise<Engine> {
  if (spec.startsWith("mutant:")) {
    const name = spec.slice("mutant:".length);
    // The gallery (conformance/mutants/index.ts) is the list of mutants: its names, not file paths.
    const { mutantByName, mutants } = (await import(ownModule("../mutants/index.ts", import.meta.url)!.href)) as typeof import("../mutants/index.ts");
    const entry = mutantByName(name);
    if (entry === undefined) throw new EngineModuleError(`no mutant named "${name}"; mutants: ${mutants.map((m) => m.name).join(", ")}`);
    return entry.engine;
  }
  if (!isModulePath(spec)) {
    const relative = BUILTIN_ENGINES[spec];
    if (relative === undefined) throw new EngineModuleError(`unknown engine "${spec}"; built-in engines: ${Object.keys(BUILTIN_ENGINES).join(", ")}; or give a path to a .ts/.js module`);
    const target = ownModule(relative, import.meta.url);
    if (target === null) throw new EngineModuleError(`the built-in engine "${spec}" is not available in this installation`);
    let module: Record<string, unknown>;
    try {
      module = await importModule(target.href, `engine ${spec}`, true, true);
    } catch (e) {
      throw new EngineModuleError(missingEnginePackage(spec, e) ?? `cannot load engine ${spec}: ${(e as Error).message.split("\n")[0]}`);
    }
    return engineFromModule(module, `engine ${spec}`);
  }
  const path = resolve(cwd, spec);
  if (!existsSync(path)) throw new EngineModuleError(`engine module ${spec} not found (looked at ${path})`);
  return engineFromModule(await importModule(pathToFileURL(path).href, spec), spec);
}
