/**
 * The command line (spec/adapter.md §7): `keras-rnn-conformance [run] [options]`, `merge`, and the
 * commands in `conformance/commands/<name>.ts`. Exit codes: 0 conformant, 1 not conformant,
 * 2 usage or load error.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { Engine } from "./engine.ts";
import { HELP_TEXT } from "./cli-help.ts";
import { parseExpectations, type Expectations } from "./expectations.ts";
import type { FixtureCase } from "./case.ts";
import { GRADIENTS_FEATURE, requiredFeatures } from "./features.ts";
import { isGradientCase, type GradientCase } from "./gradients/case.ts";
import { formatLoadError, loadFixtures } from "./fixtures/load.ts";
import { EngineModuleError, isSuiteEngine, loadEngine } from "./engines/registry.ts";
import { createWorkerEngine } from "./engines/worker-engine.ts";
import { describeThrown } from "./untrusted.ts";
import { defaultFixturesDir, ownModule, packageVersion } from "./package-paths.ts";
import { formatConsoleReport, formatProgress } from "./reports/console.ts";
import { CLI_REPORT_FORMATS, isCliReportFormat, renderAnyReport, type CliReportFormat } from "./reports/index.ts";
import { missingChartPackages } from "./reports/html/charts.ts";
import { fromJsonReport } from "./reports/json.ts";
import { MergeError, mergeResults } from "./reports/merge.ts";
import { DEFAULT_PROPERTY_RUNS, DEFAULT_SEED, DEFAULT_TIMEOUT_MS, runSuite, shellQuote } from "./runner.ts";
import { propertyIds } from "./run-properties.ts";
import { matchesIdPattern, parseShard, selectCases, type Shard } from "./select.ts";
import type { ConformanceLevel } from "./levels.ts";
import type { SuiteResult } from "./verdict.ts";

export const EXIT_CONFORMANT = 0;
export const EXIT_NOT_CONFORMANT = 1;
export const EXIT_USAGE = 2;

export { DEFAULT_PROPERTY_RUNS, DEFAULT_SEED };
/** An adapter (worker or process) enforces the case timeout itself; the runner's own deadline is this much later. */
const ADAPTER_TIMEOUT_GRACE_MS = 2000;
/** Node's timers hold at most 2^31 − 1 ms; a longer delay silently becomes 1 ms. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1 - ADAPTER_TIMEOUT_GRACE_MS;
/** How long an engine's close() may take once the reports are written. */
const CLOSE_TIMEOUT_MS = 10_000;

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
  counterexamples: { type: "string" },
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
  readonly format: CliReportFormat;
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

/**
 * The `--report`/`--out` pairs, each `--out` checked before anything runs: a report that cannot be
 * written must not be found out after the whole run (spec/adapter.md §6).
 */
function reportRequests(reports: readonly string[] = [], outs: readonly string[] = []): ReportRequest[] {
  if (outs.length > reports.length) throw new UsageError("each --out needs a --report before it");
  const requests = reports.map((format, i) => {
    if (!isCliReportFormat(format)) throw new UsageError(`--report must be one of ${CLI_REPORT_FORMATS.join(", ")}; got "${format}"`);
    // spec/adapter.md §6.4: said before the run, not found out after it
    const missing = format === "html" ? missingChartPackages() : null;
    if (missing !== null) throw new UsageError(missing);
    return { format, out: outs[i] ?? null };
  });
  const targets = requests.flatMap((r) => (r.out === null ? [] : [resolve(r.out)]));
  const twice = targets.find((t, i) => targets.indexOf(t) !== i);
  if (twice !== undefined) throw new UsageError(`--out ${twice} is given twice: each report needs its own file`);
  for (const r of requests) if (r.out !== null) checkWritable(r.out);
  return requests;
}

/** A usage error unless `file` can be written: not a directory, and its nearest existing folder writable. */
function checkWritable(file: string): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new UsageError(`--out ${file} is a directory; give a file name, e.g. ${file.replace(/\/?$/, "/report")}`);
  let dir = dirname(resolve(file));
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${file}: ${dir} is not a directory`);
  try {
    accessSync(stat ? file : dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${file} cannot be written (no write permission on ${stat ? file : dir})`);
  }
}

/**
 * The console summary, then every requested report. One that cannot be written does not stop the
 * others; the failures are returned (the CLI then exits 2).
 */
async function writeSummaryAndReports(requests: readonly ReportRequest[], result: SuiteResult, io: CliIO): Promise<string[]> {
  const summary = `${formatConsoleReport(result)}\n`;
  if (requests.some((r) => r.out === null)) io.err(summary);
  else io.out(summary);
  const failed: string[] = [];
  for (const r of requests) {
    try {
      const text = await renderAnyReport(r.format, result);
      if (r.out === null) io.out(text);
      else {
        mkdirSync(dirname(r.out), { recursive: true }); // `--out reports/x.xml` in a fresh checkout
        writeFileSync(r.out, text);
      }
    } catch (e) {
      failed.push(`cannot write the ${r.format} report${r.out === null ? "" : ` to ${r.out}`}: ${describeThrown(e)}`);
    }
  }
  for (const f of failed) io.err(`keras-rnn-conformance: ${f}\n`);
  return failed;
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
  const args = `--engine ${shellQuote(spec)}`;
  // The suite's own engines are the judge's code (the reference is already its oracle); every other
  // engine runs in a worker thread and shares no state with the judge (spec/adapter.md §1.1).
  if (isSuiteEngine(spec)) return { engine: await loadEngine(spec), args };
  return { engine: await createWorkerEngine(spec, { timeoutMs }), args };
}

