/**
 * Keeps `npm run bench` working: the quick mode end to end (every engine either runs and agrees
 * with the reference, or is skipped with a reason), plus the FLOP formula and the timing protocol.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lstmForwardFlops } from "./bench/flops.ts";
import type { BenchResults } from "./bench/results.ts";
import { measure, median } from "./bench/timing.ts";

describe("FLOP count (scripts/bench/flops.ts)", () => {
  it("is B·T·(8U(D+U) + 13U)", () => {
    // B1 T1 D4 U4: 8·4·8 + 13·4 = 256 + 52
    expect(lstmForwardFlops({ batch: 1, timesteps: 1, inputDim: 4, units: 4 })).toBe(308);
    // the largest size: 32·128·(8·256·384 + 13·256)
    expect(lstmForwardFlops({ batch: 32, timesteps: 128, inputDim: 128, units: 256 })).toBe(32 * 128 * (786432 + 3328));
  });
});

describe("timing protocol (scripts/bench/timing.ts)", () => {
  it("takes the median, and warms up before measuring", async () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    let calls = 0;
    const t = await measure(() => calls++, { warmup: 2, minRuns: 4, maxRuns: 4 });
    expect(calls).toBe(6);
    expect(t).toMatchObject({ runs: 4, warmupRuns: 2 });
    expect(t.minMs).toBeLessThanOrEqual(t.medianMs);
    expect(t.medianMs).toBeLessThanOrEqual(t.maxMs);
  });
  it("skips the warm-up and measures twice when one run is predicted to be slow", async () => {
    let calls = 0;
    const t = await measure(() => calls++, { predictedMs: 60_000 });
    expect(calls).toBe(2);
    expect(t).toMatchObject({ runs: 2, warmupRuns: 0 });
  });
});

describe("npm run bench --quick", () => {
  it("runs every engine, writes results.md and results.json", () => {
    const out = mkdtempSync(join(tmpdir(), "bench-"));
    const started = performance.now();
    const done = spawnSync(join("node_modules", ".bin", "tsx"), ["scripts/bench.ts", "--quick", "--out", out], { encoding: "utf8", timeout: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    expect(done.status, done.stderr).toBe(0);
    expect(seconds).toBeLessThan(30); // the brief asks < 20 s on an idle machine; the test machine is shared

    const r = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as BenchResults;
    expect(r.quick).toBe(true);
    expect(r.peak.gflops).toBeGreaterThan(0);
    for (const name of ["reference", "reference (readable)", "tfjs cpu", "tfjs wasm", "onnxruntime-web (Node)", "onnxruntime (Python)"]) {
      const e = r.forward.find((x) => x.name === name);
      expect(e, name).toBeDefined();
      if (e!.skipped) {
        // Allowed (e.g. no Python venv), but it must say why — and the skip shows in the log.
        expect(e!.skipped.length).toBeGreaterThan(5);
        expect(done.stderr).toContain(name === "onnxruntime (Python)" ? "SKIPPED" : "skipped");
        continue;
      }
      expect(e!.results.length, name).toBe(r.grid.length);
      for (const x of e!.results) {
        expect(x.timing.medianMs, name).toBeGreaterThan(0);
        expect(Number.isFinite(x.gflops), name).toBe(true);
        if (x.maxAbsDiffVsReference !== undefined) {
          // The engines compute the same LSTM: the reference paths exactly, float32 ones closely.
          expect(x.maxAbsDiffVsReference, name).toBeLessThan(name.startsWith("reference") ? Number.MIN_VALUE : 1e-4);
        }
      }
    }
    expect(r.corpus.runs.map((x) => x.engine)).toEqual(["reference"]);
    expect(r.properties.runs).toBeGreaterThan(0);
    expect(r.targets.map((t) => t.target)).toHaveLength(5);

    const md = readFileSync(join(out, "results.md"), "utf8");
    expect(md).toContain("B·T·(8·U·(D+U) + 13·U)");
    expect(md).toContain("| size | GFLOP | reference |");
    expect(md).toContain("## Full corpus run, by phase");
    expect(md).toContain(r.machine.cpu);
  }, 90_000);
});
