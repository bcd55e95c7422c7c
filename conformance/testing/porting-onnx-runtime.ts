/**
 * Test support for onnxruntime-e2e.test.ts: runs an unmasked case through ONNX Runtime with an ONNX
 * model built from the porting converters themselves — `kerasToOnnx` (LSTM), `kerasGruToOnnx` (GRU,
 * its `linear_before_reset`), `kerasSimpleRnnToOnnx` (RNN) — so that a real ONNX implementation, not
 * the converter's own tests, says whether the converted weights compute Keras's layer (spec/porting.md
 * §4, §14.2, §15.2). One node per recurrent layer, as ONNX's operators define them (onnx.ai
 * Operators.md §LSTM, §GRU, §RNN; opset 14): time-major `X [T, B, D]`, `direction` "reverse" for
 * `go_backwards` with `Y` flipped back into processing order between layers and at the end, the
 * previous call's `Y_h` (and `Y_c`) fed back as `initial_h` (`initial_c`) for a stateful model.
 */
import * as ort from "onnxruntime-web";
import { recurrentLayers, type LayerCase, type RecurrentLayer } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import { onnxActivation } from "../engines/onnx-model.ts";
import { encodeModel, OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxInitializer, type OnnxNode, type OnnxValueInfo } from "../engines/onnx-proto.ts";
import { kerasGruToOnnx } from "../porting/gru.ts";
import { kerasToOnnx } from "../porting/onnx.ts";
import { kerasSimpleRnnToOnnx } from "../porting/simple-rnn.ts";
import type { Tensor } from "../tensor.ts";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const intAttr = (name: string, i: number): OnnxAttribute => ({ name, type: OnnxAttributeType.INT, i });

/** The node's activations, in ONNX's order for the operator: LSTM f, g, h; GRU f, g; RNN f (spec/porting.md §4, §14.2). */
function activationAttributes(layer: RecurrentLayer, dialect: LayerCase["dialect"]): OnnxAttribute[] {
  const act = layer.config.activation;
  const names = layer.className === "SimpleRNN" ? [act] : layer.className === "GRU" ? [String(layer.config.recurrent_activation), act] : [String(layer.config.recurrent_activation), act, act];
  const list = names.map((n) => {
    const a = onnxActivation(n, dialect);
    if (a === undefined) throw new Error(`activation ${n} has no ONNX form`);
    return a;
  });
  const out: OnnxAttribute[] = [{ name: "activations", type: OnnxAttributeType.STRINGS, strings: list.map((a) => utf8(a.name)) }];
  // alpha/beta are consumed in activation order, only by the activations that take them (onnxruntime rnn_helpers.cc)
  const alphas = list.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = list.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  if (alphas.length > 0) out.push({ name: "activation_alpha", type: OnnxAttributeType.FLOATS, floats: alphas });
  if (betas.length > 0) out.push({ name: "activation_beta", type: OnnxAttributeType.FLOATS, floats: betas });
  return out;
}

/** The converter of each cell: ONNX's W, R, B and the node's own attributes. */
function converted(layer: RecurrentLayer): { W: Tensor; R: Tensor; B?: Tensor; opType: string; extra: OnnxAttribute[] } {
  switch (layer.className) {
    case "LSTM":
      return { ...kerasToOnnx(layer.weights), opType: "LSTM", extra: [] };
    case "GRU": {
      const g = kerasGruToOnnx(layer.weights, { resetAfter: layer.config.reset_after });
      return { W: g.W, R: g.R, ...(g.B ? { B: g.B } : {}), opType: "GRU", extra: [intAttr("linear_before_reset", g.linearBeforeReset)] };
    }
    case "SimpleRNN":
      return { ...kerasSimpleRnnToOnnx(layer.weights), opType: "RNN", extra: [] };
  }
}

function buildModel(layers: readonly RecurrentLayer[], dialect: LayerCase["dialect"], batch: number, timesteps: number, inputDim: number): Uint8Array {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const inputs: OnnxValueInfo[] = [{ name: "X", elemType: OnnxDataType.FLOAT, shape: [timesteps, batch, inputDim] }];
  const outputs: OnnxValueInfo[] = [];
  const int64 = (name: string, value: number): OnnxInitializer => ({ name, dims: [1], dataType: OnnxDataType.INT64, int64Data: [value] });
  initializers.push(int64("squeeze_axes", 1), int64("flip_starts", -1), int64("flip_ends", -(timesteps + 1)), int64("flip_axes", 0), int64("flip_steps", -1));
  let x = "X";
  layers.forEach((layer, k) => {
    const H = layer.config.units;
    const { W, R, B, opType, extra } = converted(layer);
    for (const [name, t] of [["W", W], ["R", R], ["B", B]] as const) {
      if (t) initializers.push({ name: `${name}_${k}`, dims: [...t.shape], dataType: OnnxDataType.FLOAT, floatData: t.data });
    }
    const lstm = layer.className === "LSTM";
    inputs.push({ name: `h0_${k}`, elemType: OnnxDataType.FLOAT, shape: [1, batch, H] });
    if (lstm) inputs.push({ name: `c0_${k}`, elemType: OnnxDataType.FLOAT, shape: [1, batch, H] });
    nodes.push({
      opType,
      name: `rnn_${k}`,
      // an empty name is ONNX's "optional input absent": no bias, no sequence_lens
      input: [x, `W_${k}`, `R_${k}`, B ? `B_${k}` : "", "", `h0_${k}`, ...(lstm ? [`c0_${k}`] : [])],
      output: [`Y_${k}`, `Y_h_${k}`, ...(lstm ? [`Y_c_${k}`] : [])],
      attribute: [intAttr("hidden_size", H), { name: "direction", type: OnnxAttributeType.STRING, s: utf8(layer.config.go_backwards ? "reverse" : "forward") }, ...activationAttributes(layer, dialect), ...extra],
    });
    outputs.push({ name: `Y_h_${k}`, elemType: OnnxDataType.FLOAT, shape: [1, batch, H] });
    if (lstm) outputs.push({ name: `Y_c_${k}`, elemType: OnnxDataType.FLOAT, shape: [1, batch, H] });
    if (k === layers.length - 1) {
      outputs.push({ name: `Y_${k}`, elemType: OnnxDataType.FLOAT, shape: [timesteps, 1, batch, H] });
      return;
    }
    nodes.push({ opType: "Squeeze", name: `squeeze_${k}`, input: [`Y_${k}`, "squeeze_axes"], output: [`X_${k + 1}`], attribute: [] });
    x = `X_${k + 1}`;
    if (layer.config.go_backwards) {
      // Keras hands the next layer its sequence in processing order; ONNX "reverse" returns original order
      nodes.push({ opType: "Slice", name: `flip_${k}`, input: [x, "flip_starts", "flip_ends", "flip_axes", "flip_steps"], output: [`${x}_flipped`], attribute: [] });
      x = `${x}_flipped`;
    }
  });
  return encodeModel({ name: "porting_e2e", nodes, initializers, inputs, outputs }, 14, { name: "keras-rnn-conformance porting e2e", version: "0" });
}

