import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lstmLayers, type FixtureCase, type LayerCase } from "../case.ts";
import { smokeCase } from "../commands/smoke-case.ts";
import { UnsupportedCaseError, type EngineOutputs } from "../engine.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { runSuite } from "../runner.ts";
import { tensor } from "../tensor.ts";
import { EngineProcess } from "./engine-process.ts";
import { createProcessEngine, EngineLoadError, type ProcessEngine } from "./process.ts";

const testdata = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));
const fake = testdata("fake-engine.mjs");
const cmd = (startup = "normal"): string => `"${process.execPath}" "${fake}" ${startup}`;

type Outcome = { ok: true; outputs: EngineOutputs } | { ok: false; message: string };

async function attempt(engine: ProcessEngine, id: string, c: LayerCase = smokeCase(id)): Promise<Outcome> {
  try {
    return { ok: true, outputs: await engine.run(c) };
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
    ["wrong-version", /speaks protocol version 99, this runner speaks version 1 or 2/],
    ["v1-layer", /hello: "kind" needs protocol 2 \(spec\/adapter.md §8.9\); this hello says protocol 1/],
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

describe("ProcessEngine.run: more misbehaviours (gallery-engine.mjs, spec/adapter.md §8.7)", () => {
  // Grandchildren escape every kill of ours by design; the engine notes their pids for the clean-up.
  let dir = "";
  let pidFile = "";
  let started: Promise<ProcessEngine> = new Promise(() => undefined);
  // In a hook, so a run filtered to other tests leaves no engine and no directory behind.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gallery-engine-"));
    pidFile = join(dir, "grandchildren");
    started = createProcessEngine(`"${process.execPath}" "${testdata("gallery-engine.mjs")}" "${pidFile}"`, { timeoutMs: 1000 });
  });
  afterAll(async () => {
    await (await started).close();
    for (const pid of readFileSync(pidFile, { encoding: "utf8", flag: "a+" }).split("\n").filter((l) => l !== "")) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  // lastwords/1 is last: whether the case after it finds the engine still exiting is a race.
  const ids = ["ok/1", "exit0/1", "ok/2", "nanliteral/1", "ok/3", "setsid/1", "ok/4", "orphan/1", "ok/5", "bigpartial/1", "ok/6", "lastwords/1"];
  const outcomes = new Map<string, Outcome>();
  const elapsed = new Map<string, number>();
  it("runs every case to a verdict, in order, with a new process after each failure", async () => {
    const engine = await started;
    for (const id of ids) {
      const t0 = Date.now();
      outcomes.set(id, await attempt(engine, id));
      elapsed.set(id, Date.now() - t0);
    }
    for (const id of ["ok/1", "ok/2", "ok/3", "ok/4", "ok/5", "ok/6", "lastwords/1"]) expect(outcomes.get(id)?.ok, id).toBe(true);
    for (const id of ["ok/2", "ok/3", "ok/4", "ok/5", "ok/6"]) expect(engine.caseLog(id)?.notes.join("\n"), id).toMatch(/engine process restarted/);
    expect(engine.starts).toBe(6);
  }, 30_000);

  it("exit with code 0 mid-case: an error, never a pass", () => {
    expect(failure(outcomes.get("exit0/1")!)).toMatch(/^case exit0\/1: engine process exited with code 0 while computing it; the next case gets a new process/);
  });

  it("bare NaN/Infinity tokens (Python's json.dumps): not JSON, and the message says why and what to send", () => {
    const message = failure(outcomes.get("nanliteral/1")!);
    expect(message).toMatch(/^case nanliteral\/1: engine wrote a line that is not valid JSON: it contains the bare token NaN \(near ".*\[NaN, Infinity,/);
    expect(message).toContain('a non-finite value as the string "NaN", "Infinity" or "-Infinity" (spec/adapter.md §8.6');
    expect(message).not.toContain("write logs to stderr");
  });

  it("a grandchild in its own session holding the pipes does not defeat the timeout", () => {
    expect(failure(outcomes.get("setsid/1")!)).toMatch(/^case setsid\/1: engine gave no reply within 1000 ms; killed/);
    expect(elapsed.get("setsid/1")).toBeLessThan(4000);
    expect(readFileSync(pidFile, "utf8")).toMatch(/^\d+\n/);
  });

  it("a crash while a grandchild holds the pipes is reported as the crash, not as a timeout", () => {
    expect(failure(outcomes.get("orphan/1")!)).toMatch(/^case orphan\/1: engine process exited with code 3 while computing it[^]*its helper lives on/);
  });

  it("a partial line of megabytes is quoted cut to a readable length", () => {
    const message = failure(outcomes.get("bigpartial/1")!);
    expect(message).toMatch(/exited with code 0 after writing a partial line "\{\\"type\\":\\"result\\"/);
    expect(message.length).toBeLessThan(1000);
  });

  it("a result written just before a normal exit still counts (stdout is read to its end)", () => {
    const o = outcomes.get("lastwords/1")!;
    expect(o.ok && o.outputs[0]!.map((t) => t.shape)).toEqual([[2, 3, 2]]);
  });
});

describe("long lines (spec/adapter.md §8.7: line assembly is linear)", () => {
  it("a 50 MB line is assembled in well under a second", async () => {
    const p = new EngineProcess(`"${process.execPath}" "${testdata("long-line.mjs")}" 50`);
    try {
      expect(await p.nextLine(10_000)).toEqual({ kind: "line", text: "ready" });
      // The writer has built its line already: from here on it is the pipe and our assembly.
      const t0 = performance.now();
      p.send("go");
      const ev = await p.nextLine(30_000);
      const ms = performance.now() - t0;
      expect(ev.kind === "line" && ev.text.length).toBe(50_000_000);
      expect(ms).toBeLessThan(1000);
    } finally {
      await p.kill();
    }
  }, 40_000);

  it("a correct ~50 MB result passes", async () => {
    const engine = await createProcessEngine(`"${process.execPath}" "${testdata("gallery-engine.mjs")}"`, { timeoutMs: 10_000 });
    try {
      // (32, 1250, 64) outputs at ~20 bytes a value, as numpy's tolist() writes them.
      const base = smokeCase("big/1", { units: 64 });
      const big: LayerCase = { ...base, calls: [{ x: tensor([32, 1250, 3], new Float32Array(32 * 1250 * 3)) }] };
      const o = await attempt(engine, "big/1", big);
      expect(o.ok && o.outputs[0]![0]!.shape).toEqual([32, 1250, 64]);
      const data = o.ok ? o.outputs[0]![0]!.data : new Float32Array();
      expect([data[1], data[2_559_999]]).toEqual([Math.fround(Math.sin(1)), Math.fround(Math.sin(2_559_999))]);
    } finally {
      await engine.close();
    }
  }, 40_000);
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

describe("protocol 2: unsupported and notes (spec/adapter.md §8.4)", () => {
  it("a protocol-1 engine keeps protocol 1: an unsupported message breaks the protocol, notes are not kept", async () => {
    const engine = await createProcessEngine(cmd());
    try {
      expect(failure(await attempt(engine, "unsupported/1"))).toMatch(/^case unsupported\/1: expected a "result" or "error" message, got "\{\\"type\\":\\"unsupported\\"/);
      expect((await attempt(engine, "notes/1")).ok).toBe(true);
      expect(engine.caseLog("notes/1")?.engineNotes).toEqual([]);
      expect(engine.starts).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it("unsupported: the case is declined with the engine's reason, and the engine stays up", async () => {
    const engine = await createProcessEngine(cmd("v2"), { validateProtocol: true });
    try {
      const declined = engine.run(smokeCase("unsupported/1"));
      await expect(declined).rejects.toBeInstanceOf(UnsupportedCaseError);
      await expect(declined).rejects.toMatchObject({ reason: "cannot express this mask" });
      expect(engine.caseLog("unsupported/1")?.engineNotes).toEqual(["looked at the mask"]);
      expect((await attempt(engine, "ok/1")).ok).toBe(true);
      expect(engine.starts).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it("notes are kept with the case (caseLog), each cut to 500 characters", async () => {
    const engine = await createProcessEngine(cmd("v2"), { validateProtocol: true });
    try {
      expect((await attempt(engine, "notes/1")).ok).toBe(true);
      const notes = engine.caseLog("notes/1")?.engineNotes ?? [];
      expect(notes[0]).toBe("kernel: fused");
      expect(notes[1]).toBe(`${"x".repeat(500)}…`);
    } finally {
      await engine.close();
    }
  });
});

describe("protocol 2: a layer engine (spec/adapter.md §8.9)", () => {
  const layerEngineCmd = (mode = ""): string => `"${process.execPath}" --import tsx "${testdata("layer-engine-over-protocol.ts")}" ${mode}`;
  const corpus = loadFixtureDir(defaultFixturesDir());
  const renamed = (c: FixtureCase, prefix: string): FixtureCase => ({ ...c, id: `${prefix}/${c.id}` });

  for (const mode of ["output", "sequence"]) {
    it(`passes the whole corpus, one layer_call per message, the model composed by the runner (replies with ${mode})`, async () => {
      const engine = await createProcessEngine(layerEngineCmd(mode), { validateProtocol: true, startupTimeoutMs: 60_000 });
      try {
        expect(engine.kind).toBe("layer");
        // The layer's capabilities, and what the composition adds.
        expect(engine.hello.capabilities).not.toContain("stacked");
        expect(engine.features).toEqual(expect.arrayContaining(["stacked", "masking_layer", "stateful", "return_state", "return_sequences", "mask"]));
        const result = await runSuite(engine, corpus.cases, { diagnose: false, timeoutMs: 30_000 });
        expect(result.cases.length).toBe(corpus.cases.length);
        expect(result.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.status} ${v.message}`)).toEqual([]);
        expect(engine.starts).toBe(1);
      } finally {
        await engine.close();
      }
    }, 120_000);
  }

  it("declines, notes, a reply to another message and a bad tensor, each for its case", async () => {
    const engine = await createProcessEngine(layerEngineCmd(), { validateProtocol: true, startupTimeoutMs: 60_000 });
    try {
      const stacked = corpus.cases.find((c) => c.id.startsWith("lstm/stacked/") && c.calls.length === 1)!;
      const result = await runSuite(engine, [renamed(stacked, "decline")], { diagnose: false });
      expect(result.cases[0]).toMatchObject({ status: "unsupported", message: "engine cannot run this case: this kernel needs units ≤ 1" });

      expect((await attempt(engine, "notes/1", renamed(stacked, "notes"))).ok).toBe(true);
      // One note per layer call, prefixed with the call it came from.
      const notes = engine.caseLog(`notes/${stacked.id}`)?.engineNotes ?? [];
      expect(notes.length).toBe(lstmLayers(stacked).length);
      for (const note of notes) expect(note).toMatch(/^layer \d, call 0: kernel: reference float64, call 0$/);

      expect(failure(await attempt(engine, "wrongid", renamed(stacked, "wrongid")))).toMatch(/^case wrongid\/\S+ \(layer \d, call 0\): engine replied to message "someone-else#1" instead of "wrongid\/\S+#\d+"/);
      expect(failure(await attempt(engine, "bad", renamed(stacked, "bad")))).toMatch(/^case bad\/\S+ \(layer \d, call 0\): layer_result \/h\/data: shape \(\d+, \d+\) needs \d+ values, got \d+/);
      expect(engine.starts).toBe(2); // the reply to another message cost a restart; the bad tensor did not
    } finally {
      await engine.close();
    }
  }, 60_000);
});
