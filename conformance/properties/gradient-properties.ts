/**
 * Properties of gradients (spec/gradients.md §7.5), for engines declaring `gradients`: relations of
 * an engine's backward pass with itself on random cases, and agreement with the reference's BPTT
 * (the one with evidence: every relation with itself is satisfied by an engine returning zeros, so
 * it counts toward no level, properties.test.ts / gradient-properties.test.ts prove which). Each
 * draws its cotangents from the case's seed; activations are fixed to tanh and sigmoid, whose
 * derivatives every engine has (§4.1), so no draw is declined for want of one.
 */
import type { CallInputs, LayerCase, RecurrentLayer, Tolerance } from "../case.ts";
import { recurrentLayers } from "../case.ts";
import type { Engine, EngineGradients, Feature } from "../engine.ts";
import { GRADIENTS_FEATURE } from "../features.ts";
import type { CallGradients, GradientAnswer, GradientRequest } from "../gradients/case.ts";
import { compareWithGradients } from "../gradients/diagnose.ts";
import { gradientPolicy } from "../gradients/tolerance.ts";
import { variantGradients } from "../hypotheses/gradients/bptt-variant.ts";
import { engineView } from "../runner.ts";
import type { Tensor } from "../tensor.ts";
import { detach } from "../untrusted.ts";
import { seededRandom, type CaseSpec } from "./arbitraries.ts";
import { kerasOutputShapes, MalformedOutputsError, type GeneratedProperty, type Violation } from "./property.ts";
import { mapLastAxis, mapLayerUnits, randomCaseUnitMaps, type UnitMap } from "./transforms.ts";

type T64 = { readonly shape: readonly number[]; readonly data: Float64Array };
type Grads = readonly GradientAnswer<T64>[];

const DIFFERENTIABLE: Partial<CaseSpec> = { activation: "tanh", recurrentActivation: "sigmoid" };

/** Per call, one cotangent per returned tensor, uniform in [−1, 1) from `seed` (§2.1: dense, on every tensor). */
export function drawCotangents(c: LayerCase, seed: number): Tensor[][] {
  const next = seededRandom(seed);
  return kerasOutputShapes(c).map((shapes) => shapes.map((shape) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * next() - 1) })));
}

const mapCots = (cots: readonly (readonly Tensor[])[], f: (v: number, call: number, out: number, k: number) => number): Tensor[][] =>
  cots.map((call, n) => call.map((t, o) => ({ shape: t.shape, data: Float32Array.from(t.data, (v, k) => f(v, n, o, k)) })));

/** The engine's gradients as plain float64 data (untrusted.ts: an engine may return getters or proxies). */
export async function runGradients(engine: Engine, c: LayerCase, cotangents: readonly (readonly Tensor[])[]): Promise<Grads> {
  if (!engine.gradients) throw new MalformedOutputsError(`${c.id}: the engine declares gradients but has no gradients() (spec/gradients.md §7.2)`, "error");
  const req: GradientRequest = { ...engineView(c), cotangents };
  let answers: unknown;
  try {
    answers = detach<unknown>(await engine.gradients(req));
  } catch (e) {
    if (e instanceof TypeError) throw new MalformedOutputsError(`${c.id}: ${e.message}`, "error");
    throw e;
  }
  if (!Array.isArray(answers) || answers.length !== c.calls.length) throw new MalformedOutputsError(`${c.id}: gradients() returned ${Array.isArray(answers) ? answers.length : typeof answers} answer(s) for ${c.calls.length} call(s)`, "fail");
  const t = (x: { shape: readonly number[]; data: ArrayLike<number> }): T64 => ({ shape: [...x.shape], data: Float64Array.from(x.data) });
  return (answers as EngineGradients).map((a) => ({
    layers: a.layers.map((l) => ({ layer: l.layer, kernel: t(l.kernel), recurrent_kernel: t(l.recurrent_kernel), ...(l.bias ? { bias: t(l.bias) } : {}) })),
    x: t(a.x),
    ...(a.initialState ? { initialState: a.initialState.map(t) } : {}),
  }));
}

