/**
 * Locating a failure in time: the first step, in processing order, where the engine's h leaves the
 * tolerance (spec/adapter.md §4.2). A porter fixes the first wrong step, not the last.
 *
 *  - When the case returns sequences, the engine's own sequence output is compared step by step.
 *  - Otherwise the engine is run again on a copy of the case whose last recurrent layer returns sequences
 *    (return_state and zero_output_for_mask off), and that output is compared with the h Keras
 *    recorded after every step (`expected[k].steps`, spec/fixture-format.md §3.2). Masked steps are
 *    not compared: what an engine emits there depends on options this re-run changed.
 */
import { recurrentLayers, sequenceLayers, type FixtureCase, type LayerCase, type Layer, type Tolerance } from "./case.ts";
import { withinTolerance } from "./compare.ts";
import { maskingLayerMask } from "./masking-layer.ts";
import type { Engine, EngineOutputs } from "./engine.ts";
import type { ReturnedTensor } from "./outputs.ts";
import type { FirstDivergence } from "./verdict.ts";
import type { Tensor } from "./tensor.ts";

/**
 * The first (timestep, batch, unit) where `actual` (B, T, U) leaves the tolerance of `expected`,
 * scanning timesteps first; `valid(b, t)` false skips an element.
 */
export function firstDivergentStep(
  actual: ReturnedTensor,
  expected: Tensor,
  tol: Pick<Tolerance, "atol" | "rtol">,
  valid: (batch: number, t: number) => boolean = () => true,
): { timestep: number; batch: number; unit: number; actual: number; expected: number } | null {
  const [B, T, U] = expected.shape as [number, number, number];
  if (actual.shape.length !== 3 || actual.shape[0] !== B || actual.shape[1] !== T || actual.shape[2] !== U) return null;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (!valid(b, t)) continue;
      for (let u = 0; u < U; u++) {
        const k = (b * T + t) * U + u;
        if (!withinTolerance(actual.data[k]!, expected.data[k]!, tol)) return { timestep: t, batch: b, unit: u, actual: actual.data[k]!, expected: expected.data[k]! };
      }
    }
  }
  return null;
}

/** Whether step `t` of row `b` is valid for the last recurrent layer, in *processing* order (mask or Masking layer). */
function validityOf(c: LayerCase, call: number): (b: number, t: number) => boolean {
  const inputs = c.calls[call]!;
  const T = inputs.x.shape[1]!;
  const reversed = recurrentLayers(c).at(-1)!.config.go_backwards;
  const masking = c.layers.find((l) => l.className === "Masking");
  const masks = [inputs.mask, masking ? maskingLayerMask(inputs.x, masking.config.mask_value) : undefined].filter((m) => m !== undefined);
  return (b, t) => {
    const ti = reversed ? T - 1 - t : t;
    return masks.every((m) => m.data[b * T + ti] !== 0);
  };
}

/** A copy of `c` whose last recurrent layer returns its whole sequence and nothing else. */
export function withSequenceOutput(c: LayerCase): LayerCase {
  const last = recurrentLayers(c).at(-1);
  // the same layer, any cell, with three of its config keys changed (the union cannot see that the config keeps its cell's type)
  const layers: Layer[] = c.layers.map((l) => (l === last ? ({ ...last, config: { ...last.config, return_sequences: true, return_state: false, zero_output_for_mask: false } } as Layer) : l));
  return { id: c.id, dialect: c.dialect, layers, calls: c.calls };
}

export interface DivergenceResult {
  readonly divergence: FirstDivergence | null;
  /** Why there is none, when there is none. */
  readonly note?: string;
}

/**
 * Finds the first divergence of a failing case. `actual` are the engine's (well-formed) outputs;
 * `rerun` runs the engine on a modified case under the runner's timeout and error handling.
 */
export async function findFirstDivergence(
  engine: Engine,
  c: FixtureCase,
  actual: readonly (readonly ReturnedTensor[])[],
  rerun: (modified: LayerCase) => Promise<EngineOutputs>,
): Promise<DivergenceResult> {
  const lastLayer = sequenceLayers(c).at(-1)!;
  const noDivergence: DivergenceResult = { divergence: null, note: "every step's h agrees with Keras; the difference is in what is returned, not in the recurrence" };
  if (lastLayer.className === "Bidirectional") {
    // spec/bidirectional.md: the merged sequence is in time order; each step pairs the forward layer's
    // step t with the backward layer's, so the first divergent step is read off the output itself.
    if (!lastLayer.forward.config.return_sequences) return { divergence: null, note: "a Bidirectional without return_sequences: its steps are not located" };
    for (let k = 0; k < actual.length; k++) {
      const d = firstDivergentStep(actual[k]![0]!, c.expected[k]!.outputs[0]!, c.tolerance);
      if (d) return { divergence: { call: k, ...d, source: "sequence output" } };
    }
    return noDivergence;
  }
  const last = lastLayer;
  const lastIndex = c.layers.lastIndexOf(last);
  if (last.config.return_sequences) {
    for (let k = 0; k < actual.length; k++) {
      const d = firstDivergentStep(actual[k]![0]!, c.expected[k]!.outputs[0]!, c.tolerance);
      if (d) return { divergence: { call: k, ...d, source: "sequence output" } };
    }
    return noDivergence;
  }
  if (!engine.features.includes("return_sequences")) return { divergence: null, note: "the engine does not support return_sequences, so steps cannot be compared" };
  let outputs: EngineOutputs;
  try {
    outputs = await rerun(withSequenceOutput(c));
  } catch (e) {
    return { divergence: null, note: `re-running with return_sequences=true failed: ${(e as Error).message}` };
  }
  for (let k = 0; k < c.expected.length; k++) {
    const steps = c.expected[k]!.steps.find((s) => s.layer === lastIndex);
    if (!steps) return { divergence: null, note: "the fixture has no per-step record for the last layer" };
    const seq = outputs[k]?.[0];
    if (!seq || !(seq.data instanceof Float32Array || (seq.data as unknown) instanceof Float64Array)) return { divergence: null, note: "the re-run with return_sequences=true returned no usable sequence" };
    const d = firstDivergentStep(seq, steps.h, c.tolerance, validityOf(c, k));
    if (d) return { divergence: { call: k, ...d, source: "re-run with return_sequences" } };
  }
  return noDivergence;
}
