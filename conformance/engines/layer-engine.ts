/**
 * Layer engines (spec/adapter.md §1.2): the engine implements one recurrent layer call per cell it
 * has — `lstm`, `gru`, `simpleRnn` — and the suite composes the model around it with the reference's
 * own rules (`composeModel`, reference/model.ts): the Masking layer, stacks (mixed ones too) and the
 * mask they pass down, initial_state, stateful calls, what is returned (spec/lstm.md §3). Used for
 * in-process engines (`layerEngine`) and protocol engines that say `"kind": "layer"` in their hello
 * (process.ts, spec/adapter.md §8.9). What a call holds and a reply must hold per cell — the state
 * list [h, c] or [h] — is the cell's descriptor (conformance/cells.ts).
 */
import { composeModel, type ComposableCall, type LayerReply, type LayerRequest, type ModelTensor } from "../../reference/model.ts";
import type { Layer, LayerCase, RecurrentLayer } from "../case.ts";
import { CELL_FEATURES, CELL_LIST, CELL_OPTION_FEATURES, cellOf, type CellClassName, type CellDescriptor } from "../cells.ts";
import {
  UnsupportedCaseError,
  type Engine,
  type EngineOutputs,
  type Feature,
  type LayerEngine,
  type LayerGradients,
  type RecurrentGradientCall,
  type LayerTensor,
  type RecurrentLayerCall,
  type RecurrentLayerOutputs,
} from "../engine.ts";
import { BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE } from "../features.ts";
import type { GradientRequest } from "../gradients/case.ts";
import { GRADIENT_FUNCTION_OF, layerGradients } from "./layer-gradients.ts";
import { CORE_FEATURES } from "../levels.ts";
import { formatShape, sizeOf, type Tensor } from "../tensor.ts";

export type Values = Float32Array | Float64Array;

/** Features that describe one layer call; the others are the model's, which the suite composes. */
const LAYER_FEATURES: readonly Feature[] = ["go_backwards", "mask", "initial_state", "zero_output_for_mask", "use_bias_false", "dialect:tf-keras", ...CELL_FEATURES, ...CELL_OPTION_FEATURES];

const isLayerFeature = (f: Feature): boolean => LAYER_FEATURES.includes(f) || /^(activation|recurrent_activation):/.test(f);

/**
 * What a composed engine declares (spec/adapter.md §1.2): the layer's own features (its cells among
 * them), plus what the composition provides — the outputs (`return_sequences`, `return_state`: the
 * layer always returns its output and state), `stacked`, `masking_layer` when the layer takes a
 * mask, `stateful` when it takes an initial state (the suite hands back the last final state) or
 * keeps state itself, `bidirectional` when it goes backwards.
 */
export function layerEngineFeatures(layer: readonly Feature[]): Feature[] {
  const own = layer.filter(isLayerFeature);
  const composed: Feature[] = ["return_sequences", "return_state", "stacked"];
  // spec/bidirectional.md: the wrapper is two layer calls, the backward one with go_backwards, then a merge.
  if (layer.includes("go_backwards")) composed.push(BIDIRECTIONAL_FEATURE);
  if (layer.includes("mask")) composed.push("masking_layer");
  if (layer.includes("initial_state") || layer.includes("stateful")) composed.push("stateful");
  return [...new Set([...own, ...composed])];
}

/** Whether the layer keeps stateful layers' state itself (it declares `stateful`), so the suite must not carry it. */
export const keepsOwnState = (layer: readonly Feature[]): boolean => layer.includes("stateful");

/** The function of a layer engine that computes each cell (spec/adapter.md §1.2). */
const FUNCTION_OF: Readonly<Record<CellClassName, "lstm" | "gru" | "simpleRnn">> = { LSTM: "lstm", GRU: "gru", SimpleRNN: "simpleRnn" };