/** The gradient rule (§6.3) for the case's steps: a float32 engine's rounding, in units of each tensor's size. */
const tolOf = (c: LayerCase): Tolerance => ({ ...gradientPolicy((c.calls[0]?.x.shape[1] ?? 1) * c.calls.length), source: "policy" });

/** Null when `actual` matches `expected` under the gradient rule; otherwise what differs, prefixed by `what`. */
function differs(c: LayerCase, actual: Grads, expected: readonly CallGradients<T64>[], what: string): string | null {
  const j = compareWithGradients(c, tolOf(c), expected, actual);
  return j.pass ? null : `${what}: ${j.summary}`;
}

const violation = (message: string | null, c: LayerCase): Violation | null => (message ? { message, case: c } : null);

/** Every tensor of every call mapped by `f` (tensor, where: "x" | "state" | "weight"). */
function mapGrads(g: Grads, f: (t: T64, where: "x" | "state" | "weight", layer: number) => T64): Grads {
  return g.map((a) => ({
    layers: a.layers.map((l) => ({ layer: l.layer, kernel: f(l.kernel, "weight", l.layer), recurrent_kernel: f(l.recurrent_kernel, "weight", l.layer), ...(l.bias ? { bias: f(l.bias, "weight", l.layer) } : {}) })),
    x: f(a.x, "x", -1),
    ...(a.initialState ? { initialState: a.initialState.map((s) => f(s, "state", -1)) } : {}),
  }));
}
const scaled = (g: Grads, k: number): Grads => mapGrads(g, (t) => ({ shape: t.shape, data: t.data.map((v) => k * v) }));
function summed(a: Grads, b: Grads): Grads {
  // b's tensors in a's order: the same engine answers both with the same structure
  const flat = (g: Grads): T64[] => g.flatMap((x) => [...x.layers.flatMap((l) => [l.kernel, l.recurrent_kernel, ...(l.bias ? [l.bias] : [])]), x.x, ...(x.initialState ?? [])]);
  const bs = flat(b);
  let k = 0;
  return mapGrads(a, (t) => {
    const o = bs[k++];
    return { shape: t.shape, data: t.data.map((v, j) => v + (o?.data[j] ?? NaN)) };
  });
}

const base = { kind: "generated", referenceChecked: false, requires: [GRADIENTS_FEATURE] as readonly Feature[] } as const;

export const gradientLinear: GeneratedProperty = {
  ...base,
  id: "gradient-linear-in-cotangent",
  specSection: "spec/gradients.md §1, §7.5",
  // a relation of the engine with itself: zeros satisfy it (gradient-properties.test.ts)
  evidence: false,
  fixed: DIFFERENTIABLE,
  async check(engine, c, spec) {
    // L = Σ⟨c, y⟩ is linear in c, so is every gradient: g(2c₁) = 2 g(c₁), g(c₁ + c₂) = g(c₁) + g(c₂).
    const c1 = drawCotangents(c, spec.seed ^ 0x1234567);
    const c2 = drawCotangents(c, spec.seed ^ 0x7654321);
    const g1 = await runGradients(engine, c, c1);
    const g2 = await runGradients(engine, c, c2);
    const twice = await runGradients(engine, c, mapCots(c1, (v) => 2 * v));
    const sum = await runGradients(engine, c, mapCots(c1, (v, n, o, k) => v + c2[n]![o]!.data[k]!));
    return violation(differs(c, twice, scaled(g1, 2), "the gradients of 2·c are not twice those of c") ?? differs(c, sum, summed(g1, g2), "the gradients of c₁ + c₂ are not the sum of theirs"), c);
  },
};

