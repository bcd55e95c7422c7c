/**
 * A property's shrunk counterexample as a ready-to-run fixture file (spec/fixture-format.md §2–§3),
 * so that a failure can be rerun with `--fixtures <file>` and judged like any case. The provenance
 * says where its expected outputs come from: Keras's own outputs of the anchor case, transformed
 * exactly (fixture-anchored properties), or the suite's float64 reference — then, as for
 * `keras-rnn-conformance fixture` without `--keras` (spec/fixture-format.md §5), `backend` is
 * `"reference"` and the description and `tolerance.source` say REFERENCE-COMPUTED.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LayerCase, RecurrentConfig, RecurrentLayer, Tolerance } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";

/** A recurrent layer as a fixture file holds it: any cell, the same three weights by name (spec/fixture-format.md §3.1). */
const recurrentJson = (l: RecurrentLayer): Record<string, unknown> => ({
  class_name: l.className,
  config: { ...l.config },
  weights: [floatJson(l.weights.kernel, "kernel"), floatJson(l.weights.recurrent_kernel, "recurrent_kernel"), ...(l.weights.bias ? [floatJson(l.weights.bias, "bias")] : [])],
});

const floatJson = (t: Tensor, name?: string): Record<string, unknown> => ({
  ...(name ? { name } : {}),
  dtype: "float32",
  shape: [...t.shape],
  data: Array.from(t.data),
});
const boolJson = (t: BoolTensor): Record<string, unknown> => ({ dtype: "bool", shape: [...t.shape], data: Array.from(t.data, (v) => v === 1) });

/** Where a counterexample's expected outputs come from. */
export type Oracle =
  | { readonly kind: "keras"; readonly anchor: string; readonly anchorFile: string }
  | { readonly kind: "reference" };

/** The words every reader of the file and of the message sees (spec/fixture-format.md §5). */
export const REFERENCE_COMPUTED = "REFERENCE-COMPUTED (the suite's float64 reference, not Keras)";

/** Where the expected outputs come from, in one phrase. */
export function oracleNote(o: Oracle): string {
  return o.kind === "reference"
    ? `expected outputs: ${REFERENCE_COMPUTED}`
    : `expected outputs: Keras's outputs of ${o.anchor} (${o.anchorFile}), transformed exactly`;
}

export interface CounterexampleOptions {
  readonly propertyId: string;
  readonly oracle: Oracle;
  /** The tolerance the property compared with: the anchor case's, or the policy's for generated cases. */
  readonly tolerance: Pick<Tolerance, "atol" | "rtol">;
  readonly seed: number;
  /** Expected outputs per call, from `oracle`. */
  readonly expected: EngineOutputs;
}

/** The fixture file holding `c` as its only case, id `properties/<property>/001`. */
export function counterexampleFixture(c: LayerCase, o: CounterexampleOptions): Record<string, unknown> {
  const family = `properties/${o.propertyId.replace(/[^a-z0-9_-]/g, "-")}`;
  const note = oracleNote(o.oracle);
  const byReference = o.oracle.kind === "reference";
  return {
    format_version: 1,
    family,
    description: `property-generated counterexample of ${o.propertyId}: ${note}`,
    provenance: {
      generator: `conformance/properties (fast-check)${byReference ? " (reference-computed; no Keras ran)" : ""}`,
      generator_sha256: "0".repeat(64),
      keras_package: c.dialect === "tf-keras" ? "tf_keras" : "keras",
      keras: "property-generated",
      // the anchor's outputs are TensorFlow's, the canonical backend (spec/fixture-format.md §4)
      backend: byReference ? "reference" : "tensorflow",
      tensorflow: null,
      jax: null,
      numpy: "none",
      python: "none",
      seed: o.seed,
      date: new Date().toISOString().slice(0, 10),
    },
    cases: [
      {
        id: `${family}/001`,
        description: `${o.propertyId} counterexample (${note}): ${describeCase(c)}`,
        seed: o.seed,
        layers: c.layers.map((l) =>
          l.className === "Masking"
            ? { class_name: "Masking", config: { ...l.config } }
            : l.className === "Bidirectional"
              ? { class_name: "Bidirectional", config: { ...l.config }, forward: recurrentJson(l.forward), backward: recurrentJson(l.backward) }
              : recurrentJson(l),
        ),
        calls: c.calls.map((call, n) => ({
          inputs: {
            x: floatJson(call.x),
            ...(call.mask ? { mask: boolJson(call.mask) } : {}),
            ...(call.initialState ? { initial_state: call.initialState.map((s) => floatJson(s)) } : {}),
          },
          outputs: (o.expected[n] ?? []).map((t) => floatJson(t)),
          steps: [],
        })),
        tolerance: { atol: o.tolerance.atol, rtol: o.tolerance.rtol, source: `property-generated: ${note}; the tolerance the property compared with` },
        backends: {},
      },
    ],
  };
}

/** Writes `fixture` as `<dir>/<property-id>.json` (the folder is made when missing) and returns the path. */
export function writeCounterexample(dir: string, propertyId: string, fixture: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${propertyId.replace(/[^A-Za-z0-9_.-]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(fixture, null, 1)}\n`);
  return file;
}

/**
 * Keras config values that differ from Keras 3's defaults, as `name=value` (what a reader must know
 * to see the case). A key the layer's config does not have is not shown: a SimpleRNN has no
 * recurrent_activation, only a GRU has reset_after (spec/simple-rnn.md §3.8, spec/gru.md §3.13).
 */
function nonDefaultOptions(config: RecurrentConfig): string[] {
  const defaults: Record<string, unknown> = {
    activation: "tanh",
    recurrent_activation: "sigmoid",
    reset_after: true,
    use_bias: true,
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    zero_output_for_mask: false,
  };
  return Object.entries(defaults).flatMap(([k, d]) => (k in config && config[k] !== d ? [`${k}=${String(config[k])}`] : []));
}

/**
 * The case's config on one line, e.g. `B=2 T=5 D=3; LSTM(units=4, go_backwards=true); mask; 1 call`,
 * so that a property failure says what failed without opening the file.
 */
export function describeCase(c: LayerCase): string {
  const first = c.calls[0];
  const [B, T, D] = (first?.x.shape ?? []) as number[];
  const layers = c.layers.map((l) => {
    if (l.className === "Masking") return `Masking(mask_value=${l.config.mask_value})`;
    const describe = (r: RecurrentLayer): string => `${r.className}(${[`units=${r.config.units}`, ...nonDefaultOptions(r.config)].join(", ")})`;
    if (l.className === "Bidirectional") return `Bidirectional(${describe(l.forward)}, backward_layer=${describe(l.backward)}, merge_mode=${l.config.merge_mode === null ? "None" : l.config.merge_mode})`;
    return describe(l);
  });
  const inputs = [first?.mask ? "mask" : "", first?.initialState ? "initial_state" : ""].filter(Boolean);
  const steps = c.calls.map((k) => k.x.shape[1]);
  const time = steps.every((t) => t === T) ? `T=${T}` : `T=${steps.join("+")}`;
  return [`B=${B} ${time} D=${D}`, layers.join(" → "), ...inputs, `${c.calls.length} call${c.calls.length === 1 ? "" : "s"}`].join("; ");
}
