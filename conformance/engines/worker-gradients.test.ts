/**
 * gradients() across the worker thread (worker-engine.ts, spec/adapter.md §1.1, spec/gradients.md
 * §7.2): the method exists on the worker engine exactly when the engine in the worker has it; its
 * answers, throws, UnsupportedCaseError, endless loops and exits become verdicts as run's do, and the
 * next case gets a fresh worker.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { loadGradientDir } from "../gradients/load.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import { runSuite } from "../runner.ts";
import { createWorkerEngine } from "./worker-engine.ts";

const { cases } = loadGradientDir(defaultFixturesDir());
const sample = [...new Map(cases.map((c) => [c.id.split("/").slice(0, 3).join("/"), c])).values()].slice(0, 6);
const dir = mkdtempSync(join(tmpdir(), "worker-gradients-"));
const ref = pathToFileURL(join(import.meta.dirname, "reference.ts")).href;
const unsupported = pathToFileURL(join(import.meta.dirname, "..", "engine.ts")).href;

function module(name: string, body: string[]): string {
  const path = join(dir, `${name}.ts`);
  writeFileSync(path, [`import { referenceEngine } from ${JSON.stringify(ref)};`, `import { UnsupportedCaseError } from ${JSON.stringify(unsupported)};`, ...body, ""].join("\n"));
  return path;
}

describe("gradients() in a worker thread", () => {
  it("crosses the thread: the reference in a worker passes gradient cases; one without gradients() has no method", async () => {
    const engine = await createWorkerEngine(module("plain", ['export default { ...referenceEngine, name: "in-worker" };']), { cwd: dir });
    const without = await createWorkerEngine(module("without", ['const { gradients, ...rest } = referenceEngine;', 'void gradients;', 'export default { ...rest, name: "no-gradients", features: rest.features.filter((f) => f !== "gradients") };']), { cwd: dir });
    try {
      expect(typeof engine.gradients).toBe("function");
      const result = await runSuite(engine, [], { gradientCases: sample, diagnose: false });
      expect(result.cases.map((v) => `${v.id}: ${v.status} ${v.message}`)).toEqual(sample.map((c) => `${c.id}: pass `));
      expect(without.gradients).toBeUndefined();
      const r2 = await runSuite(without, [], { gradientCases: sample, diagnose: false });
      expect(r2.cases.every((v) => v.status === "unsupported" && v.missingFeatures.includes("gradients"))).toBe(true);
    } finally {
      await engine.close();
      await without.close();
    }
  }, 120_000);

  it("a throw, an UnsupportedCaseError, an endless loop and an exit become verdicts; the run goes on with a fresh worker", async () => {
    const [a, b, c, d] = sample.map((k) => k.id);
    const engine = await createWorkerEngine(
      module("moody", [
        "export default { ...referenceEngine, name: 'moody', gradients(req) {",
        `  if (req.id === ${JSON.stringify(a)}) throw new Error("backward exploded");`,
        `  if (req.id === ${JSON.stringify(b)}) throw new UnsupportedCaseError("no such backward");`,
        `  if (req.id === ${JSON.stringify(c)}) for (;;) {}`,
        `  if (req.id === ${JSON.stringify(d)}) process.exit(3);`,
        "  return referenceEngine.gradients(req);",
        "} };",
      ]),
      { cwd: dir, timeoutMs: 3_000 },
    );
    try {
      const result = await runSuite(engine, [], { gradientCases: sample, diagnose: false, timeoutMs: 20_000 });
      const by = new Map(result.cases.map((v) => [v.id, v]));
      expect(by.get(a!)!.status).toBe("error");
      expect(by.get(a!)!.message).toMatch(/gradients\(\) threw: .*backward exploded/);
      expect(by.get(b!)!.status).toBe("unsupported");
      expect(by.get(c!)!.status).toBe("error");
      expect(by.get(c!)!.message).toMatch(/took more than 3000 ms/);
      expect(by.get(d!)!.status).toBe("error");
      expect(by.get(d!)!.message).toMatch(/ended its worker thread/);
      // as for run: the case after a crash is told the worker had ended (it was restarted), the next one runs clean
      expect(by.get(sample[4]!.id)!.message).toMatch(/it was restarted/);
      expect(by.get(sample[5]!.id)!.status).toBe("pass");
      expect(engine.starts).toBeGreaterThanOrEqual(3);
    } finally {
      await engine.close();
    }
  }, 120_000);
});