export const gradientZeroCotangent: GeneratedProperty = {
  ...base,
  id: "gradient-zero-cotangent",
  specSection: "spec/gradients.md §1, §7.5",
  evidence: false,
  fixed: DIFFERENTIABLE,
  async check(engine, c, spec) {
    // A zero cotangent makes L ≡ 0: every gradient is 0 (an engine drawing its own cotangents, or differentiating Σ y, does not).
    const zero = mapCots(drawCotangents(c, spec.seed), () => 0);
    const g = await runGradients(engine, c, zero);
    return violation(differs(c, g, scaled(g, 0), "a zero cotangent does not give zero gradients"), c);
  },
};

/** A layer's gradient tensors mapped like its weights (transforms.ts mapLayerUnits: the gradient of a permuted weight is the permuted gradient). */
function mapLayerGradients(l: GradientAnswer<T64>["layers"][number], layer: RecurrentLayer, units: UnitMap, input: UnitMap | null) {
  const f32 = (t: T64): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data) });
  const as = { ...layer, weights: { kernel: f32(l.kernel), recurrent_kernel: f32(l.recurrent_kernel), ...(l.bias ? { bias: f32(l.bias) } : {}) } } as RecurrentLayer;
  const m = mapLayerUnits(as, units, input).weights;
  const t = (x: Tensor): T64 => ({ shape: x.shape, data: Float64Array.from(x.data) });
  return { layer: l.layer, kernel: t(m.kernel), recurrent_kernel: t(m.recurrent_kernel), ...(m.bias ? { bias: t(m.bias) } : {}) };
}

export const gradientUnitPermutation: GeneratedProperty = {
  ...base,
  id: "gradient-unit-permutation",
  specSection: "spec/gradients.md §2.2, §7.5; spec/lstm.md §1.2",
  evidence: false,
  fixed: DIFFERENTIABLE,
  async check(engine, c, spec) {
    // Permuting every layer's units (with its weights' blocks and the initial state) and the
    // cotangents alike permutes every weight gradient the same way and the initial state's; x's is unchanged.
    const maps = randomCaseUnitMaps(c, seededRandom(spec.seed ^ 0x2545f491), false);
    const layers = recurrentLayers(c);
    const permutedLayers = layers.map((l, k) => mapLayerUnits(l, maps[k]!, k > 0 ? maps[k - 1]! : null));
    const permuted: LayerCase = {
      ...c,
      layers: c.layers.map((l) => (l.className === "Masking" ? l : permutedLayers[layers.indexOf(l as RecurrentLayer)]!)),
      calls: c.calls.map((call): CallInputs => (call.initialState ? { ...call, initialState: call.initialState.map((s) => mapLastAxis(s, maps[0]!)) } : call)),
    };
    const cots = drawCotangents(c, spec.seed ^ 0x51ed270b);
    const last = maps.at(-1)!;
    const g = await runGradients(engine, c, cots);
    const gp = await runGradients(engine, permuted, cots.map((call) => call.map((t) => mapLastAxis(t, last))));
    const index = new Map(c.layers.map((l, i) => [l, i] as const));
    const expected = g.map((a) => ({
      layers: a.layers.map((l) => {
        const at = layers.findIndex((r) => index.get(r) === l.layer);
        return at < 0 ? l : mapLayerGradients(l, layers[at]!, maps[at]!, at > 0 ? maps[at - 1]! : null);
      }),
      x: a.x,
      ...(a.initialState ? { initialState: a.initialState.map((s) => { const m = mapLastAxis({ shape: s.shape, data: Float32Array.from(s.data) }, maps[0]!); return { shape: m.shape, data: Float64Array.from(m.data) }; }) } : {}),
    }));
    return violation(differs(c, gp, expected, "the gradients of the unit-permuted case are not the permuted gradients"), c);
  },
};

/** Row `b` of every batch-first tensor (x, the states); weights are summed over rows, so they are left out. */
const rowOf = (g: Grads, b: number): Grads =>
  g.map((a) => {
    const row = (t: T64): T64 => { const n = t.data.length / t.shape[0]!; return { shape: [1, ...t.shape.slice(1)], data: t.data.slice(b * n, (b + 1) * n) }; };
    return { layers: [], x: row(a.x), ...(a.initialState ? { initialState: a.initialState.map(row) } : {}) };
  });

