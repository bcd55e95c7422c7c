/**
 * Small, self-consistent fixture files for the suite's own tests (not Keras truth: the values are
 * random). Outputs are built from the per-step states exactly as a Keras recurrent layer returns
 * them (spec/fixture-format.md §3.2): `output` = the last step's h (or every h with
 * return_sequences), then the last step's states (h and c for an LSTM, h otherwise) with
 * return_state. That is all the runner's bookkeeping needs. Weights are shaped by the cell's layout.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CELL_LAYOUTS, type CellClassName } from "../../reference/cells/layout.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";

export interface TinyCaseOptions {
  readonly id: string;
  /** The recurrent layer's class; default LSTM. */
  readonly cell?: CellClassName;
  /** GRU only; default true (spec/gru.md §1.3). */
  readonly resetAfter?: boolean;
  readonly batch?: number;
  readonly timesteps?: number;
  readonly inputDim?: number;
  readonly units?: number;
  readonly returnSequences?: boolean;
  readonly returnState?: boolean;
  readonly goBackwards?: boolean;
  readonly useBias?: boolean;
  readonly activation?: string;
  readonly mask?: boolean;
  readonly calls?: number;
  readonly stateful?: boolean;
  readonly seed?: number;
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 32 - 0.5);
  };
}

type RawTensor = { dtype: string; shape: number[]; data: (number | boolean)[]; name?: string };

function floats(shape: number[], next: () => number, name?: string): RawTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { ...(name ? { name } : {}), dtype: "float32", shape, data: Array.from({ length: n }, next) };
}

/** One raw case (the JSON object of spec/fixture-format.md §3). */
export function tinyCase(o: TinyCaseOptions): Record<string, unknown> {
  const B = o.batch ?? 2, T = o.timesteps ?? 3, D = o.inputDim ?? 2, U = o.units ?? 2;
  const next = random(o.seed ?? 7);
  const useBias = o.useBias ?? true;
  const layout = CELL_LAYOUTS[o.cell ?? "LSTM"];
  const resetAfter = o.resetAfter ?? true;
  const weights = layout.weights({ units: U, use_bias: useBias, reset_after: resetAfter }, D).map((w) => floats([...w.shape], next, w.name));
  const hasC = layout.states.includes("c");
  const calls = Array.from({ length: o.calls ?? 1 }, () => {
    const h = floats([B, T, U], next);
    const c = hasC ? floats([B, T, U], next) : undefined;
    const last = (t: RawTensor): RawTensor => ({
      dtype: "float32",
      shape: [B, U],
      data: Array.from({ length: B * U }, (_, k) => t.data[Math.floor(k / U) * T * U + (T - 1) * U + (k % U)]!),
    });
    const output = o.returnSequences ? { dtype: "float32", shape: [B, T, U], data: [...h.data] } : last(h);
    const outputs = o.returnState ? [output, last(h), ...(c ? [last(c)] : [])] : [output];
    const inputs: Record<string, unknown> = { x: floats([B, T, D], next) };
    if (o.mask) inputs["mask"] = { dtype: "bool", shape: [B, T], data: Array.from({ length: B * T }, (_, k) => k % T !== 0) };
    return { inputs, outputs, steps: [{ layer: 0, h, ...(c ? { c } : {}) }] };
  });
  return {
    id: o.id,
    description: `tiny test case ${o.id}`,
    seed: o.seed ?? 7,
    layers: [
      {
        class_name: layout.className,
        config: {
          name: layout.kind,
          units: U,
          activation: o.activation ?? "tanh",
          ...(layout.activations.recurrent_activation !== undefined ? { recurrent_activation: "sigmoid" } : {}),
          ...(layout.className === "GRU" ? { reset_after: resetAfter } : {}),
          use_bias: useBias,
          return_sequences: o.returnSequences ?? false,
          return_state: o.returnState ?? false,
          go_backwards: o.goBackwards ?? false,
          stateful: o.stateful ?? false,
          zero_output_for_mask: false,
        },
        weights,
      },
    ],
    calls,
    tolerance: { ...BASE_TOLERANCE, source: "policy" },
    backends: {},
  };
}

/** A raw fixture file (spec/fixture-format.md §2) holding `cases`. */
export function tinyFixtureFile(family: string, cases: readonly Record<string, unknown>[], kerasPackage: "keras" | "tf_keras" = "keras"): Record<string, unknown> {
  return {
    format_version: 1,
    family,
    description: `tiny test family ${family}`,
    provenance: {
      generator: "conformance/testing/tiny-fixture.ts",
      generator_sha256: "0".repeat(64),
      keras_package: kerasPackage,
      keras: "3.15.1",
      backend: "tensorflow",
      tensorflow: "2.21.0",
      jax: null,
      numpy: "2.4.6",
      python: "3.12",
      seed: 1,
      date: "2025-01-01",
    },
    cases,
  };
}

/** Writes fixture files under `dir` (paths relative to it) and a manifest listing them. */
export function writeTinyCorpus(dir: string, files: Readonly<Record<string, Record<string, unknown>>>): void {
  const entries = Object.entries(files).map(([path, json]) => {
    const text = JSON.stringify(json);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    const cases = (json["cases"] as unknown[] | undefined)?.length ?? 0;
    return { path, sha256: createHash("sha256").update(text).digest("hex"), bytes: Buffer.byteLength(text), cases };
  });
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ format_version: 1, files: entries }, null, 1));
}
