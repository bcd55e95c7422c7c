/**
 * The command line (spec/adapter.md §7): `keras-rnn-conformance [run] [options]`, `merge`, and the
 * commands in `conformance/commands/<name>.ts`. Exit codes: 0 conformant, 1 not conformant,
 * 2 usage or load error.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { Engine } from "./engine.ts";
import { HELP_TEXT } from "./cli-help.ts";
import { parseExpectations, type Expectations } from "./expectations.ts";
import { requiredFeatures } from "./features.ts";
import { formatLoadError, loadFixtures } from "./fixtures/load.ts";
import { EngineModuleError, loadEngine } from "./engines/registry.ts";
import { defaultFixturesDir, ownModule, packageVersion } from "./package-paths.ts";
import { formatConsoleReport, formatProgress } from "./reports/console.ts";
import { isReportFormat, renderReport, REPORT_FORMATS, type ReportFormat } from "./reports/index.ts";
import { fromJsonReport } from "./reports/json.ts";
import { mergeResults } from "./reports/merge.ts";
import { DEFAULT_TIMEOUT_MS, runSuite, shellQuote } from "./runner.ts";
import { matchesIdPattern, parseShard, selectCases, type Shard } from "./select.ts";
import type { SuiteResult } from "./verdict.ts";

export const EXIT_CONFORMANT = 0;
export const EXIT_NOT_CONFORMANT = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_PROPERTY_RUNS = 100;
export const DEFAULT_SEED = 1;
const PROCESS_TIMEOUT_GRACE_MS = 2000;

/** Where the CLI writes; injectable so tests run it in-process. */
export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether progress lines may be drawn. */
  readonly isTTY: boolean;
}

const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTTY: process.stderr.isTTY === true,
};

class UsageError extends Error {}

