/**
 * What a property is, and the helpers every property uses to run an engine and compare outputs.
 */
import { sequenceLayers, type FixtureCase, type LayerCase, type RecurrentLayer, type Tolerance } from "../case.ts";
import { cellOf } from "../cells.ts";
import { describeComparison } from "../compare.ts";
import { compareOutputs } from "../compare-outputs.ts";
import type { Engine, EngineOutputs, Feature } from "../engine.ts";
import { checkOutputs } from "../outputs.ts";
import { engineView } from "../runner.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import type { CaseSpec } from "./arbitraries.ts";
import { detach } from "../untrusted.ts";

/** A property that does not hold for one input: why, and the case to rerun. */
export interface Violation {
  readonly message: string;
  /** The case that shows it (as a fixture case it needs expected outputs: `expected`, or the reference's). */
  readonly case: LayerCase;
  /** Keras-derived expected outputs (fixture-anchored properties); absent: the reference computes them. */
  readonly expected?: EngineOutputs;
  /** The tolerance the relation was checked with (the anchor case's); absent: the policy's BASE_TOLERANCE. */
  readonly tolerance?: Pick<Tolerance, "atol" | "rtol">;
}

interface PropertyBase {
  readonly id: string;
  /** The section of spec/lstm.md the relation follows from. */
  readonly specSection: string;
  /** True when the reference is the oracle (not Keras). */
  readonly referenceChecked: boolean;
  /** Features the engine must declare for the property to run at all. */
  readonly requires: readonly Feature[];
  /**
   * True when no trivial engine passes the property (proved by properties.test.ts); a pass of
   * a property with evidence false is not counted toward any conformance level (spec/adapter.md §4.3).
   * A fixture-anchored property is never passed by one either: a trivial engine fails every anchor
   * case by itself, so every draw folds and the property is unsupported (fixture-anchored.ts).
   */
  readonly evidence: boolean;
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
  /**
   * Which anchors it draws: "layers" (the default) the cases without a Bidirectional — its
   * transformation is written for one recurrent layer per position — "bidirectional" the cases with one.
   */
  readonly anchors?: "layers" | "bidirectional";
  /** Null when the transformation does not apply to this case. */
  check(engine: Engine, c: FixtureCase, seed: number): Promise<Violation | null>;
}

export type Property = GeneratedProperty | FixtureProperty;

/**
 * The engine's result is not outputs of Keras's form (conformance/outputs.ts, spec/adapter.md §3):
 * `status` "error" when it returned no outputs at all (plain arrays, not a list), "fail" when the
 * outputs have the wrong count or shape, as for a case.
 */
export class MalformedOutputsError extends Error {
  constructor(message: string, readonly status: "fail" | "error") {
    super(message);
    this.name = "MalformedOutputsError";
  }
}

/**
 * Per call, the shapes of Keras's outputs (spec/lstm.md §3.2): the last layer's (B, T, units) or
 * (B, units), then its states (h, c or h) with return_state. A Bidirectional's (spec/bidirectional.md):
 * its merged output (concat: both layers' units) or, for merge_mode None, both outputs; then the
 * forward layer's states and the backward layer's.
 */
export function kerasOutputShapes(c: LayerCase): number[][][] {
  const last = sequenceLayers(c).at(-1);
  if (!last) throw new Error(`${c.id}: no recurrent layer`);
  const shaped = (l: RecurrentLayer, B: number, T: number, units = l.config.units): number[] => (l.config.return_sequences ? [B, T, units] : [B, units]);
  const states = (l: RecurrentLayer, B: number): number[][] => cellOf(l).states.map(() => [B, l.config.units]);
  return c.calls.map((call) => {
    const [B, T] = call.x.shape as [number, number];
    if (last.className !== "Bidirectional") return [shaped(last, B, T), ...(last.config.return_state ? states(last, B) : [])];
    const { forward: f, backward: b } = last;
    const mode = last.config.merge_mode;
    const outputs = mode === null ? [shaped(f, B, T), shaped(b, B, T)] : [shaped(f, B, T, mode === "concat" ? f.config.units + b.config.units : f.config.units)];
    return [...outputs, ...(f.config.return_state ? [...states(f, B), ...states(b, B)] : [])];
  });
}

const NO_VALUES = new Float32Array(0);
const SHAPES_ONLY = { ...BASE_TOLERANCE, source: "policy" };

/**
 * `c` as checkOutputs reads a fixture case: its calls, its layers and the shapes of Keras's outputs
 * (no values: it compares none). Built field by field, not by spreading `c`: it runs on every engine
 * call, and the spread was most of its cost.
 */
function withKerasShapes(c: LayerCase): FixtureCase {
  const expected = kerasOutputShapes(c).map((shapes) => ({ outputs: shapes.map((shape) => ({ shape, data: NO_VALUES })), steps: [] }));
  return { id: c.id, dialect: c.dialect, layers: c.layers, calls: c.calls, description: c.id, seed: 0, file: "(property case)", tolerance: SHAPES_ONLY, expected, backends: {} };
}

/**
 * Runs an engine and checks its result like the runner checks a case's (checkOutputs), so that a
 * malformed result gets the same clear message (e.g. plain arrays: a dtype message) instead of a
 * TypeError deep inside a transform. The result is first copied as plain data (untrusted.ts): an
 * engine is untrusted (spec/adapter.md §4.1) and may return getters, proxies or data it changes later.
 */
export async function runEngine(engine: Engine, c: LayerCase): Promise<EngineOutputs> {
  const returned = await engine.run(engineView(c));
  let copy: unknown;
  try {
    copy = detach<unknown>(returned);
  } catch (e) {
    throw new MalformedOutputsError(`${c.id}: ${(e as Error).message}`, "error");
  }
  const checked = checkOutputs(copy, withKerasShapes(c));
  if (!checked.ok) throw new MalformedOutputsError(`${c.id}: ${checked.message}`, checked.status);
  // Float64Array data is allowed (spec/adapter.md §3); rounding it to float32 (≤ 6e-8 relative) is far inside every tolerance.
  return checked.outputs.map((call) => call.map((t) => ({ shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) })));
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
      return `${what}: call ${d.call + 1} returned ${d.actual} output(s), expected ${d.expected}`;
    case "malformed":
      return `${what}: call ${d.call + 1}${d.output === undefined ? " result is not a list of tensors" : ` output ${d.output} is not a tensor`}`;
    case "tensor":
      return `${what}: call ${d.call + 1} output ${d.output}: ${describeComparison(d.comparison, tol)}`;
  }
}
