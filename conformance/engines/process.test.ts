import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { smokeCase } from "../commands/smoke-case.ts";
import type { EngineOutputs } from "../engine.ts";
import { createProcessEngine, EngineLoadError, type ProcessEngine } from "./process.ts";

const fake = fileURLToPath(new URL("./testdata/fake-engine.mjs", import.meta.url));
const cmd = (startup = "normal"): string => `"${process.execPath}" "${fake}" ${startup}`;

type Outcome = { ok: true; outputs: EngineOutputs } | { ok: false; message: string };

async function attempt(engine: ProcessEngine, id: string): Promise<Outcome> {
  try {
    return { ok: true, outputs: await engine.run(smokeCase(id)) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function failure(o: Outcome): string {
  if (o.ok) throw new Error("expected the case to error, it passed");
  return o.message;
}

describe("createProcessEngine: handshake (spec/adapter.md §8.2)", () => {
  it("reads name, version and capabilities from the hello, and start-up stderr", async () => {
    const engine = await createProcessEngine(cmd());
    try {
      expect(engine.name).toBe("fake");
      expect(engine.version).toBe("0.0.1");
      expect(engine.features).toContain("recurrent_activation:sigmoid");
      expect(engine.startupStderr).toContain("start-up banner");
    } finally {
      await engine.close();
    }
  });

  it.each([
    ["wrong-version", /speaks protocol version 99, this runner speaks version 1/],
    ["no-hello", /first line on stdout is not JSON: "Welcome to my engine!"/],
    ["die", /exited with code 1 before saying hello; stderr tail:\ncannot import numpy/],
  ])("refuses an engine whose start-up is %s with a clear load error", async (startup, message) => {
    const started = createProcessEngine(cmd(startup), { startupTimeoutMs: 10_000 });
    await expect(started).rejects.toBeInstanceOf(EngineLoadError);
    await expect(started).rejects.toThrow(message);
  });

  it("notices a command that does not exist", async () => {
    await expect(createProcessEngine("/nonexistent/engine-binary --flag")).rejects.toThrow(/exited with code 127 before saying hello/);
  });

  it("with --validate-protocol, refuses a hello with unknown capabilities", async () => {
    await expect(createProcessEngine(cmd("bad-capabilities"), { validateProtocol: true })).rejects.toThrow(/not a valid "hello" message: \/capabilities\/0/);
  });

  it("without --validate-protocol, drops unknown capabilities and says so on the first case", async () => {
    const engine = await createProcessEngine(cmd("bad-capabilities"));
    try {
      expect(engine.features).toEqual([]);
      await engine.run(smokeCase("ok/1"));
      expect(engine.caseLog("ok/1")?.notes.join("\n")).toMatch(/unknown capabilities, ignored: telepathy/);
    } finally {
      await engine.close();
    }
  });
});

describe("ProcessEngine.run survives what real engines do (spec/adapter.md §8.7)", () => {
  // One engine through every misbehaviour in turn: each case gets its verdict and the run goes on.
  const started = createProcessEngine(cmd(), { timeoutMs: 1500, validateProtocol: false });
  afterAll(async () => (await started).close());
  const ids = ["ok/1", "crash/1", "ok/2", "hang/1", "ok/3", "garbage/1", "ok/4", "partial/1", "ok/5", "noisy/1", "error/1", "ok/6", "badtensor/1", "wrongid/1", "nan/1", "ok/7"];
  const outcomes = new Map<string, Outcome>();
  it("runs every case to a verdict, in order, with restarts", async () => {
    const engine = await started;
    for (const id of ids) outcomes.set(id, await attempt(engine, id));
    expect([...outcomes.keys()]).toEqual(ids);
    for (const id of ids.filter((i) => i.startsWith("ok/") || i === "noisy/1" || i === "nan/1")) {
      expect(outcomes.get(id)?.ok, id).toBe(true);
    }
    // crash, hang, garbage, partial and wrongid each need a new process.
    expect(engine.starts).toBe(6);
  }, 30_000);

  it("a crash: the exit code and the stderr tail", () => {
    expect(failure(outcomes.get("crash/1")!)).toMatch(/case crash\/1: engine process exited with code 3 while computing it; the next case gets a new process; stderr tail:\n[^]*Segmentation fault \(pretend\)/);
  });

  it("the case after a crash says the process was restarted", async () => {
    expect((await started).caseLog("ok/2")?.notes).toEqual(["engine process restarted (start #2) for this case"]);
  });

  it("a hang: timeout, kill, and the next case runs", async () => {
    expect(failure(outcomes.get("hang/1")!)).toMatch(/case hang\/1: engine gave no reply within 1500 ms; killed/);
    expect((await started).caseLog("hang/1")?.notes).toContain("engine killed after 1500 ms without a reply");
  });

  it("garbage on stdout: the line is named", () => {
    expect(failure(outcomes.get("garbage/1")!)).toMatch(/case garbage\/1: engine wrote a line on stdout that is not JSON: "Loading weights\.\.\. done"/);
  });

  it("a partial line: the fragment is named", () => {
    expect(failure(outcomes.get("partial/1")!)).toMatch(/exited with code 0 after writing a partial line "\{\\"type\\":\\"result\\"/);
  });

  it("noise on stderr: kept with the case, the case still passes", async () => {
    expect(outcomes.get("noisy/1")?.ok).toBe(true);
    expect((await started).caseLog("noisy/1")?.stderr).toBe("warning: noisy engine computing noisy/1\n");
    expect((await started).caseLog("ok/1")?.stderr).toBe("");
  });

  it("an error message from the engine, with its traceback in the notes", async () => {
    expect(failure(outcomes.get("error/1")!)).toBe("case error/1: engine reported an error: this engine does not like this case");
    expect((await started).caseLog("error/1")?.notes).toEqual(["engine traceback:\nTraceback: fake"]);
  });

  it("a tensor that does not fill its shape: the field is named", () => {
    expect(failure(outcomes.get("badtensor/1")!)).toBe("case badtensor/1: result /outputs/0/0/data: shape (2, 3, 2) needs 12 values, got 11");
  });

  it("a reply for another case", () => {
    expect(failure(outcomes.get("wrongid/1")!)).toMatch(/case wrongid\/1: engine replied for case "someone\/else" instead/);
  });

  it("NaN travels as a string and arrives as NaN (a failure for the comparison, not a protocol error)", () => {
    const o = outcomes.get("nan/1")!;
    expect(o.ok && Number.isNaN(o.outputs[0]![0]!.data[0])).toBe(true);
  });

  it("a good result has Keras's shapes", () => {
    const o = outcomes.get("ok/1")!;
    expect(o.ok && o.outputs[0]!.map((t) => t.shape)).toEqual([[2, 3, 2]]);
    expect(o.ok && Array.from(o.outputs[0]![0]!.data)).toEqual(new Array(12).fill(0.25));
  });
});

describe("--validate-protocol (spec/protocol.schema.json)", () => {
  it("catches a malformed message that the plain checks let through, and names the field", async () => {
    const engine = await createProcessEngine(cmd(), { validateProtocol: true });
    try {
      const o = await attempt(engine, "malformed/1");
      expect(failure(o)).toMatch(/case malformed\/1: engine's reply not a valid "result" message: \/outputs\/0\/0 must have required property 'dtype'/);
      // A valid exchange still passes under validation, after the restart.
      expect((await attempt(engine, "ok/1")).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it("without validation the same message is still refused, by the tensor checks", async () => {
    const engine = await createProcessEngine(cmd());
    try {
      expect(failure(await attempt(engine, "malformed/1"))).toBe('case malformed/1: result /outputs/0/0/dtype: expected "float32", got undefined');
    } finally {
      await engine.close();
    }
  });
});

describe("close()", () => {
  it("sends shutdown and the process exits", async () => {
    const engine = await createProcessEngine(cmd());
    await engine.run(smokeCase("ok/1"));
    const t0 = Date.now();
    await engine.close();
    expect(Date.now() - t0).toBeLessThan(2500);
  });
});
