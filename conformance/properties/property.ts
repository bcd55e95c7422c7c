/**
 * What a property is, and the helpers every property uses to run an engine and compare outputs.
 */
import type { FixtureCase, LayerCase, Tolerance } from "../case.ts";
import { describeComparison } from "../compare.ts";
import { compareOutputs } from "../compare-outputs.ts";
import type { Engine, EngineOutputs, Feature } from "../engine.ts";
import { engineView } from "../runner.ts";
import type { CaseSpec } from "./arbitraries.ts";

/** A property that does not hold for one input: why, and the case to rerun. */
export interface Violation {
  readonly message: string;
  /** The case that shows it (as a fixture case it needs expected outputs: `expected`, or the reference's). */
  readonly case: LayerCase;
  /** Keras-derived expected outputs (fixture-anchored properties); absent: the reference computes them. */
  readonly expected?: EngineOutputs;
}

interface PropertyBase {
  readonly id: string;
  /** The section of spec/lstm.md the relation follows from. */
  readonly specSection: string;
  /** True when the reference is the oracle (not Keras). */
  readonly referenceChecked: boolean;
  /** Features the engine must declare for the property to run at all. */
  readonly requires: readonly Feature[];
}

/** A relation checked on random cases (no fixtures needed). */
export interface GeneratedProperty extends PropertyBase {
  readonly kind: "generated";
  /** Options the property fixes (e.g. go_backwards on). */
  readonly fixed?: Partial<CaseSpec>;
  check(engine: Engine, c: LayerCase, spec: CaseSpec): Promise<Violation | null>;
}

/** A relation anchored on a fixture case: Keras's outputs, transformed exactly, are the oracle. */
export interface FixtureProperty extends PropertyBase {
  readonly kind: "fixture";
  /** Null when the transformation does not apply to this case. */
  check(engine: Engine, c: FixtureCase, seed: number): Promise<Violation | null>;
}

export type Property = GeneratedProperty | FixtureProperty;

/** Runs an engine, turning a malformed result into an error that names the case. */
export async function runEngine(engine: Engine, c: LayerCase): Promise<EngineOutputs> {
  const out = await engine.run(engineView(c));
  if (!Array.isArray(out) || out.length !== c.calls.length) {
    throw new Error(`engine returned ${Array.isArray(out) ? out.length : typeof out} call results for ${c.calls.length} call(s)`);
  }
  return out;
}

/** Null when every output of every call matches within `tol`; otherwise what differs. */
export function differences(actual: EngineOutputs, expected: EngineOutputs, tol: Pick<Tolerance, "atol" | "rtol">, what: string): string | null {
  const result = compareOutputs(actual, expected, tol);
  if (result.ok) return null;
  const d = result.difference;
  switch (d.kind) {
    case "calls":
      return `${what}: ${d.actual} call result(s), expected ${d.expected}`;
    case "outputs":
      return `${what}: call ${d.call} returned ${d.actual} output(s), expected ${d.expected}`;
    case "malformed":
      return `${what}: call ${d.call}${d.output === undefined ? " result is not a list of tensors" : ` output ${d.output} is not a tensor`}`;
    case "tensor":
      return `${what}: call ${d.call} output ${d.output}: ${describeComparison(d.comparison, tol)}`;
  }
}