const RUN_OPTIONS = {
  engine: { type: "string" },
  "engine-cmd": { type: "string" },
  "validate-protocol": { type: "boolean" },
  fixtures: { type: "string", multiple: true },
  filter: { type: "string", multiple: true },
  shard: { type: "string" },
  expectations: { type: "string" },
  "no-strict-expectations": { type: "boolean" },
  properties: { type: "string" },
  seed: { type: "string" },
  timeout: { type: "string" },
  "no-diagnose": { type: "boolean" },
  level: { type: "string" },
  list: { type: "boolean" },
  report: { type: "string", multiple: true },
  out: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

function nonNegativeInteger(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

interface ReportRequest {
  readonly format: ReportFormat;
  readonly out: string | null;
}

/** Runs a parser of user input, turning its complaint into a usage error (exit 2, no stack trace). */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function reportRequests(reports: readonly string[] = [], outs: readonly string[] = []): ReportRequest[] {
  if (outs.length > reports.length) throw new UsageError("each --out needs a --report before it");
  return reports.map((format, i) => {
    if (!isReportFormat(format)) throw new UsageError(`--report must be one of ${REPORT_FORMATS.join(", ")}; got "${format}"`);
    return { format, out: outs[i] ?? null };
  });
}

/** The console summary, then the requested reports. The summary goes to stdout, unless a report does. */
function writeSummaryAndReports(requests: readonly ReportRequest[], result: SuiteResult, io: CliIO): void {
  const summary = `${formatConsoleReport(result)}\n`;
  if (requests.some((r) => r.out === null)) io.err(summary);
  else io.out(summary);
  for (const r of requests) {
    const text = renderReport(r.format, result);
    if (r.out === null) io.out(text);
    else {
      mkdirSync(dirname(r.out), { recursive: true }); // `--out reports/x.xml` in a fresh checkout
      writeFileSync(r.out, text);
    }
  }
}

async function openEngine(values: { engine?: string; "engine-cmd"?: string; "validate-protocol"?: boolean }, timeoutMs: number): Promise<{ engine: Engine; args: string }> {
  if (values["engine-cmd"] !== undefined) {
    if (values.engine !== undefined) throw new UsageError("give either --engine or --engine-cmd, not both");
    const cmd = values["engine-cmd"];
    // The out-of-process adapter (conformance/engines/process.ts, spec/adapter.md §8).
    const { createProcessEngine } = await import("./engines/process.ts");
    const validateProtocol = values["validate-protocol"] === true;
    const engine = await createProcessEngine(cmd, { validateProtocol, timeoutMs });
    return { engine, args: `--engine-cmd ${shellQuote(cmd)}${validateProtocol ? " --validate-protocol" : ""}` };
  }
  const spec = values.engine ?? "reference";
  return { engine: await loadEngine(spec), args: `--engine ${shellQuote(spec)}` };
}

/** `run`: the suite. */
export async function runCommand(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], options: RUN_OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    io.out(HELP_TEXT);
    return EXIT_CONFORMANT;
  }
  if (values.version) {
    io.out(`${packageVersion()}\n`);
    return EXIT_CONFORMANT;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const timeoutMs = nonNegativeInteger(values.timeout, "--timeout", DEFAULT_TIMEOUT_MS);
  const numRuns = nonNegativeInteger(values.properties, "--properties", DEFAULT_PROPERTY_RUNS);
  const seed = nonNegativeInteger(values.seed, "--seed", DEFAULT_SEED);
  const shard: Shard | null = values.shard !== undefined ? usage(() => parseShard(values.shard!)) : null;
  const requiredLevel = values.level;
  if (requiredLevel !== undefined && requiredLevel !== "core" && requiredLevel !== "full") throw new UsageError(`--level must be core or full, got "${requiredLevel}"`);
  const requests = reportRequests(values.report, values.out);
  const filters = values.filter ?? [];

  // Fixtures: a load error is reported, the rest still runs, and the exit code is 2 (spec/adapter.md §7).
  const fixturePaths = values.fixtures ?? [defaultFixturesDir()];
  const loaded = loadFixtures(fixturePaths);
  for (const e of loaded.errors) io.err(`fixture error: ${formatLoadError(e)}\n`);
  const loadFailed = loaded.errors.length > 0;
  if (loaded.cases.length === 0) {
    io.err(`no fixture cases found in ${fixturePaths.join(", ")}\n`);
    return EXIT_USAGE;
  }
  const selected = selectCases(loaded.cases, filters, shard);
  // Properties run once (in shard 1 of n), and only when no filter excludes the `property/` family.
  const wantsProperties = numRuns > 0 && (shard === null || shard.index === 1) && (filters.length === 0 || filters.some((f) => matchesIdPattern("property", f) || f.startsWith("property/")));
  if (selected.length === 0 && !wantsProperties) {
    io.err(`no case matches ${filters.map((f) => `--filter ${f}`).join(" ")}${shard ? ` in shard ${shard.index}/${shard.count}` : ""}\n`);
    return EXIT_USAGE;
  }

  if (values.list) {
    for (const c of selected) io.out(`${c.id}  ${requiredFeatures(c).join(" ")}\n`);
    io.out(`${selected.length} case(s)${wantsProperties ? `, plus the property-based tests (${numRuns} runs each)` : ""}\n`);
    return loadFailed ? EXIT_USAGE : EXIT_CONFORMANT;
  }

  let expectations: Expectations | undefined;
  if (values.expectations !== undefined) {
    if (!existsSync(values.expectations)) throw new UsageError(`expectations file ${values.expectations} not found`);
    const parsed = parseExpectations(readFileSync(values.expectations, "utf8"), values.expectations);
    if (parsed.errors.length > 0) {
      for (const e of parsed.errors) io.err(`expectations error: ${e}\n`);
      return EXIT_USAGE;
    }
    expectations = parsed.expectations;
  }

  const { engine, args } = await openEngine(values, timeoutMs);
  let result: SuiteResult;
  try {
    result = await runSuite(engine, selected, {
      // A process engine enforces the timeout itself (it kills and restarts the process, with a
      // better message); the runner's own deadline only backs it up.
      timeoutMs: values["engine-cmd"] !== undefined ? timeoutMs + PROCESS_TIMEOUT_GRACE_MS : timeoutMs,
      expectations,
      strictExpectations: values["no-strict-expectations"] !== true,
      engineArgs: args,
      fixtures: values.fixtures ?? [],
      filters,
      shard,
      casesLoaded: loaded.cases.length,
      diagnose: values["no-diagnose"] !== true,
      allIds: loaded.cases.map((c) => c.id),
      properties: wantsProperties ? { numRuns, seed, fixtures: loaded.cases } : undefined,
      onCase: io.isTTY ? (v, done, total) => io.err(formatProgress(v, done, total)) : undefined,
    });
  } finally {
    await engine.close?.();
  }
  if (io.isTTY) io.err("\r".padEnd(100) + "\r");
  if (filters.length > 0 && result.properties.length > 0) {
    result = { ...result, properties: result.properties.filter((p) => filters.some((f) => matchesIdPattern(p.id, f) || matchesIdPattern("property", f))) };
  }
  writeSummaryAndReports(requests, result, io);
  if (loadFailed) {
    io.err(`${loaded.errors.length} fixture error(s) (listed above): exit code 2\n`);
    return EXIT_USAGE;
  }
  const levelOk = requiredLevel === undefined || result.level === "full" || (requiredLevel === "core" && result.level === "core");
  if (!levelOk) io.err(`--level ${requiredLevel} required, reached ${result.level}\n`);
  return result.conformant && levelOk ? EXIT_CONFORMANT : EXIT_NOT_CONFORMANT;
}

/** `merge a.json b.json ... [--report f --out file]...`: one result from shard reports. */
export async function mergeCommand(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { report: { type: "string", multiple: true }, out: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out("Usage: keras-rnn-conformance merge <report.json>... [--report <format> --out <file>]...\nMerges the JSON reports of shards (--shard k/n) into one.\n");
    return EXIT_CONFORMANT;
  }
  if (positionals.length === 0) throw new UsageError("merge needs at least one JSON report");
  const requests = reportRequests(values.report, values.out);
  const results = positionals.map((file) => {
    try {
      return fromJsonReport(readFileSync(file, "utf8"), file);
    } catch (e) {
      throw new UsageError(`cannot read report ${file}: ${(e as Error).message}`);
    }
  });
  const merged = mergeResults(results);
  writeSummaryAndReports(requests, merged, io);
  return merged.conformant ? EXIT_CONFORMANT : EXIT_NOT_CONFORMANT;
}

interface CommandModule {
  main(argv: string[]): Promise<number>;
}

/** Entry point: dispatches on the first argument. Never throws: every problem becomes an exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first.startsWith("-")) return await runCommand(argv, io);
    if (first === "run") return await runCommand(rest, io);
    if (first === "merge") return await mergeCommand(rest, io);
    if (!/^[a-z][a-z0-9-]*$/.test(first)) throw new UsageError(`unknown command "${first}"; see --help`);
    const target = ownModule(`./commands/${first}.ts`, import.meta.url);
    if (target === null) throw new UsageError(`unknown command "${first}"; see --help`);
    const command = (await import(target.href)) as Partial<CommandModule>;
    if (typeof command.main !== "function") throw new UsageError(`command "${first}" is not available (its module exports no main)`);
    return await command.main(rest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof EngineModuleError || (e instanceof Error && (e.name === "EngineLoadError" || "code" in e && String((e as { code: unknown }).code).startsWith("ERR_PARSE_ARGS")))) {
      io.err(`keras-rnn-conformance: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`keras-rnn-conformance: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_USAGE;
  }
}

/** Runs `main` on the process's arguments and sets the exit code. */
export async function runCli(): Promise<void> {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // An abandoned (timed-out) engine may keep the event loop alive; do not let it hold the exit.
  setTimeout(() => process.exit(code), 2000).unref();
}

const entry = process.argv[1];
if (entry !== undefined && existsSync(entry) && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  await runCli();
}
