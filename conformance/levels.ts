/**
 * Conformance levels (spec/adapter.md §4.3) — the one place they are defined.
 *
 *  - **core**: Keras's default LSTM — tanh / sigmoid, one layer, no option beyond defaults. Every core
 *    case that ran passed, and at least one ran.
 *  - **full**: core, every case that ran passed — none failed, errored, was unsupported, skipped or a
 *    known failure — every property passed, and at least one of them is *evidence* (no trivial engine
 *    passes it: zeros, a constant, the input echoed, the reference scaled; conformance/properties/).
 *    A property that a trivial engine satisfies is no evidence of anything, so it counts toward no level.
 *  - **none**: otherwise.
 * A level is a statement about the cases that were run: a filtered or sharded run says so in its
 * report (`selection`), and only an unfiltered run over the shipped corpus speaks for the spec.
 */
import type { Feature } from "./engine.ts";

export type ConformanceLevel = "none" | "core" | "full";

/** The only features a *core* case may need. */
export const CORE_FEATURES: readonly Feature[] = ["activation:tanh", "recurrent_activation:sigmoid"];

/** Whether a case needing `features` belongs to the core level. */
export function isCoreCase(features: readonly Feature[]): boolean {
  return features.every((f) => CORE_FEATURES.includes(f));
}

/** What the level computation needs to know about each case and property. */
export interface LevelInput {
  readonly cases: readonly { readonly status: string; readonly core: boolean }[];
  readonly properties: readonly { readonly status: string; readonly evidence?: boolean }[];
}

export function levelReached(r: LevelInput): ConformanceLevel {
  const core = r.cases.filter((c) => c.core);
  const coreOk = core.length > 0 && core.every((c) => c.status === "pass");
  if (!coreOk) return "none";
  const allCasesPass = r.cases.every((c) => c.status === "pass");
  const propertiesPass = r.properties.some((p) => p.evidence === true && p.status === "pass") && r.properties.every((p) => p.status === "pass");
  return allCasesPass && propertiesPass ? "full" : "core";
}

export const LEVEL_DESCRIPTIONS: Readonly<Record<ConformanceLevel, string>> = {
  none: "no core case ran, or not every core case passed",
  core: "every core case (default options: tanh, sigmoid, one layer) passed",
  full: "every case and every property passed, evidence properties among them",
};
