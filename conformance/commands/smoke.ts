/**
 * `keras-rnn-conformance smoke --engine-cmd "<command>"`: in seconds, whether a process engine
 * speaks the protocol (spec/adapter.md §8): its hello, one tiny case compared with the reference,
 * and a clean shutdown — every message validated against spec/protocol.schema.json.
 * Exit code 0 = pass, 1 = the engine answered wrongly, 2 = usage error or the engine did not start.
 */
import { parseArgs } from "node:util";
import { describeComparison } from "../compare.ts";
import { compareOutputs } from "../compare-outputs.ts";
import type { EngineOutputs } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import { createProcessEngine, type ProcessEngine } from "../engines/process.ts";
import { formatShape } from "../tensor.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import { smokeCase } from "./smoke-case.ts";

/** The policy of spec/tolerance.md §4; on this tiny case (values of order 0.1) float32 noise is ~1e-7, far below. */
const TOLERANCE = BASE_TOLERANCE;

const HELP = `Usage: keras-rnn-conformance smoke --engine-cmd "<command>" [--timeout <ms>]

Checks in seconds that a process engine speaks the protocol of spec/adapter.md §8: its hello,
one tiny LSTM case (tanh/sigmoid, return_sequences) compared with the reference, and shutdown.
Every message is validated against spec/protocol.schema.json.

  --engine-cmd <command>  the engine, run by the shell (e.g. "python my_engine.py")
  --timeout <ms>          for the start-up and for the case (default 60000)

Exit code: 0 pass, 1 the engine answered wrongly, 2 usage error or the engine did not start.
`;

export interface SmokeIO {
  out(text: string): void;
}

const consoleIO: SmokeIO = { out: (text) => process.stdout.write(text) };

function checkOutputs(actual: EngineOutputs, expected: EngineOutputs): string | undefined {
  const result = compareOutputs(actual, expected, TOLERANCE);
  if (result.ok) return undefined;
  const d = result.difference;
  switch (d.kind) {
    case "calls":
      return `expected outputs for 1 call, got ${d.actual}`;
    case "outputs":
      return `expected ${d.expected} output tensor(s) ([output]), got ${d.actual}`;
    case "malformed":
      return "output: not a tensor";
    case "tensor":
      return `output: ${describeComparison(d.comparison, TOLERANCE)}`;
  }
}

function indent(text: string): string {
  return text.trimEnd().split("\n").map((l) => `      ${l}`).join("\n");
}

export async function main(argv: string[], io: SmokeIO = consoleIO): Promise<number> {
  let values: { "engine-cmd"?: string; timeout?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { "engine-cmd": { type: "string" }, timeout: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (e) {
    io.out(`smoke: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help === true) {
    io.out(HELP);
    return 0;
  }
  const command = values["engine-cmd"];
  if (command === undefined || command.trim() === "") {
    io.out(`smoke: --engine-cmd is required\n\n${HELP}`);
    return 2;
  }
  const timeoutMs = values.timeout === undefined ? 60_000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    io.out(`smoke: --timeout must be a positive integer (milliseconds), got "${values.timeout}"\n`);
    return 2;
  }

  io.out(`smoke: ${command}\n`);
  let t0 = performance.now();
  let engine: ProcessEngine;
  try {
    engine = await createProcessEngine(command, { validateProtocol: true, timeoutMs, startupTimeoutMs: timeoutMs });
  } catch (e) {
    io.out(`  ✗ handshake: ${(e as Error).message}\nsmoke: FAIL (the engine did not start)\n`);
    return 2;
  }
  const ms = (t: number): string => `${Math.round(performance.now() - t)} ms`;
  io.out(`  ✓ handshake: ${engine.name} ${engine.version}, protocol ${engine.hello.protocol}, ${engine.features.length} capabilities (${ms(t0)})\n`);
  io.out(`      ${engine.features.join(", ")}\n`);

  const c = smokeCase();
  const expected = await referenceEngine.run(c);
  let problem: string | undefined;
  t0 = performance.now();
  try {
    problem = checkOutputs(await engine.run(c), expected);
  } catch (e) {
    problem = (e as Error).message;
  }
  const shape = formatShape(expected[0]![0]!.shape);
  if (problem === undefined) io.out(`  ✓ case ${c.id}: output ${shape} matches the reference within atol ${TOLERANCE.atol} + rtol ${TOLERANCE.rtol} (${ms(t0)})\n`);
  else io.out(`  ✗ case ${c.id}: ${problem}\n`);
  const log = engine.caseLog(c.id);
  if (log !== undefined && log.stderr.trim() !== "") io.out(`    stderr during the case:\n${indent(log.stderr.slice(-1500))}\n`);
  for (const note of log?.notes ?? []) io.out(`    note: ${note}\n`);

  t0 = performance.now();
  await engine.close();
  io.out(`  ✓ shutdown (${ms(t0)})\n`);
  io.out(problem === undefined ? "smoke: PASS\n" : "smoke: FAIL\n");
  return problem === undefined ? 0 : 1;
}
