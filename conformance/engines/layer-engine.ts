/**
 * Layer engines (spec/adapter.md §1.2): the engine implements one LSTM layer call, the suite composes
 * the model around it with the reference's own rules (`composeModel`, reference/model.ts): the
 * Masking layer, stacks and the mask they pass down, initial_state, stateful calls, what is returned
 * (spec/lstm.md §3). Used for in-process engines (`layerEngine`) and protocol engines that say
 * `"kind": "layer"` in their hello (process.ts, spec/adapter.md §8.9).
 */
import { composeModel, type ComposableCall, type LayerReply, type LayerRequest, type ModelTensor } from "../../reference/model.ts";
import type { Layer, LayerCase } from "../case.ts";
import type { Engine, EngineOutputs, Feature, LayerEngine, LayerTensor, LstmLayerCall, LstmLayerOutputs } from "../engine.ts";
import { CORE_FEATURES } from "../levels.ts";
import { formatShape, sizeOf, type Tensor } from "../tensor.ts";

type Values = Float32Array | Float64Array;

/** Features that describe one layer call; the others are the model's, which the suite composes. */
const LAYER_FEATURES: readonly Feature[] = ["go_backwards", "mask", "initial_state", "zero_output_for_mask", "use_bias_false", "dialect:tf-keras"];

const isLayerFeature = (f: Feature): boolean => LAYER_FEATURES.includes(f) || /^(activation|recurrent_activation):/.test(f);

/**
 * What a composed engine declares (spec/adapter.md §1.2): the layer's own features, plus what the
 * composition provides — the outputs (`return_sequences`, `return_state`: the layer always returns
 * its output and state), `stacked`, `masking_layer` when the layer takes a mask, `stateful` when it
 * takes an initial state (the suite hands back the last final state) or keeps state itself.
 */
export function layerEngineFeatures(layer: readonly Feature[]): Feature[] {
  const own = layer.filter(isLayerFeature);
  const composed: Feature[] = ["return_sequences", "return_state", "stacked"];
  if (layer.includes("mask")) composed.push("masking_layer");
  if (layer.includes("initial_state") || layer.includes("stateful")) composed.push("stateful");
  return [...new Set([...own, ...composed])];
}

/** Whether the layer keeps stateful layers' state itself (it declares `stateful`), so the suite must not carry it. */
export const keepsOwnState = (layer: readonly Feature[]): boolean => layer.includes("stateful");

/** Engines receive float32 (spec/adapter.md §1): a sequence or a state a layer returned in float64 is rounded, as Keras's float32 pipeline does. */
const float32 = (t: ModelTensor): Tensor => (t.data instanceof Float32Array ? (t as Tensor) : { shape: t.shape, data: Float32Array.from(t.data) });

function isFloatTensor(t: unknown): t is LayerTensor {
  if (typeof t !== "object" || t === null) return false;
  const { shape, data } = t as { shape?: unknown; data?: unknown };
  return Array.isArray(shape) && (data instanceof Float32Array || data instanceof Float64Array) && data.length === sizeOf(shape as number[]);
}

/**
 * The layer's reply as the model needs it. Only what the composition reads is checked here; the
 * outputs the case returns are checked by the runner like any engine's (spec/adapter.md §3).
 */
