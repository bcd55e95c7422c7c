/**
 * The gradient gallery (spec/gradients.md §7.5) on the Keras gradient corpus: every gradient mutant
 * fails the cases of its cells and is diagnosed as its own mistake; the reference and the unflawed
 * variant pass every case and get no diagnosis; no trivial engine — zeros, a constant, Keras's own
 * gradients ×2, the forward outputs or the inputs echoed as gradients — passes any gradient case or
 * gets a diagnosis.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { cellLayers } from "../../case.ts";
import { cellOf, type CellKind } from "../../cells.ts";
import type { GradientAnswer, GradientCase } from "../../gradients/case.ts";
import { compareGradients } from "../../gradients/compare.ts";
import { diagnoseGradients } from "../../gradients/diagnose.ts";
import { loadGradientDir } from "../../gradients/load.ts";
import { referenceGradients } from "../../gradients/reference-gradients.ts";
import { gradientHypotheses } from "../../hypotheses/gradients/index.ts";
import { killRateTable, rateLine, type MutantVerdict } from "../kill-rate.ts";
import { defaultFixturesDir } from "../../package-paths.ts";
import { gradientMutants } from "./gallery.ts";
import { judgeGradientMutant } from "./kill-rate.ts";

let cases: GradientCase[] = [];
const verdicts: MutantVerdict[] = [];
const cellsOf = (c: GradientCase): Set<CellKind> => new Set(cellLayers(c).map((l) => cellOf(l).kind));

beforeAll(() => {
  const loaded = loadGradientDir(defaultFixturesDir());
  expect(loaded.errors).toEqual([]);
  cases = loaded.cases;
  expect(cases.length).toBeGreaterThanOrEqual(150);
});

describe("the gradient mutant gallery", () => {
  it("has one mutant per mistake of spec/gradients.md §7.5, each expecting a known hypothesis", () => {
    expect(gradientMutants.length).toBeGreaterThanOrEqual(12);
    expect(new Set(gradientMutants.map((m) => m.name)).size).toBe(gradientMutants.length);
    for (const m of gradientMutants) {
      expect(m.engine.name).toBe(`mutant:${m.name}`);
      expect(gradientHypotheses.map((h) => h.id)).toContain(m.expectedHypothesis);
      expect(m.engine.features).toContain("gradients");
    }
  });

  for (const m of gradientMutants) {
    it(`${m.name}: killed on its cells' cases, and diagnosed as ${m.expectedHypothesis}`, async () => {
      const mine = cases.filter((c) => [...cellsOf(c)].some((k) => m.cells.includes(k)));
      const v = await judgeGradientMutant(m, mine, 6);
      verdicts.push(v);
      expect(v.errors).toBe(0);
      expect(v.killed, `${m.name} passed every case`).toBe(true);
      expect(v.right, `${m.name}: no failing case got the diagnosis ${m.expectedHypothesis}`).toBeGreaterThanOrEqual(1);
      expect(v.wrong).toEqual({});
    }, 60_000);
  }

  it("records the kill rate and the diagnosis rate", () => {
    console.log(`${rateLine("gradients", verdicts)}\n${killRateTable(verdicts)}`);
    expect(verdicts.filter((v) => v.killed).length).toBe(gradientMutants.length);
  });
});

describe("what must get no diagnosis", () => {
  it("the reference passes every case, so it gets none", () => {
    for (const c of cases) expect(diagnoseGradients(c, referenceGradients(c)), c.id).toBeNull();
  });

  type T = { readonly shape: readonly number[]; readonly data: Float64Array };
  /** An answer with Keras's shapes, every tensor's values from `fill`. */
  const trivial = (c: GradientCase, fill: (shape: readonly number[], k: number, what: string, call: number) => number): GradientAnswer<T>[] =>
    c.expected.map((e, n) => {
      const t = (s: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }, what: string): T => ({ shape: s.shape, data: Float64Array.from(s.data, (_, k) => fill(s.shape, k, what, n)) });
      return {
        layers: e.layers.map((l) => ({ layer: l.layer, kernel: t(l.kernel, "kernel"), recurrent_kernel: t(l.recurrent_kernel, "recurrent_kernel"), ...(l.bias ? { bias: t(l.bias, "bias") } : {}) })),
        x: t(e.x, "x"),
        ...(e.initialState ? { initialState: e.initialState.map((s) => t(s, "state")) } : {}),
      };
    });
  const trivials: readonly [string, (c: GradientCase) => GradientAnswer<T>[]][] = [
    ["zeros", (c) => trivial(c, () => 0)],
    ["a constant", (c) => trivial(c, () => 0.25)],
    ["Keras's gradients ×2", (c) => c.expected.map((e) => ({ layers: e.layers.map((l) => ({ layer: l.layer, kernel: x2(l.kernel), recurrent_kernel: x2(l.recurrent_kernel), ...(l.bias ? { bias: x2(l.bias) } : {}) })), x: x2(e.x), ...(e.initialState ? { initialState: e.initialState.map(x2) } : {}) }))],
    ["the forward outputs as gradients", (c) => trivial(c, (_, k, __, n) => { const o = c.expected[n]!.outputs[0]!.data; return o[k % o.length]!; })],
    ["the input echoed (x as ∂x, the cotangent as every weight)", (c) => trivial(c, (_, k, what, n) => { const src = what === "x" ? c.calls[n]!.x.data : c.cotangents[n]![0]!.data; return src[k % src.length]!; })],
  ];
  function x2(t: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }): T {
    return { shape: t.shape, data: Float64Array.from(t.data, (v) => 2 * v) };
  }
  for (const [what, answer] of trivials) {
    it(`${what}: passes no case and gets no diagnosis`, () => {
      const passed = cases.filter((c) => compareGradients(c, answer(c)).pass).map((c) => c.id);
      expect(passed).toEqual([]);
      // diagnosed on one case per family (every hypothesis tried on each)
      const seen = new Set<string>();
      const sample = cases.filter((c) => { const f = c.id.split("/").slice(0, 3).join("/"); return !seen.has(f) && seen.add(f); });
      const diagnosed = sample.map((c) => [c.id, diagnoseGradients(c, answer(c))?.hypothesis] as const).filter(([, h]) => h !== undefined);
      expect(diagnosed).toEqual([]);
    }, 120_000);
  }
});