/** (B, T, D) → (T, B, D). */
function timeMajor(x: Tensor): Float32Array {
  const [B, T, D] = x.shape as [number, number, number];
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(x.data.subarray((b * T + t) * D, (b * T + t + 1) * D), (t * B + b) * D);
  return out;
}

/** ONNX `Y` (T, 1, B, H) → Keras's (B, T, H) in processing order (flipped for go_backwards). */
function kerasSequence(y: Float32Array, B: number, T: number, H: number, flip: boolean): Tensor {
  const out = new Float32Array(B * T * H);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(y.subarray((t * B + b) * H, (t * B + b + 1) * H), (b * T + (flip ? T - 1 - t : t)) * H);
  return { shape: [B, T, H], data: out };
}

/**
 * Keras's outputs for an unmasked case without a Masking layer, as ONNX Runtime computes them on the
 * converted weights: per call `[output]` or `[output, h, c]` / `[output, h]` (spec/lstm.md §3.2,
 * spec/gru.md §3.2).
 */
export async function runConvertedInOnnxRuntime(c: LayerCase): Promise<EngineOutputs> {
  const layers = recurrentLayers(c);
  if (layers.length !== c.layers.length || c.calls.some((call) => call.mask)) throw new Error(`${c.id}: masks are ONNX's sequence_lens, not run here`);
  const last = layers.at(-1)!;
  const carried: ({ h: Float32Array; c?: Float32Array } | undefined)[] = layers.map(() => undefined);
  const sessions = new Map<string, ort.InferenceSession>();
  const results: Tensor[][] = [];
  try {
    for (const call of c.calls) {
      const [B, T, D] = call.x.shape as [number, number, number];
      const key = `${B}x${T}x${D}`;
      let session = sessions.get(key);
      if (!session) {
        session = await ort.InferenceSession.create(buildModel(layers, c.dialect, B, T, D), { executionProviders: ["wasm"], logSeverityLevel: 3 });
        sessions.set(key, session);
      }
      const feeds: Record<string, ort.Tensor> = { X: new ort.Tensor("float32", timeMajor(call.x), [T, B, D]) };
      layers.forEach((layer, k) => {
        const H = layer.config.units;
        const given = k === 0 ? call.initialState : undefined; // initial_state goes to the first layer (spec/lstm.md §3.4)
        const zeros = new Float32Array(B * H);
        const state = (i: number, kept: Float32Array | undefined) => new ort.Tensor("float32", given ? Float32Array.from(given[i]!.data) : (kept ?? zeros), [1, B, H]);
        feeds[`h0_${k}`] = state(0, carried[k]?.h);
        if (layer.className === "LSTM") feeds[`c0_${k}`] = state(1, carried[k]?.c);
      });
      const out = await session.run(feeds);
      layers.forEach((layer, k) => {
        if (!layer.config.stateful) return;
        const h = out[`Y_h_${k}`]!.data as Float32Array;
        const cs = layer.className === "LSTM" ? (out[`Y_c_${k}`]!.data as Float32Array) : undefined;
        carried[k] = { h: Float32Array.from(h), ...(cs ? { c: Float32Array.from(cs) } : {}) };
      });
      const n = layers.length - 1;
      const H = last.config.units;
      const seq = kerasSequence(out[`Y_${n}`]!.data as Float32Array, B, T, H, last.config.go_backwards);
      const lastStep: Tensor = { shape: [B, H], data: new Float32Array(B * H) };
      for (let b = 0; b < B; b++) lastStep.data.set(seq.data.subarray((b * T + T - 1) * H, (b * T + T) * H), b * H);
      const output = last.config.return_sequences ? seq : lastStep;
      const state = (name: string): Tensor => ({ shape: [B, H], data: Float32Array.from(out[name]!.data as Float32Array) });
      results.push(last.config.return_state ? [output, state(`Y_h_${n}`), ...(last.className === "LSTM" ? [state(`Y_c_${n}`)] : [])] : [output]);
    }
  } finally {
    for (const s of sessions.values()) await s.release();
  }
  return results;
}
