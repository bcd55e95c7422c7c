/**
 * A property's shrunk counterexample as a ready-to-run fixture file (spec/fixture-format.md §2–§3),
 * so that a failure can be rerun with `--fixtures`. The provenance says it is property-generated and
 * whether its expected outputs are the reference's (reference-checked properties) or Keras's own
 * outputs transformed exactly (fixture-anchored properties).
 */
import type { LayerCase, Tolerance } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";

const floatJson = (t: Tensor, name?: string): Record<string, unknown> => ({
  ...(name ? { name } : {}),
  dtype: "float32",
  shape: [...t.shape],
  data: Array.from(t.data),
});
const boolJson = (t: BoolTensor): Record<string, unknown> => ({ dtype: "bool", shape: [...t.shape], data: Array.from(t.data, (v) => v === 1) });

export interface CounterexampleOptions {
  readonly propertyId: string;
  readonly note: string;
  readonly tolerance: Pick<Tolerance, "atol" | "rtol">;
  readonly seed: number;
  /** Expected outputs per call; where they come from is said in `note`. */
  readonly expected: EngineOutputs;
}

/** The fixture file holding `c` as its only case, id `properties/<property>/001`. */
export function counterexampleFixture(c: LayerCase, o: CounterexampleOptions): Record<string, unknown> {
  const family = `properties/${o.propertyId.replace(/[^a-z0-9_-]/g, "-")}`;
  return {
    format_version: 1,
    family,
    description: `property-generated counterexample of ${o.propertyId}: ${o.note}`,
    provenance: {
      generator: "conformance/properties (fast-check)",
      generator_sha256: "0".repeat(64),
      keras_package: c.dialect === "tf-keras" ? "tf_keras" : "keras",
      keras: "property-generated",
      backend: "tensorflow",
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
        description: `${o.propertyId} counterexample (${o.note})`,
        seed: o.seed,
        layers: c.layers.map((l) =>
          l.className === "LSTM"
            ? {
                class_name: "LSTM",
                config: { ...l.config },
                weights: [
                  floatJson(l.weights.kernel, "kernel"),
                  floatJson(l.weights.recurrent_kernel, "recurrent_kernel"),
                  ...(l.weights.bias ? [floatJson(l.weights.bias, "bias")] : []),
                ],
              }
            : { class_name: "Masking", config: { ...l.config } },
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
        tolerance: { atol: o.tolerance.atol, rtol: o.tolerance.rtol, source: `property-generated: ${o.note}` },
        backends: {},
      },
    ],
  };
}