function replyFrom(r: unknown, layer: Extract<Layer, { className: "LSTM" }>, x: ModelTensor, where: string): LayerReply<Values> {
  const expected = "expected { sequence, h, c } or { output, h, c } (spec/adapter.md §1.2)";
  if (typeof r !== "object" || r === null) throw new Error(`${where} returned ${String(r)}; ${expected}`);
  const { sequence, output, h, c } = r as Partial<Record<"sequence" | "output" | "h" | "c", unknown>>;
  if ((sequence === undefined) === (output === undefined)) throw new Error(`${where} returned ${sequence === undefined ? "neither sequence nor output" : "both sequence and output"}; ${expected}`);
  if (!isFloatTensor(h) || !isFloatTensor(c)) throw new Error(`${where} must return the final state h and c as tensors { shape, data: Float32Array | Float64Array }; ${expected}`);
  if (output !== undefined) return { output: output as LayerTensor, h, c };
  const [B = 0, T = 0] = x.shape;
  const u = layer.config.units;
  if (!isFloatTensor(sequence) || sequence.shape.length !== 3 || sequence.shape[0] !== B || sequence.shape[1] !== T || sequence.shape[2] !== u) {
    const got = isFloatTensor(sequence) ? `shape ${formatShape(sequence.shape)}` : "something that is not a tensor { shape, data: Float32Array | Float64Array } whose data fills its shape";
    throw new Error(`${where}: sequence must be (batch, timesteps, units) = ${formatShape([B, T, u])}, got ${got}`);
  }
  if (layer.config.return_sequences) return { output: sequence, h, c };
  // The last output is the last processed step's, masked or zeroed steps included (spec/lstm.md §3.1, §3.5.2, §3.5.4).
  const last = sequence.data instanceof Float64Array ? new Float64Array(B * u) : new Float32Array(B * u);
  for (let b = 0; b < B; b++) last.set(sequence.data.subarray((b * T + T - 1) * u, (b * T + T) * u), b * u);
  return { output: { shape: [B, u], data: last }, h, c };
}

function layerCall(c: LayerCase, req: LayerRequest<Layer, Values>): LstmLayerCall {
  const [B = 0, T = 0] = req.x.shape;
  return {
    config: req.layer.config,
    weights: req.layer.weights,
    dialect: c.dialect,
    x: float32(req.x),
    ...(req.mask ? { mask: { shape: [B, T], data: req.mask } } : {}),
    ...(req.initialState ? { initialState: [float32(req.initialState[0]), float32(req.initialState[1])] as const } : {}),
    caseId: c.id,
    layerIndex: req.layerIndex,
    callIndex: req.callIndex,
  };
}

export interface RunLayersOptions {
  /** False when the layer keeps stateful layers' state itself (it declares `stateful`). */
  readonly carryState: boolean;
  /** How messages name what returned a bad reply; default "lstm()". */
  readonly caller?: string;
}

/** Computes a case with a layer function: the suite composes the model, `lstm` computes each layer call. */
export async function runLayers(
  c: LayerCase,
  lstm: (call: LstmLayerCall) => LstmLayerOutputs | Promise<LstmLayerOutputs>,
  options: RunLayersOptions,
): Promise<EngineOutputs> {
  const calls = c.calls.map((call): ComposableCall<Values> => ({
    x: call.x,
    ...(call.mask ? { mask: call.mask.data } : {}),
    ...(call.initialState ? { initialState: [call.initialState[0]!, call.initialState[1]!] as const } : {}),
  }));
  const model = composeModel<Layer, Values>(c.layers, calls, c.dialect, { carryState: options.carryState });
  const caller = options.caller ?? "lstm()";
  let next = model.next();
  while (!next.done) {
    const req = next.value;
    const reply = await lstm(layerCall(c, req));
    next = model.next(replyFrom(reply, req.layer, req.x, `${caller} for layer ${req.layerIndex}, call ${req.callIndex}`));
  }
  // Float64 outputs are valid outputs (spec/adapter.md §3), though EngineOutputs names only Float32Array.
  return next.value as EngineOutputs;
}

/**
 * Makes an Engine of a layer engine (spec/adapter.md §1.2):
 *
 * ```ts
 * export default layerEngine({ name: "my-lstm", version: "1.0.0", lstm: ({ config, weights, x }) => ({ sequence, h, c }) });
 * ```
 */
export function layerEngine(def: LayerEngine): Engine {
  const declared = def.features ?? CORE_FEATURES;
  const carryState = !keepsOwnState(declared);
  const engine: Engine = {
    name: def.name,
    version: def.version,
    features: layerEngineFeatures(declared),
    run: (c) => runLayers(c, (call) => def.lstm(call), { carryState }),
  };
  return def.close === undefined ? engine : { ...engine, close: () => def.close!() };
}

/** Whether `value` looks like a layer engine definition: what `--engine` accepts besides an Engine (registry.ts). */
export function isLayerEngine(value: unknown): value is LayerEngine {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e["lstm"] === "function" && e["run"] === undefined;
}
