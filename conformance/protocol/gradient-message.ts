/**
 * The gradient messages of protocol 3 (spec/gradients.md §7.3, spec/adapter.md §8.11): `gradients` →
 * `gradients_result` for model engines, `layer_gradients` → `layer_gradients_result` for layer
 * engines. Both sides are here — the runner's (process.ts) and an engine's written in TypeScript (the
 * tests' engines) — so the round trip is tested. Answers use the gradient fixture's encoding (§5.2):
 * weights named as the layer's weights, so an engine reads and writes them with its fixture code.
 */
import type { EngineGradients, LayerGradients, LayerTensor, RecurrentGradientCall } from "../engine.ts";
import type { GradientAnswer, GradientRequest } from "../gradients/case.ts";
import type { Tensor } from "../tensor.ts";
import { caseFromRun } from "./case-from-run.ts";
import { layerCallFromMessage, layerCallMessage } from "./layer-message.ts";
import type { GradientsMessage, GradientsResultMessage, LayerGradientsMessage, LayerGradientsResultMessage, WireCallGradients, WireFloatTensor } from "./messages.ts";
import { runMessage } from "./run-message.ts";
import { tensorFromWire, tensorToWire } from "./wire-tensor.ts";

const WEIGHT_NAMES = ["kernel", "recurrent_kernel", "bias"] as const;

/** Named weight tensors → { kernel, recurrent_kernel, bias? }; each name at most once, kernel and recurrent_kernel required. */
function weightGradientsFromWire(value: unknown, path: string): { kernel: Tensor; recurrent_kernel: Tensor; bias?: Tensor } {
  if (!Array.isArray(value)) throw new Error(`${path} must be a list of tensors named kernel, recurrent_kernel and (with use_bias) bias`);
  const byName = new Map<string, Tensor>();
  value.forEach((w: unknown, k) => {
    const name = (w as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || !(WEIGHT_NAMES as readonly string[]).includes(name)) throw new Error(`${path}/${k}: "name" must be one of ${WEIGHT_NAMES.join(", ")}, got ${JSON.stringify(name)}`);
    if (byName.has(name)) throw new Error(`${path}/${k}: a second tensor named ${name}`);
    byName.set(name, tensorFromWire(w, `${path}/${k}`));
  });
  const kernel = byName.get("kernel");
  const recurrent = byName.get("recurrent_kernel");
  if (kernel === undefined || recurrent === undefined) throw new Error(`${path}: needs tensors named "kernel" and "recurrent_kernel"`);
  const bias = byName.get("bias");
  return { kernel, recurrent_kernel: recurrent, ...(bias ? { bias } : {}) };
}

function statesFromWire(value: unknown, path: string): Tensor[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new Error(`${path} must be a list of tensors`);
  return value.map((t: unknown, k) => tensorFromWire(t, `${path}/${k}`));
}

// ---- runner side -------------------------------------------------------------------------------

/** The `gradients` message for a request: `run`'s fields plus the cotangents. */
export function gradientsMessage(req: GradientRequest): GradientsMessage {
  const { type: _, ...run } = runMessage(req);
  return { type: "gradients", ...run, cotangents: req.cotangents.map((call) => call.map((t) => tensorToWire(t))) };
}

/**
 * A `gradients_result` as the engine's answers, one per call. Every tensor is checked to fill its
 * shape and named; what the answers say is judged by compareGradients, not here.
 */
export function gradientsFromWire(m: Record<string, unknown>, calls: number): EngineGradients {
  const gradients = m["gradients"];
  if (!Array.isArray(gradients) || gradients.length !== calls) {
    throw new Error(`/gradients must hold one entry per call (${calls}), got ${Array.isArray(gradients) ? gradients.length : JSON.stringify(gradients)?.slice(0, 80)}`);
  }
  const outputs = m["outputs"];
  if (outputs !== undefined && (!Array.isArray(outputs) || outputs.length !== calls)) throw new Error(`/outputs, when given, must hold one list per call (${calls})`);
  return gradients.map((g: unknown, n): GradientAnswer<LayerTensor> => {
    const at = `/gradients/${n}`;
    const call = (typeof g === "object" && g !== null ? g : {}) as Partial<Record<keyof WireCallGradients, unknown>>;
    if (!Array.isArray(call.layers)) throw new Error(`${at}/layers must be a list of { layer, weights }`);
    const layers = call.layers.map((l: unknown, k) => {
      const layer = (l as { layer?: unknown } | null)?.layer;
      if (!Number.isInteger(layer)) throw new Error(`${at}/layers/${k}/layer must be the layer's index in the case's layers`);
      return { layer: layer as number, ...weightGradientsFromWire((l as { weights?: unknown }).weights, `${at}/layers/${k}/weights`) };
    });
    const initialState = statesFromWire(call.initial_state, `${at}/initial_state`);
    const out = Array.isArray(outputs) ? statesFromWire(outputs[n], `/outputs/${n}`) : undefined;
    return { layers, x: tensorFromWire(call.x, `${at}/x`), ...(initialState ? { initialState } : {}), ...(out ? { outputs: out } : {}) };
  });
}

