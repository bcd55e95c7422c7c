/**
 * The BPTT variants: without a flaw, exactly the reference's backward (bit for bit, every tensor of
 * every gradient fixture), so a flaw's effect is its own; each flaw changes the gradients of some
 * case beyond the tolerance and leaves the cases it has nothing to act on alone.
 */
import { describe, expect, it } from "vitest";
import { cellLayers } from "../../case.ts";
import type { GradientCase } from "../../gradients/case.ts";
import { loadGradientDir } from "../../gradients/load.ts";
import { compareGradients } from "../../gradients/compare.ts";
import { referenceGradients } from "../../gradients/reference-gradients.ts";
import { defaultFixturesDir } from "../../package-paths.ts";
import { variantGradients, type BpttFlaws } from "./bptt-variant.ts";

const { cases } = loadGradientDir(defaultFixturesDir());
type AnyT = { readonly data: ArrayLike<number> };
const sameBits = (a: AnyT | undefined, b: AnyT | undefined): boolean => a === b || (a !== undefined && b !== undefined && a.data.length === b.data.length && Array.from(a.data).every((v, k) => Object.is(v, b.data[k])));

describe("variantGradients", () => {
  it("without a flaw is the reference's BPTT, bit for bit, on every gradient fixture", () => {
    expect(cases.length).toBeGreaterThan(150);
    for (const c of cases) {
      const v = variantGradients(c);
      const r = referenceGradients(c);
      v.forEach((g, n) => {
        const e = r[n]!;
        expect(sameBits(g.x, e.x), `${c.id} call ${n} x`).toBe(true);
        expect(g.initialState?.length, c.id).toBe(e.initialState?.length);
        g.initialState?.forEach((s, k) => expect(sameBits(s, e.initialState![k]), `${c.id} initial_state[${k}]`).toBe(true));
        g.layers.forEach((l, k) => {
          for (const w of ["kernel", "recurrent_kernel", "bias"] as const) expect(sameBits(l[w], e.layers[k]![w]), `${c.id} layers[${l.layer}].${w}`).toBe(true);
        });
      });
    }
  });

  const hasLstm = (c: GradientCase): boolean => cellLayers(c).some((l) => l.className === "LSTM");
  const hasMask = (c: GradientCase): boolean => c.calls.some((k) => k.mask !== undefined) || c.layers[0]?.className === "Masking";
  const flawed: readonly [string, BpttFlaws, (c: GradientCase) => boolean][] = [
    ["noCellPath", { noCellPath: true }, hasLstm],
    ["actPrimeOfCOmitted", { actPrimeOfCOmitted: true }, hasLstm],
    ["forgetUsesCt", { forgetUsesCt: true }, hasLstm],
    ["truncateSteps 5", { truncateSteps: 5 }, (c) => c.calls.some((k) => k.x.shape[1]! > 5)],
    ["maskedLeak weights", { maskedLeak: "weights" }, hasMask],
    ["maskedLeak x", { maskedLeak: "x" }, hasMask],
    ["maskedLeak output-dropped", { maskedLeak: "output-dropped" }, hasMask],
  ];
  for (const [what, flaws, actsOn] of flawed) {
    it(`${what}: fails some case, and only cases it can act on`, () => {
      const failed = cases.filter((c) => !compareGradients(c, variantGradients(c, flaws)).pass);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.filter((c) => !actsOn(c)).map((c) => c.id)).toEqual([]);
    });
  }
});
