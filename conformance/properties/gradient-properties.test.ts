/**
 * The gradient properties (spec/gradients.md §7.5): the reference's BPTT as an engine holds every
 * one; each relation is broken by a wrong backward pass that breaks it (cotangents ignored, gate
 * columns interleaved, batch rows mixed, a masked step leaking); the evidence flags are proved as
 * properties.test.ts proves the forward ones — a property has evidence exactly when no trivial
 * gradient engine (zeros, a constant, the reference ×2, the forward outputs echoed) passes it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LayerCase } from "../case.ts";
import type { CellKind } from "../cells.ts";
import type { Engine, EngineGradients } from "../engine.ts";
import { referenceEngine } from "../engines/reference.ts";
import type { GradientRequest } from "../gradients/case.ts";
import { variantGradients } from "../hypotheses/gradients/bptt-variant.ts";
import { engine as maskedIntoWeights } from "../mutants/gradients/masked-into-weights.ts";
import { engine as maskedIntoX } from "../mutants/gradients/masked-into-x.ts";
import { engine as noCellPath } from "../mutants/gradients/no-cell-path.ts";
import { gradientMutantFeatures } from "../mutants/gradients/engine.ts";
import { unsupportedReason } from "../unsupported-case.ts";
import { buildCase, caseSpecArbitrary, type CaseSpec } from "./arbitraries.ts";
import { gradientProperties } from "./gradient-properties.ts";
import type { GeneratedProperty } from "./property.ts";

const ALL_CELLS: readonly CellKind[] = ["lstm", "gru", "simple_rnn"];
type Answer = (req: GradientRequest) => EngineGradients;
const engineOf = (name: string, gradients: Answer): Engine => ({ name, version: "1", features: gradientMutantFeatures, run: (c) => referenceEngine.run(c), gradients });
const reference = engineOf("reference-bptt", (req) => variantGradients(req));

/** Every tensor of the reference's answer rewritten by `f`. */
const rewritten = (f: (v: number, k: number, t: { shape: readonly number[]; data: Float64Array }, req: GradientRequest, n: number, where: string) => number): Answer => (req) =>
  variantGradients(req).map((a, n) => {
    const t = (x: { shape: readonly number[]; data: Float64Array }, where: string) => ({ shape: x.shape, data: x.data.map((v, k) => f(v, k, x, req, n, where)) });
    return { layers: a.layers.map((l) => ({ layer: l.layer, kernel: t(l.kernel, "kernel"), recurrent_kernel: t(l.recurrent_kernel, "recurrent"), ...(l.bias ? { bias: t(l.bias, "bias") } : {}) })), x: t(a.x, "x"), ...(a.initialState ? { initialState: a.initialState.map((s) => t(s, "state")) } : {}) };
  });

const trivialEngines: readonly Engine[] = [
  engineOf("zeros", rewritten(() => 0)),
  engineOf("constant", rewritten(() => 0.5)),
  engineOf("reference-x2", rewritten((v) => 2 * v)),
  engineOf("forward-echoed", (req) => {
    const outputs = referenceEngine.run(req) as readonly (readonly { readonly data: Float32Array }[])[];
    return rewritten((_, k, __, ___, n) => { const d = outputs[n]![0]!.data; return d[k % d.length]!; })(req);
  }),
];

/** Runs `p` on `runs` cases drawn as the runner draws them; the first violation's message, or null. Declined draws are skipped. */
async function firstViolation(p: GeneratedProperty, engine: Engine, runs: number, seed = 7): Promise<string | null> {
  const specs = fc.sample(caseSpecArbitrary({ features: engine.features, fixed: p.fixed ?? {}, cells: ALL_CELLS, longFraction: 0.05 }), { numRuns: runs, seed });
  for (const spec of specs as CaseSpec[]) {
    const c: LayerCase = buildCase(spec);
    try {
      const v = await p.check(engine, c, spec);
      if (v) return v.message;
    } catch (e) {
      if (unsupportedReason(e) !== null) continue;
      return `threw: ${(e as Error).message}`;
    }
  }
  return null;
}

describe("the gradient properties", () => {
  for (const p of gradientProperties) {
    it(`${p.id}: the reference's BPTT holds it on every cell (60 draws)`, async () => {
      expect(p.requires).toContain("gradients");
      expect(await firstViolation(p, reference, 60)).toBeNull();
    }, 60_000);
  }

  // The wrong backward pass each relation catches.
  const ones: Answer = (req) => variantGradients({ ...req, cotangents: req.cotangents.map((call) => call.map((t) => ({ shape: t.shape, data: t.data.map(() => 1) }))) });
  const interleaved = rewritten((v, k, t, _req, _n, where) => {
    // columns read per unit (i0 f0 c0 o0 i1 …) where Keras has blocks: a unit-dependent layout
    if (where === "x" || where === "state" || t.shape.length === 0) return v;
    const cols = t.shape.at(-1)!;
    const col = k % cols;
    const blocks = cols % 4 === 0 && cols > 4 ? 4 : cols % 3 === 0 && cols > 3 ? 3 : 1;
    const u = cols / blocks;
    return t.data[k - col + (col % blocks) * u + Math.floor(col / blocks)]!;
  });
  const rowsSummed = rewritten((_, k, t, _req, _n, where) => {
    if (where !== "x") return t.data[k]!;
    const per = t.data.length / t.shape[0]!;
    let s = 0;
    for (let b = 0; b < t.shape[0]!; b++) s += t.data[b * per + (k % per)]!;
    return s;
  });
  const caught: readonly [string, string, Engine][] = [
    ["gradient-linear-in-cotangent", "cotangents ignored (Σ y differentiated)", engineOf("ones", ones)],
    ["gradient-zero-cotangent", "cotangents ignored (Σ y differentiated)", engineOf("ones", ones)],
    ["gradient-unit-permutation", "gate columns interleaved", engineOf("interleaved", interleaved)],
    ["gradient-batch-rows-independent", "x's gradient summed over the batch", engineOf("rows-summed", rowsSummed)],
    ["gradient-masked-step-passes-nothing", "a masked step leaking into the weights", maskedIntoWeights],
    ["gradient-masked-step-passes-nothing", "a masked step leaking into x", maskedIntoX],
    ["gradient-agrees-with-reference", "no cell-state path", noCellPath],
  ];
  for (const [id, what, engine] of caught) {
    it(`${id} fails on ${what}`, async () => {
      const p = gradientProperties.find((q) => q.id === id)!;
      expect(await firstViolation(p, engine, 60)).not.toBeNull();
    }, 60_000);
  }

  it("evidence: exactly the properties no trivial engine passes have evidence true", async () => {
    const passesOn = new Map<string, string[]>(gradientProperties.map((p) => [p.id, []]));
    for (const engine of trivialEngines) {
      for (const p of gradientProperties) if ((await firstViolation(p, engine, 40)) === null) passesOn.get(p.id)!.push(engine.name);
    }
    console.log(gradientProperties.map((p) => `${p.id} (evidence ${p.evidence}): passed by [${passesOn.get(p.id)!.join(", ")}]`).join("\n"));
    expect(gradientProperties.filter((p) => p.evidence).map((p) => p.id)).toEqual(gradientProperties.filter((p) => passesOn.get(p.id)!.length === 0).map((p) => p.id));
    expect(gradientProperties.filter((p) => p.evidence).map((p) => p.id)).toEqual(["gradient-agrees-with-reference"]);
  }, 120_000);
});