/** Engines receive float32 (spec/adapter.md §1): a sequence or a state a layer returned in float64 is rounded, as Keras's float32 pipeline does. */
const float32 = (t: ModelTensor): Tensor => (t.data instanceof Float32Array ? (t as Tensor) : { shape: t.shape, data: Float32Array.from(t.data) });

function isFloatTensor(t: unknown): t is LayerTensor {
  if (typeof t !== "object" || t === null) return false;
  const { shape, data } = t as { shape?: unknown; data?: unknown };
  return Array.isArray(shape) && (data instanceof Float32Array || data instanceof Float64Array) && data.length === sizeOf(shape as number[]);
}

/**
 * The layer's reply as the model needs it: the output and the cell's states in its order. Only what
 * the composition reads is checked here; the outputs the case returns are checked by the runner
 * like any engine's (spec/adapter.md §3).
 */
export function replyFrom(r: unknown, layer: RecurrentLayer, x: ModelTensor, where: string): LayerReply<Values> {
  const cell = cellOf(layer);
  const fields = cell.states.join(", ");
  const expected = `expected { sequence, ${fields} } or { output, ${fields} } (spec/adapter.md §1.2)`;
  if (typeof r !== "object" || r === null) throw new Error(`${where} returned ${String(r)}; ${expected}`);
  const reply = r as Partial<Record<"sequence" | "output" | "h" | "c", unknown>>;
  const { sequence, output } = reply;
  if ((sequence === undefined) === (output === undefined)) throw new Error(`${where} returned ${sequence === undefined ? "neither sequence nor output" : "both sequence and output"}; ${expected}`);
  const states = cell.states.map((s) => reply[s]);
  if (!states.every(isFloatTensor)) {
    throw new Error(`${where} must return the final state ${cell.states.join(" and ")} as ${cell.states.length > 1 ? "tensors" : "a tensor"} { shape, data: Float32Array | Float64Array }; ${expected}`);
  }
  // spec/gru.md §3.2: a GRU (or SimpleRNN) has one state; a c in its reply is a sign the engine ran another cell.
  if (!cell.states.includes("c") && reply.c !== undefined) throw new Error(`${where} returned a c, but a ${cell.className} has only the state h (${cell.chapter} §3.2); ${expected}`);
  if (output !== undefined) return { output: output as LayerTensor, states };
  const [B = 0, T = 0] = x.shape;
  const u = layer.config.units;
  if (!isFloatTensor(sequence) || sequence.shape.length !== 3 || sequence.shape[0] !== B || sequence.shape[1] !== T || sequence.shape[2] !== u) {
    const got = isFloatTensor(sequence) ? `shape ${formatShape(sequence.shape)}` : "something that is not a tensor { shape, data: Float32Array | Float64Array } whose data fills its shape";
    throw new Error(`${where}: sequence must be (batch, timesteps, units) = ${formatShape([B, T, u])}, got ${got}`);
  }
  if (layer.config.return_sequences) return { output: sequence, states };
  // The last output is the last processed step's, masked or zeroed steps included (spec/lstm.md §3.1, §3.5.2, §3.5.4).
  const last = sequence.data instanceof Float64Array ? new Float64Array(B * u) : new Float32Array(B * u);
  for (let b = 0; b < B; b++) last.set(sequence.data.subarray((b * T + T - 1) * u, (b * T + T) * u), b * u);
  return { output: { shape: [B, u], data: last }, states };
}

