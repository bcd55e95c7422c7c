/**
 * The gradient corpus (fixtures/keras3/gradients/, spec/gradients.md §5) and its judge: it loads with
 * zero errors, the reference's BPTT passes every case, and answers a wrong or trivial engine would
 * give — zeros, a constant, the expected gradients doubled, one NaN, PyTorch's transposed kernel,
 * gate blocks swapped, a doubled bias gradient, a missing or extra tensor — fail every case they
 * change (spec/gradients.md §6.3, the house rule: no check satisfiable by a trivial engine).
 */
import { describe, expect, it } from "vitest";
import { formatLoadError } from "../fixtures/load-error.ts";
import { defaultFixturesDir } from "../package-paths.ts";
import type { Tensor } from "../tensor.ts";
import type { CallGradients, GradientAnswer, GradientCase } from "./case.ts";
import { compareGradients } from "./compare.ts";
import { loadGradientDir } from "./load.ts";
import { referenceGradients } from "./reference-gradients.ts";
import { gradientPolicy, scaledTolerance } from "./tolerance.ts";

const { cases, errors } = loadGradientDir(defaultFixturesDir());

type T = { readonly shape: readonly number[]; readonly data: Float32Array };
const mapData = (t: Tensor, f: (v: number, k: number) => number, shape: readonly number[] = t.shape): T => ({ shape, data: Float32Array.from(t.data, f) });

/** Keras's own gradients, with `edit` applied to every tensor (outputs left out). */
function edited(c: GradientCase, edit: (t: Tensor, what: "kernel" | "recurrent_kernel" | "bias" | "x" | "state", blocks: number) => T): GradientAnswer<T>[] {
  return c.expected.map((e) => ({
    layers: e.layers.map((l) => {
      const blocks = l.kernel.shape[1]! / (l.recurrent_kernel.shape[0] ?? 1);
      return { layer: l.layer, kernel: edit(l.kernel, "kernel", blocks), recurrent_kernel: edit(l.recurrent_kernel, "recurrent_kernel", blocks), ...(l.bias ? { bias: edit(l.bias, "bias", blocks) } : {}) };
    }),
    x: edit(e.x, "x", 1),
    ...(e.initialState ? { initialState: e.initialState.map((s) => edit(s, "state", 1)) } : {}),
  }));
}

const same = (t: Tensor): T => ({ shape: t.shape, data: t.data });

/** Whether a weight-shaped edit changes any element of any tensor by more than the case's own tolerance allows. */
function changesBeyondTolerance(c: GradientCase, answer: readonly CallGradients<T>[]): boolean {
  return c.expected.some((e, n) =>
    e.layers.some((l, k) =>
      (["kernel", "recurrent_kernel", "bias"] as const).some((name) => {
        const want = l[name];
        const got = answer[n]!.layers[k]![name];
        if (!want || !got) return false;
        if (got.shape.join() !== want.shape.join()) return true;
        const tol = scaledTolerance(want.data, c.tolerance);
        return want.data.some((v, j) => !(Math.abs(got.data[j]! - v) <= tol.atol + tol.rtol * Math.abs(v)));
      }),
    ),
  );
}

/** Swaps gate blocks 0 and 1 of every weight-shaped tensor (i ↔ f for an LSTM, z ↔ r for a GRU). */
function swapBlocks(t: Tensor, what: string, blocks: number): T {
  if (what === "x" || what === "state" || blocks < 2) return same(t);
  const n = t.shape.at(-1)!;
  const u = n / blocks;
  return mapData(t, (_, k) => {
    const col = k % n;
    const from = col < u ? col + u : col < 2 * u ? col - u : col;
    return t.data[k - col + from]!;
  });
}