/** The `layer_gradients` message for a layer call's backward: `layer_call`'s fields plus the cotangents. */
export function layerGradientsMessage(id: string, call: RecurrentGradientCall): LayerGradientsMessage {
  const { type: _, ...fields } = layerCallMessage(id, call);
  const cot = call.cotangents as { output: Tensor; h: Tensor; c?: Tensor };
  return { type: "layer_gradients", ...fields, cotangents: { output: tensorToWire(cot.output), h: tensorToWire(cot.h), ...(cot.c ? { c: tensorToWire(cot.c) } : {}) } };
}

/** A `layer_gradients_result` as the layer's gradients; shapes are checked by the composition (layer-gradients.ts). */
export function layerGradientsFromWire(m: Record<string, unknown>): LayerGradients {
  const initialState = statesFromWire(m["initial_state"], "/initial_state");
  return { ...weightGradientsFromWire(m["weights"], "/weights"), x: tensorFromWire(m["x"], "/x"), ...(initialState ? { initialState } : {}) };
}

// ---- engine side -------------------------------------------------------------------------------

/** The request a `gradients` message describes. */
export function requestFromGradientsMessage(m: GradientsMessage): GradientRequest {
  const { cotangents, ...run } = m;
  return { ...caseFromRun({ ...run, type: "run" }), cotangents: cotangents.map((call, n) => call.map((t, k) => tensorFromWire(t, `/cotangents/${n}/${k}`))) };
}

const named = (t: LayerTensor, name: string): WireFloatTensor => tensorToWire(t, name);

/** The reply to `gradients` message `id`. */
export function gradientsResultMessage(id: string, answers: EngineGradients): GradientsResultMessage {
  const withOutputs = answers.every((a) => a.outputs !== undefined);
  return {
    type: "gradients_result",
    id,
    gradients: answers.map((a) => ({
      layers: a.layers.map((l) => ({ layer: l.layer, weights: [named(l.kernel, "kernel"), named(l.recurrent_kernel, "recurrent_kernel"), ...(l.bias ? [named(l.bias, "bias")] : [])] })),
      x: tensorToWire(a.x),
      ...(a.initialState ? { initial_state: a.initialState.map((s) => tensorToWire(s)) } : {}),
    })),
    ...(withOutputs && answers.length > 0 ? { outputs: answers.map((a) => a.outputs!.map((o) => tensorToWire(o))) } : {}),
  };
}

/** The layer call and cotangents a `layer_gradients` message describes. */
export function layerGradientCallFromMessage(m: LayerGradientsMessage): RecurrentGradientCall {
  const { cotangents, ...fields } = m;
  const call = layerCallFromMessage({ ...fields, type: "layer_call" });
  const c = cotangents.c === undefined ? {} : { c: tensorFromWire(cotangents.c, "/cotangents/c") };
  return { ...call, cotangents: { output: tensorFromWire(cotangents.output, "/cotangents/output"), h: tensorFromWire(cotangents.h, "/cotangents/h"), ...c } } as RecurrentGradientCall;
}

/** The reply to `layer_gradients` message `id`. */
export function layerGradientsResultMessage(id: string, g: LayerGradients, notes?: readonly string[]): LayerGradientsResultMessage {
  return {
    type: "layer_gradients_result",
    id,
    weights: [named(g.kernel, "kernel"), named(g.recurrent_kernel, "recurrent_kernel"), ...(g.bias ? [named(g.bias, "bias")] : [])],
    x: tensorToWire(g.x),
    ...(g.initialState ? { initial_state: g.initialState.map((s) => tensorToWire(s)) } : {}),
    ...(notes !== undefined ? { notes } : {}),
  };
}