export function layerCallOf(c: LayerCase, req: LayerRequest<Layer, Values>): RecurrentLayerCall {
  const [B = 0, T = 0] = req.x.shape;
  const common = {
    dialect: c.dialect,
    x: float32(req.x),
    ...(req.mask ? { mask: { shape: [B, T], data: req.mask } } : {}),
    caseId: c.id,
    layerIndex: req.layerIndex,
    callIndex: req.callIndex,
    ...(req.direction ? { direction: req.direction } : {}),
  };
  const state = req.initialState?.map(float32);
  const layer = req.layer;
  // The state list has the cell's arity: composeModel hands back what this layer returned, and the
  // loader checked a case's initial_state against the first layer's cell (spec/lstm.md §3.4, spec/gru.md §3.4).
  switch (layer.className) {
    case "LSTM":
      return { className: "LSTM", config: layer.config, weights: layer.weights, ...common, ...(state ? { initialState: [state[0]!, state[1]!] as const } : {}) };
    case "GRU":
      return { className: "GRU", config: layer.config, weights: layer.weights, ...common, ...(state ? { initialState: [state[0]!] as const } : {}) };
    case "SimpleRNN":
      return { className: "SimpleRNN", config: layer.config, weights: layer.weights, ...common, ...(state ? { initialState: [state[0]!] as const } : {}) };
  }
}

/** How messages name a layer call's reply: `lstm() for layer 1 (backward), call 0`. */
export function describeLayerCall(caller: string | undefined, req: LayerRequest<Layer, Values>): string {
  return `${caller ?? `${FUNCTION_OF[req.layer.className]}()`} for layer ${req.layerIndex}${req.direction ? ` (${req.direction})` : ""}, call ${req.callIndex}`;
}

export interface RunLayersOptions {
  /** False when the layer keeps stateful layers' state itself (it declares `stateful`). */
  readonly carryState: boolean;
  /** How messages name what returned a bad reply; default the layer engine's function, e.g. "gru()". */
  readonly caller?: string;
}

/** Computes a case with a layer function: the suite composes the model, `compute` computes each layer call (any cell). */
export async function runLayers(
  c: LayerCase,
  compute: (call: RecurrentLayerCall) => RecurrentLayerOutputs | Promise<RecurrentLayerOutputs>,
  options: RunLayersOptions,
): Promise<EngineOutputs> {
  const calls = c.calls.map((call): ComposableCall<Values> => ({
    x: call.x,
    ...(call.mask ? { mask: call.mask.data } : {}),
    ...(call.initialState ? { initialState: call.initialState } : {}),
  }));
  const model = composeModel<Layer, Values>(c.layers, calls, c.dialect, { carryState: options.carryState });
  let next = model.next();
  while (!next.done) {
    const req = next.value;
    const reply = await compute(layerCallOf(c, req));
    next = model.next(replyFrom(reply, req.layer, req.x, describeLayerCall(options.caller, req)));
  }
  // Float64 outputs are valid outputs (spec/adapter.md §3), though EngineOutputs names only Float32Array.
  return next.value as EngineOutputs;
}

/** The cells a layer engine has a function for, LSTM first. */
export const layerEngineCells = (def: LayerEngine): CellDescriptor[] => CELL_LIST.filter((cell) => typeof def[FUNCTION_OF[cell.className]] === "function");

/**
 * The features a layer engine declares for its cells: one `cell:*` per function it has — none for an
 * engine with `lstm` only, which implements the LSTM as every engine that names no cell does
 * (features.ts `implementedFeatures`), so that its features read as before GRU and SimpleRNN.
 * A `cell:*` it lists without the function is a mistake the definition is refused for.
 */
function cellFeaturesOf(def: LayerEngine, declared: readonly Feature[]): Feature[] {
  const cells = layerEngineCells(def);
  if (cells.length === 0) throw new Error(`layer engine "${def.name}" has none of lstm(), gru(), simpleRnn(): it computes no layer (spec/adapter.md §1.2)`);
  for (const cell of CELL_LIST) {
    if (declared.includes(cell.feature) && !cells.includes(cell)) throw new Error(`layer engine "${def.name}" declares ${cell.feature} but has no ${FUNCTION_OF[cell.className]}() (spec/adapter.md §1.2)`);
  }
  return cells.length === 1 && cells[0]!.className === "LSTM" ? [] : cells.map((cell) => cell.feature);
}