describe("the committed gradient corpus", () => {
  it("loads with zero errors: every cell, every family", () => {
    expect(errors.map(formatLoadError)).toEqual([]);
    const families = new Set(cases.map((c) => c.id.split("/").slice(0, 3).join("/")));
    for (const cell of ["lstm", "gru", "simple_rnn"]) {
      for (const f of ["sizes", "outputs", "masking", "options", "stacked", "stateful", "saturation", "long"]) expect(families, `${cell}/gradients/${f}`).toContain(`${cell}/gradients/${f}`);
    }
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it("the reference's BPTT passes every case (spec/gradients.md §4)", () => {
    const failed = cases.map((c) => ({ id: c.id, j: compareGradients(c, referenceGradients(c)) })).filter((r) => !r.j.pass);
    expect(failed.map((r) => `${r.id}: ${r.j.summary}`)).toEqual([]);
  });

  it("every case carries the policy for its steps (spec/gradients.md §6.3)", () => {
    for (const c of cases) {
      const steps = c.calls[0]!.x.shape[1]! * c.calls.length;
      expect({ atol: c.tolerance.atol, rtol: c.tolerance.rtol, source: c.tolerance.source }, c.id).toEqual({ ...gradientPolicy(steps), source: "policy" });
    }
  });

  it("Keras's own gradients pass (the comparator accepts what it should)", () => {
    for (const c of cases) expect(compareGradients(c, edited(c, same)).pass, c.id).toBe(true);
  });
});

describe("answers a wrong or trivial engine gives fail", () => {
  const failsEvery = (what: string, answer: (c: GradientCase) => readonly GradientAnswer<T>[]): void => {
    it(`${what}: every case`, () => {
      const passed = cases.filter((c) => compareGradients(c, answer(c)).pass).map((c) => c.id);
      expect(passed).toEqual([]);
    });
  };
  failsEvery("all zeros", (c) => edited(c, (t) => mapData(t, () => 0)));
  failsEvery("a constant", (c) => edited(c, (t) => mapData(t, () => 0.5)));
  failsEvery("the expected gradients scaled by 2", (c) => edited(c, (t) => mapData(t, (v) => 2 * v)));
  failsEvery("one NaN in x's gradient", (c) => edited(c, (t, what) => (what === "x" ? mapData(t, (v, k) => (k === 0 ? NaN : v)) : same(t))));
  failsEvery("one +Infinity in the first kernel gradient", (c) => edited(c, (t, what) => (what === "kernel" ? mapData(t, (v, k) => (k === 0 ? Infinity : v)) : same(t))));
  failsEvery("the cotangent echoed as the gradient of x (echoed input)", (c) =>
    edited(c, (t, what) => (what === "x" ? mapData(t, (_, k) => c.cotangents[0]![0]!.data[k % c.cotangents[0]![0]!.data.length]!) : same(t))),
  );
  failsEvery("x's gradient left out", (c) => edited(c, same).map((a) => ({ ...a, x: undefined as unknown as T })));

  it("the kernel gradient in PyTorch layout (n·u, input_dim), transposed: every case but a (1, 1) kernel, where it is the same", () => {
    const transposed = (c: GradientCase): GradientAnswer<T>[] =>
      edited(c, (t, what) => {
        if (what !== "kernel") return same(t);
        const [rows = 0, cols = 0] = t.shape;
        return mapData(t, (_, k) => t.data[(k % rows) * cols + Math.floor(k / rows)]!, [cols, rows]);
      });
    const changed = cases.filter((c) => changesBeyondTolerance(c, transposed(c)));
    expect(cases.length - changed.length).toBeLessThanOrEqual(3);
    expect(changed.filter((c) => compareGradients(c, transposed(c)).pass).map((c) => c.id)).toEqual([]);
  });

  it("gate blocks swapped (i ↔ f, z ↔ r): every LSTM and GRU case whose blocks differ", () => {
    const gated = cases.filter((c) => !c.id.startsWith("simple_rnn/"));
    const changed = gated.filter((c) => changesBeyondTolerance(c, edited(c, swapBlocks)));
    expect(changed.length).toBeGreaterThan(gated.length * 0.9);
    expect(changed.filter((c) => compareGradients(c, edited(c, swapBlocks)).pass).map((c) => c.id)).toEqual([]);
  });

  it("the bias gradient doubled: every case with a bias whose gradient is not ~0", () => {
    const doubled = (c: GradientCase): GradientAnswer<T>[] => edited(c, (t, what) => (what === "bias" ? mapData(t, (v) => 2 * v) : same(t)));
    const changed = cases.filter((c) => changesBeyondTolerance(c, doubled(c)));
    expect(changed.length).toBeGreaterThan(100);
    expect(changed.filter((c) => compareGradients(c, doubled(c)).pass).map((c) => c.id)).toEqual([]);
  });

  it("a missing initial-state gradient, and one given where the layer starts from zeros", () => {
    const withState = cases.filter((c) => c.expected[0]!.initialState);
    expect(withState.length).toBeGreaterThan(20);
    for (const c of withState) {
      const j = compareGradients(c, edited(c, same).map(({ initialState: _drop, ...rest }) => rest));
      expect(j.pass).toBe(false);
      expect(j.summary).toMatch(/initial_state\[0\]: missing/);
    }
    const without = cases.find((c) => !c.expected[0]!.initialState)!;
    const extra = edited(without, same).map((a) => ({ ...a, initialState: [same(without.expected[0]!.x)] }));
    expect(compareGradients(without, extra).summary).toMatch(/starts from zeros, a constant/);
  });

  it("a bias gradient for a layer without use_bias, and a layer the case does not have", () => {
    const noBias = cases.find((c) => c.expected[0]!.layers.every((l) => !l.bias))!;
    const withBias = edited(noBias, same).map((a) => ({ ...a, layers: a.layers.map((l) => ({ ...l, bias: same(noBias.expected[0]!.x) })) }));
    expect(compareGradients(noBias, withBias).summary).toMatch(/no bias \(use_bias=False\)/);
    const c = cases[0]!;
    const more = edited(c, same).map((a) => ({ ...a, layers: [...a.layers, { ...a.layers[0]!, layer: 99 }] }));
    expect(compareGradients(c, more).summary).toMatch(/layers\[99\]: given, but the case has no recurrent layer there/);
  });

  it("fewer answers than calls", () => {
    const c = cases.find((k) => k.calls.length === 2)!;
    expect(compareGradients(c, edited(c, same).slice(0, 1)).pass).toBe(false);
  });
});