export const gradientRowsIndependent: GeneratedProperty = {
  ...base,
  id: "gradient-batch-rows-independent",
  specSection: "spec/gradients.md §3.1, §7.5",
  evidence: false,
  fixed: { ...DIFFERENTIABLE, batch: 3 },
  async check(engine, c, spec) {
    // Batch rows never meet in the forward: row 0's ∂L/∂x and ∂L/∂initial_state ignore the other rows' cotangents.
    const cots = drawCotangents(c, spec.seed ^ 0x3c6ef372);
    const other = drawCotangents(c, spec.seed ^ 0x6a09e667);
    const B = c.calls[0]!.x.shape[0]!;
    const mixed = mapCots(cots, (v, n, o, k) => (k < cots[n]![o]!.data.length / B ? v : other[n]![o]!.data[k]!));
    const g = await runGradients(engine, c, cots);
    const gm = await runGradients(engine, c, mixed);
    return violation(differs(c, rowOf(gm, 0), rowOf(g, 0), "row 0's x or initial-state gradient changed with the other rows' cotangents"), c);
  },
};

export const gradientMaskedStep: GeneratedProperty = {
  ...base,
  id: "gradient-masked-step-passes-nothing",
  specSection: "spec/gradients.md §3.2, §7.5",
  evidence: false,
  requires: [GRADIENTS_FEATURE, "mask"],
  fixed: { ...DIFFERENTIABLE, masking: "mask" },
  async check(engine, c, spec) {
    // A masked step's computation is discarded (tf.where): changing x there changes no gradient,
    // and x's gradient at that step is 0.
    const next = seededRandom(spec.seed ^ 0x7f4a7c15);
    const changed: LayerCase = {
      ...c,
      calls: c.calls.map((call): CallInputs => {
        const [B = 0, T = 0, D = 0] = call.x.shape;
        const mask = call.mask?.data;
        return { ...call, x: { shape: call.x.shape, data: Float32Array.from(call.x.data, (v, k) => (mask && !mask[Math.floor(k / D) % (B * T)] ? 4 * next() - 2 : v)) } };
      }),
    };
    const cots = drawCotangents(c, spec.seed ^ 0x1f83d9ab);
    const g = await runGradients(engine, c, cots);
    const gc = await runGradients(engine, changed, cots);
    // x's gradient with every masked step's entries set to 0, per call with that call's mask
    const zeroAtMasked = g.map((a, n) => {
      const m = c.calls[n]!.mask?.data;
      const D = a.x.shape[2] ?? 1;
      return { ...a, x: { shape: a.x.shape, data: a.x.data.map((v, k) => (m && !m[Math.floor(k / D)] ? 0 : v)) } };
    });
    return violation(
      differs(c, g, zeroAtMasked, "x's gradient is not 0 at a masked step") ?? differs(c, gc, g, "changing x at masked steps changed the gradients"),
      c,
    );
  },
};

export const gradientAgreesWithReference: GeneratedProperty = {
  ...base,
  id: "gradient-agrees-with-reference",
  specSection: "spec/gradients.md §4, §6.3",
  referenceChecked: true,
  // every trivial engine fails it (gradient-properties.test.ts)
  evidence: true,
  fixed: DIFFERENTIABLE,
  async check(engine, c, spec) {
    const cots = drawCotangents(c, spec.seed ^ 0x9b05688c);
    const g = await runGradients(engine, c, cots);
    const reference = variantGradients({ ...c, cotangents: cots });
    return violation(differs(c, g, reference, "the gradients differ from the reference's BPTT"), c);
  },
};

export const gradientProperties: readonly GeneratedProperty[] = [gradientLinear, gradientZeroCotangent, gradientUnitPermutation, gradientRowsIndependent, gradientMaskedStep, gradientAgreesWithReference];