/** Ends the engine after the reports are written; one that throws or never settles cannot change them. */
async function closeEngine(engine: Engine, io: CliIO): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), CLOSE_TIMEOUT_MS);
  });
  try {
    const how = await Promise.race([Promise.resolve().then(() => engine.close?.()).then(() => "closed" as const), late]);
    if (how === "late") io.err(`keras-rnn-conformance: warning: the engine's close() did not finish within ${CLOSE_TIMEOUT_MS} ms; abandoned\n`);
  } catch (e) {
    io.err(`keras-rnn-conformance: warning: the engine's close() failed: ${describeThrown(e)}\n`);
  } finally {
    clearTimeout(timer);
  }
}

/** `--level`; by default core, and none for a shard, whose gate is the merge (spec/adapter.md §6.3). */
function parseLevel(text: string | undefined, fallback: ConformanceLevel): ConformanceLevel {
  if (text === undefined) return fallback;
  if (text !== "none" && text !== "core" && text !== "full") throw new UsageError(`--level must be none, core or full, got "${text}"`);
  return text;
}

function parseTimeout(text: string | undefined): number {
  const ms = nonNegativeInteger(text, "--timeout", DEFAULT_TIMEOUT_MS);
  if (ms < 1 || ms > MAX_TIMEOUT_MS) throw new UsageError(`--timeout must be between 1 and ${MAX_TIMEOUT_MS} ms (Node's timers hold at most 2^31 - 1 ms), got ${text}`);
  return ms;
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
  const timeoutMs = parseTimeout(values.timeout);
  const numRuns = nonNegativeInteger(values.properties, "--properties", DEFAULT_PROPERTY_RUNS);
  const seed = nonNegativeInteger(values.seed, "--seed", DEFAULT_SEED);
  const shard: Shard | null = values.shard !== undefined ? usage(() => parseShard(values.shard!)) : null;
  const requiredLevel = parseLevel(values.level, shard === null ? "core" : "none");
  const requests = reportRequests(values.report, values.out);
  const filters = values.filter ?? [];

  // The engine starts while the fixtures load: a worker takes a few hundred ms, a Python process seconds.
  const opening = values.list === true ? null : openEngine(values, timeoutMs);
  opening?.catch(() => undefined); // awaited below; an early exit must not leave its rejection unhandled
  let opened = false;
  try {
    // Fixtures: a load error is reported, the rest still runs, and the exit code is 2 (spec/adapter.md §7).
    const fixturePaths = values.fixtures ?? [defaultFixturesDir()];
    const loaded = loadFixtures(fixturePaths);
    const loadErrors = loaded.errors.map(formatLoadError);
    for (const e of loadErrors) io.err(`fixture error: ${e}\n`);
    if (loaded.cases.length === 0) {
      io.err(`no fixture cases found in ${fixturePaths.join(", ")}\n`);
      return EXIT_USAGE;
    }
    // Every filter must select something: a misspelt one would otherwise quietly run less (or nothing).
    const properties = await propertyIds();
    // spec/gradients.md §7: gradient cases are selected, listed and run like forward ones.
    const everyCase: readonly (FixtureCase | GradientCase)[] = [...loaded.cases, ...(loaded.gradientCases ?? [])];
    const idle = filters.filter((f) => !everyCase.some((c) => matchesIdPattern(c.id, f)) && !properties.some((p) => matchesIdPattern(p, f)) && !matchesIdPattern("property", f));
    if (idle.length > 0) {
      throw new UsageError(`${idle.map((f) => `--filter ${f}`).join(", ")} matches no case and no property (property ids: ${properties.join(", ")})`);
    }
    const selectedAll = selectCases(everyCase, filters, shard);
    const selected = selectedAll.filter((c): c is FixtureCase => !isGradientCase(c));
    const selectedGradients = selectedAll.filter(isGradientCase);
    // Properties run once (in shard 1 of n), and only when no filter excludes the `property/` family.
    const wantsProperties = numRuns > 0 && (shard === null || shard.index === 1) && (filters.length === 0 || filters.some((f) => matchesIdPattern("property", f) || f.startsWith("property/")));
    // An empty shard still runs (and reports no evidence), so that merge finds every shard.
    if (selectedAll.length === 0 && !wantsProperties && shard === null) {
      io.err(`nothing to run: ${filters.map((f) => `--filter ${f}`).join(" ")} selects only property-based tests, and --properties is 0\n`);
      return EXIT_USAGE;
    }

    if (values.list) {
      for (const c of selected) io.out(`${c.id}  ${requiredFeatures(c).join(" ")}\n`);
      for (const c of selectedGradients) io.out(`${c.id}  ${[...requiredFeatures(c), GRADIENTS_FEATURE].sort().join(" ")}\n`);
      io.out(`${selectedAll.length} case(s)${wantsProperties ? `, plus the property-based tests (${numRuns} runs each)` : ""}\n`);
      return loadErrors.length > 0 ? EXIT_USAGE : EXIT_CONFORMANT;
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
    const { engine, args } = await opening!;
    opened = true;
    let result: SuiteResult;
    try {
      result = await runSuite(engine, selected, {
        timeoutMs: timeoutMs + ADAPTER_TIMEOUT_GRACE_MS,
        expectations,
        strictExpectations: values["no-strict-expectations"] !== true,
        engineArgs: args,
        fixtures: values.fixtures ?? [],
        filters,
        shard,
        casesLoaded: everyCase.length,
        gradientCases: selectedGradients,
        diagnose: values["no-diagnose"] !== true,
        allIds: everyCase.map((c) => c.id),
        warnUnmatchedExpectations: values.fixtures === undefined,
        properties: wantsProperties ? { numRuns, seed, fixtures: loaded.cases, ...(values.counterexamples !== undefined ? { counterexampleDir: values.counterexamples } : {}) } : undefined,
        loadErrors,
        requiredLevel,
        onCase: io.isTTY ? (v, done, total) => io.err(formatProgress(v, done, total)) : undefined,
      });
    } catch (e) {
      await closeEngine(engine, io);
      throw e;
    }
    if (io.isTTY) io.err("\r".padEnd(100) + "\r");
    // Reports first: whatever close() does, the verdict is on disk.
    const unwritten = await writeSummaryAndReports(requests, result, io);
    await closeEngine(engine, io);
    if (loadErrors.length > 0) io.err(`${loadErrors.length} fixture error(s) (listed above): exit code 2\n`);
    for (const reason of result.reasons) io.err(`not green: ${reason}\n`);
    return unwritten.length > 0 ? EXIT_USAGE : result.exitCode;
  } finally {
    if (!opened && opening !== null) await discardEngine(opening);
  }
}

/** An engine started for a run that ended before it began (a usage error): close it quietly. */
async function discardEngine(opening: Promise<{ engine: Engine }>): Promise<void> {
  try {
    const { engine } = await opening;
    await closeEngine(engine, { out: () => undefined, err: () => undefined, isTTY: false });
  } catch {
    // it failed to start: nothing to close
  }
}

/** `merge a.json b.json ... [--report f --out file]...`: one result from shard reports. */
export async function mergeCommand(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { report: { type: "string", multiple: true }, out: { type: "string", multiple: true }, level: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(
      "Usage: keras-rnn-conformance merge <report.json>... [--level <none|core|full>] [--report <format> --out <file>]...\n" +
        "Merges the JSON reports of every shard (--shard k/n) of one run into one, and judges it: exit 0 only\n" +
        "when the whole run reaches --level (default core). Refuses (exit 1) a missing or repeated shard and\n" +
        "reports of different engines, suite versions, fixtures, filters or property settings.\n",
    );
    return EXIT_CONFORMANT;
  }
  if (positionals.length === 0) throw new UsageError("merge needs at least one JSON report");
  const requiredLevel = parseLevel(values.level, "core");
  const requests = reportRequests(values.report, values.out);
  const results = positionals.map((file) => {
    try {
      return fromJsonReport(readFileSync(file, "utf8"), file);
    } catch (e) {
      throw new UsageError(`cannot read report ${file}: ${(e as Error).message}`);
    }
  });
  let merged: SuiteResult;
  try {
    merged = mergeResults(results, positionals, requiredLevel);
  } catch (e) {
    // spec/adapter.md §6.3: a set of reports that is not exactly one run's shards is never merged.
    if (!(e instanceof MergeError)) throw e;
    io.err(`keras-rnn-conformance: ${e.message}\n`);
    return EXIT_NOT_CONFORMANT;
  }
  const unwritten = await writeSummaryAndReports(requests, merged, io);
  for (const reason of merged.reasons) io.err(`not green: ${reason}\n`);
  return unwritten.length > 0 ? EXIT_USAGE : merged.exitCode;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** parseArgs's "Unknown option '--filtr'. To specify a positional…" as "unknown option --filtr; did you mean --filter?". */
function readableParseError(e: Error): string {
  const unknown = (e as { code?: unknown }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(--?[^']+)'/.exec(e.message)?.[1] : undefined;
  if (unknown === undefined) return e.message;
  const name = unknown.replace(/^-+/, "").split("=")[0]!;
  const closest = Object.keys(RUN_OPTIONS).map((o) => [o, distance(name, o)] as const).sort((x, y) => x[1] - y[1])[0];
  const hint = closest !== undefined && closest[1] <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean --${closest[0]}?` : "";
  return `unknown option ${unknown}${hint} (see --help)`;
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
      io.err(`keras-rnn-conformance: ${readableParseError(e)}\n`);
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
