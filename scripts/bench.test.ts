/**
 * Keeps `npm run bench` working: the quick mode end to end (every engine either runs and agrees
 * with the reference, or is skipped with a reason; every reference cell timed), plus the FLOP
 * formulas and the timing protocol.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CELL_LAYOUTS } from "../reference/cells/layout.ts";
import { cellForwardFlops, lstmForwardFlops, type CellVariant } from "./bench/flops.ts";
import { cellBenchCase, FULL_GRID } from "./bench/grid.ts";
import type { BenchResults } from "./bench/results.ts";
import { measure, median } from "./bench/timing.ts";

describe("FLOP count (scripts/bench/flops.ts)", () => {
  it("is B·T·(8U(D+U) + 13U)", () => {
    // B1 T1 D4 U4: 8·4·8 + 13·4 = 256 + 52
    expect(lstmForwardFlops({ batch: 1, timesteps: 1, inputDim: 4, units: 4 })).toBe(308);
    // the largest size: 32·128·(8·256·384 + 13·256)
    expect(lstmForwardFlops({ batch: 32, timesteps: 128, inputDim: 128, units: 256 })).toBe(32 * 128 * (786432 + 3328));
  });
  it("counts GRU (both reset_after) and SimpleRNN steps as written in flops.ts", () => {
    const one = { batch: 1, timesteps: 1, inputDim: 4, units: 4 };
    expect(cellForwardFlops("lstm", one)).toBe(308);
    expect(cellForwardFlops("gru", one)).toBe(6 * 4 * 8 + 17 * 4); // 192 + 68
    expect(cellForwardFlops("gru_reset_before", one)).toBe(6 * 4 * 8 + 14 * 4); // 192 + 56
    expect(cellForwardFlops("simple_rnn", one)).toBe(2 * 4 * 8 + 3 * 4); // 64 + 12
    expect(cellForwardFlops("gru", { batch: 2, timesteps: 3, inputDim: 4, units: 4 })).toBe(6 * 260);
  });
  it("has, per cell, 2 FLOPs per kernel and recurrent-kernel weight and 1 per bias value: the layout's own shapes", () => {
    // what each step multiplies and adds once per batch row; the rest is the step's elementwise count per unit
    const elementwise: Record<CellVariant, number> = { lstm: 9, gru: 11, gru_reset_before: 11, simple_rnn: 2 };
    const layouts = { lstm: CELL_LAYOUTS.LSTM, gru: CELL_LAYOUTS.GRU, gru_reset_before: CELL_LAYOUTS.GRU, simple_rnn: CELL_LAYOUTS.SimpleRNN };
    for (const size of FULL_GRID) {
      for (const cell of Object.keys(elementwise) as CellVariant[]) {
        const shapes = layouts[cell].weights({ units: size.units, reset_after: cell === "gru" }, size.inputDim);
        const count = (name: string) => shapes.filter((w) => w.name === name).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
        const perRowStep = 2 * (count("kernel") + count("recurrent_kernel")) + count("bias") + elementwise[cell] * size.units;
        expect(cellForwardFlops(cell, size), `${cell} ${JSON.stringify(size)}`).toBe(size.batch * size.timesteps * perRowStep);
        // and the bench case of the cell has exactly those weights
        const layer = cellBenchCase(cell, size).layers[0]!;
        expect(layer.className).toBe(layouts[cell].className);
        if (layer.className === "Masking" || layer.className === "Bidirectional") continue;
        expect(Object.entries(layer.weights).map(([name, t]) => [name, t.shape])).toEqual(shapes.map((w) => [w.name, w.shape]));
      }
    }
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
    // The reference per cell: every cell timed at every size, the LSTM rows the engine table's own timings.
    expect(r.cells.map((c) => c.cell)).toEqual(["lstm", "lstm", "gru", "gru_reset_before", "simple_rnn"]);
    for (const c of r.cells) {
      expect(c.results.length, c.name).toBe(r.grid.length);
      for (const x of c.results) expect(x.gflopsCpu, c.name).toBeGreaterThan(0);
      if (c.sameAs) expect(c.results).toEqual(r.forward.find((e) => e.name === c.sameAs)!.results);
    }
    expect(r.corpus.runs.map((x) => x.engine)).toEqual(["reference"]);
    // The case loop per family of ids (each cell, and the Bidirectional cases) covers every case once.
    const perCell = r.corpus.runs[0]!.perCell;
    expect(perCell.map((f) => f.prefix).sort()).toEqual(["bidirectional", "gru", "lstm", "simple_rnn"]);
    expect(perCell.reduce((n, f) => n + f.cases, 0)).toBe(r.corpus.cases);
    expect(r.corpus.defaultRun?.command).toBe("npx tsx conformance/cli.ts");
    expect(r.corpus.defaultRun?.wallMs).toBeGreaterThan(0);
    expect(r.properties.runs).toBeGreaterThan(0);
    expect(r.properties.perCell.cells.map((c) => c.prefix).sort()).toEqual(["gru", "lstm", "simple_rnn"]);
    const targets = r.targets.map((t) => t.target);
    expect(targets).toHaveLength(8);
    expect(targets.some((t) => t.startsWith("reference GRU ≥ reference LSTM per FLOP"))).toBe(true);
    expect(targets).toContain("full default run (`npx tsx conformance/cli.ts`) < 3 s, start-up included");

    const md = readFileSync(join(out, "results.md"), "utf8");
    expect(md).toContain("B·T·(8·U·(D+U) + 13·U)");
    expect(md).toContain("B·T·(6·U·(D+U) + 17·U)");
    expect(md).toContain("B·T·(6·U·(D+U) + 14·U)");
    expect(md).toContain("B·T·(2·U·(D+U) + 3·U)");
    expect(md).toContain("| size | GFLOP | reference |");
    expect(md).toContain("## Reference forward per cell");
    expect(md).toContain("| GRU reset_after=true | engine LSTM |");
    expect(md).toContain("## Full corpus run, by phase");
    expect(md).toContain("| reference | gru/ |");
    expect(md).toContain(r.machine.cpu);
  }, 90_000);
});
