/**
 * Conformance levels (spec/adapter.md §4.3) — the one place they are defined.
 *
 *  - **core**: Keras's default layer of each cell the engine implements — tanh / sigmoid, one layer,
 *    no option beyond defaults. Every core case that ran passed, and at least one ran. A case of a
 *    cell the engine does not implement is not core *for that engine* (an LSTM-only engine is not
 *    judged on GRU cases): the cell is the one feature whose absence does not block a level.
 *  - **full**: core, every case that ran passed — none failed, errored, was unsupported, skipped or a
 *    known failure — every property passed, and at least one of them is *evidence* (no trivial engine
 *    passes it: zeros, a constant, the input echoed, the reference scaled; conformance/properties/).
 *    A property that a trivial engine satisfies is no evidence of anything, so it counts toward no level.
 *  - **none**: otherwise.
 * A case that needs a cell the engine does not implement — or a Bidirectional or a gradient case, for
 * an engine without them — is *out of scope* for it: reported as unsupported (never a pass), and counted toward no level —
 * neither core nor blocking full; so is a property whose every anchor is out of scope. So an
 * LSTM engine keeps the level it reaches on the LSTM when the corpus gains GRU cases, and its level
 * speaks for the cells it implements (its `cell:*` features, or the LSTM alone).
 * A level is a statement about the cases that were run: a filtered or sharded run says so in its
 * report (`selection`), and only an unfiltered run over the shipped corpus speaks for the spec.
 */
import { CELL_FEATURES } from "./cells.ts";
import type { Feature } from "./engine.ts";
import { BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE, implementedFeatures } from "./features.ts";

export type ConformanceLevel = "none" | "core" | "full";

/** The only features a *core* case may need besides its cell (Keras's default activations). */
export const CORE_FEATURES: readonly Feature[] = ["activation:tanh", "recurrent_activation:sigmoid"];

/**
 * Whether a case needing `features` belongs to the core level for an engine that declares
 * `declared`: it needs nothing beyond `CORE_FEATURES` and cells the engine implements. Without
 * `declared`, for an engine that declares no cell: the LSTM's core (spec/adapter.md §4.3).
 */
export function isCoreCase(features: readonly Feature[], declared: readonly Feature[] = []): boolean {
  const cells = implementedFeatures(declared).filter((f) => (CELL_FEATURES as readonly Feature[]).includes(f));
  return features.every((f) => CORE_FEATURES.includes(f) || cells.includes(f));
}

/** What the level computation needs to know about each case and property. */
export interface LevelInput {
  readonly cases: readonly { readonly status: string; readonly core: boolean; readonly missingFeatures?: readonly Feature[] }[];
  readonly properties: readonly { readonly status: string; readonly evidence?: boolean; readonly missingFeatures?: readonly Feature[] }[];
}

/**
 * The features that say what an engine *is* rather than how well it does it: each cell, the
 * Bidirectional wrapper (spec/bidirectional.md) — a case class of its own — and the gradient
 * capability (spec/gradients.md §7.1). A case or a property that needs one the engine lacks is out
 * of its scope, like a GRU case for an LSTM engine; an engine that declares `gradients` is judged on
 * gradient cases toward *full* (a gradient case is never core).
 */
export const SCOPE_FEATURES: readonly Feature[] = [...CELL_FEATURES, BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE];

/** Whether a verdict (a case's or a property's) says it needs a scope feature the engine does not implement: out of the engine's scope. */
export function isOutOfScope(c: { readonly status: string; readonly missingFeatures?: readonly Feature[] }): boolean {
  return c.status === "unsupported" && (c.missingFeatures ?? []).some((f) => SCOPE_FEATURES.includes(f));
}

/**
 * What a level does not speak for: per scope feature the engine lacks, how many cases and
 * properties it left out of scope (a case missing two scope features counts under each).
 */
export function outOfScope(r: LevelInput): { readonly feature: Feature; readonly count: number }[] {
  const counts = new Map<Feature, number>();
  for (const v of [...r.cases, ...r.properties]) {
    if (!isOutOfScope(v)) continue;
    for (const f of v.missingFeatures ?? []) if (SCOPE_FEATURES.includes(f)) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  return SCOPE_FEATURES.filter((f) => counts.has(f)).map((feature) => ({ feature, count: counts.get(feature)! }));
}

export function levelReached(r: LevelInput): ConformanceLevel {
  const cases = r.cases.filter((c) => !isOutOfScope(c));
  const properties = r.properties.filter((p) => !isOutOfScope(p));
  const core = cases.filter((c) => c.core);
  const coreOk = core.length > 0 && core.every((c) => c.status === "pass");
  if (!coreOk) return "none";
  const allCasesPass = cases.every((c) => c.status === "pass");
  const propertiesPass = properties.some((p) => p.evidence === true && p.status === "pass") && properties.every((p) => p.status === "pass");
  return allCasesPass && propertiesPass ? "full" : "core";
}

export const LEVEL_DESCRIPTIONS: Readonly<Record<ConformanceLevel, string>> = {
  none: "no core case ran, or not every core case passed",
  core: "every core case (default options: tanh, sigmoid, one layer, of each cell the engine implements) passed",
  full: "every case and property within the engine's scope (the cells it implements, Bidirectional and gradients if it does) passed, evidence properties among them",
};