/**
 * The backward of a layer engine (spec/gradients.md §7.2), or undefined when it has no gradient
 * function. A gradient function without the cell's forward, or `gradients` declared without any
 * gradient function, is a mistake the definition is refused for.
 */
function gradientFunctionsOf(def: LayerEngine, declared: readonly Feature[]): ((call: RecurrentGradientCall) => LayerGradients | Promise<LayerGradients>) | undefined {
  const has = CELL_LIST.filter((cell) => typeof def[GRADIENT_FUNCTION_OF[cell.className]] === "function");
  if (has.length === 0) {
    if (declared.includes(GRADIENTS_FEATURE)) throw new Error(`layer engine "${def.name}" declares gradients but has none of lstmGradients(), gruGradients(), simpleRnnGradients() (spec/gradients.md §7.2)`);
    return undefined;
  }
  for (const cell of has) {
    if (typeof def[FUNCTION_OF[cell.className]] !== "function") throw new Error(`layer engine "${def.name}" has ${GRADIENT_FUNCTION_OF[cell.className]}() but no ${FUNCTION_OF[cell.className]}(): the suite runs the forward with it (spec/gradients.md §7.2)`);
  }
  return (call) => {
    switch (call.className) {
      case "LSTM":
        if (def.lstmGradients) return def.lstmGradients(call);
        break;
      case "GRU":
        if (def.gruGradients) return def.gruGradients(call);
        break;
      case "SimpleRNN":
        if (def.simpleRnnGradients) return def.simpleRnnGradients(call);
        break;
    }
    throw new UnsupportedCaseError(`the layer engine has no ${GRADIENT_FUNCTION_OF[call.className]}(): it does not compute the ${call.className} layer's gradients`);
  };
}

/**
 * Makes an Engine of a layer engine (spec/adapter.md §1.2):
 *
 * ```ts
 * export default layerEngine({ name: "my-lstm", version: "1.0.0", lstm: ({ config, weights, x }) => ({ sequence, h, c }) });
 * export default layerEngine({ name: "my-rnns", version: "1.0.0", lstm, gru: ({ config, weights, x }) => ({ sequence, h }) });
 * ```
 */
export function layerEngine(def: LayerEngine): Engine {
  const declared = def.features ?? CORE_FEATURES;
  const cells = cellFeaturesOf(def, declared);
  const carryState = !keepsOwnState(declared);
  const compute = (call: RecurrentLayerCall): RecurrentLayerOutputs | Promise<RecurrentLayerOutputs> => {
    // Only reached for a cell the engine has (its features say which), unless run() is called directly.
    const missing = (): never => {
      throw new UnsupportedCaseError(`the layer engine has no ${FUNCTION_OF[call.className]}(): it does not implement the ${call.className} layer`);
    };
    switch (call.className) {
      case "LSTM":
        return def.lstm ? def.lstm(call) : missing();
      case "GRU":
        return def.gru ? def.gru(call) : missing();
      case "SimpleRNN":
        return def.simpleRnn ? def.simpleRnn(call) : missing();
    }
  };
  const backward = gradientFunctionsOf(def, declared);
  const engine: Engine = {
    name: def.name,
    version: def.version,
    features: [...layerEngineFeatures([...new Set([...declared, ...cells])]), ...(backward ? [GRADIENTS_FEATURE] : [])],
    run: (c) => runLayers(c, compute, { carryState }),
    ...(backward ? { gradients: (req: GradientRequest) => layerGradients(req, compute, backward) } : {}),
  };
  return def.close === undefined ? engine : { ...engine, close: () => def.close!() };
}

/** Whether `value` looks like a layer engine definition: what `--engine` accepts besides an Engine (registry.ts). */
export function isLayerEngine(value: unknown): value is LayerEngine {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  return e["run"] === undefined && Object.values(FUNCTION_OF).some((f) => typeof e[f] === "function");
}
