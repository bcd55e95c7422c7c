/**
 * Gradients from a layer engine (spec/gradients.md §7.2): the engine implements one layer call's
 * backward per cell (`lstmGradients`, `gruGradients`, `simpleRnnGradients`) and the suite composes
 * the model around it — the forward with the engine's own layer functions and reference/model.ts's
 * `composeModel` (to know every layer's input and carried state), then the backward with
 * reference/gradients/model.ts's `backwardModel`, the routing the reference itself uses. Every reply
 * is checked for the shapes the routing reads before it is used: a wrong shape is an engine error
 * naming the function, the layer and the call, never a silently misread gradient.
 */
import { composeModel, type ComposableCall, type LayerReply } from "../../reference/model.ts";
import { backwardModel, type BackwardReply, type ForwardRun } from "../../reference/gradients/model.ts";
import type { Layer, RecurrentLayer } from "../case.ts";
import { cellOf } from "../cells.ts";
import type { EngineGradients, LayerGradients, LayerTensor, RecurrentGradientCall, RecurrentLayerCall, RecurrentLayerOutputs } from "../engine.ts";
import type { GradientRequest } from "../gradients/case.ts";
import { formatShape, sameShape, sizeOf, type Tensor } from "../tensor.ts";
import { describeLayerCall, layerCallOf, replyFrom, type Values } from "./layer-engine.ts";

/** The gradient function of a layer engine that computes each cell (spec/gradients.md §7.2). */
export const GRADIENT_FUNCTION_OF = { LSTM: "lstmGradients", GRU: "gruGradients", SimpleRNN: "simpleRnnGradients" } as const;

export interface LayerGradientOptions {
  /** How messages name the backward; default the layer engine's function, e.g. "gruGradients()". */
  readonly caller?: string;
}

interface Recorded {
  readonly call: RecurrentLayerCall;
  readonly layer: RecurrentLayer;
  readonly outputShape: readonly number[];
}

const f32 = (shape: readonly number[], data: ArrayLike<number>): Tensor => ({ shape: [...shape], data: Float32Array.from(data) });

function isFloatTensor(t: unknown): t is LayerTensor {
  if (typeof t !== "object" || t === null) return false;
  const { shape, data } = t as { shape?: unknown; data?: unknown };
  return Array.isArray(shape) && (data instanceof Float32Array || data instanceof Float64Array) && data.length === sizeOf(shape as number[]);
}

/** A tensor of the reply, checked for its Keras shape, as float64 for the routing. */
function read(value: unknown, name: string, shape: readonly number[], where: string): Float64Array {
  if (!isFloatTensor(value)) throw new Error(`${where}: ${name} must be a tensor { shape, data: Float32Array | Float64Array } of shape ${formatShape(shape)} (spec/gradients.md §7.2), got ${value === undefined ? "nothing" : "something else"}`);
  if (!sameShape(value.shape, shape)) throw new Error(`${where}: ${name} must have Keras's shape ${formatShape(shape)}, got ${formatShape(value.shape)} (spec/gradients.md §2.2)`);
  return Float64Array.from(value.data);
}

/** The backward reply as the routing needs it: every tensor in its Keras shape, bias exactly with use_bias, initial state when the call had one. */
function backwardReplyFrom(r: unknown, call: RecurrentGradientCall, layer: RecurrentLayer, where: string): BackwardReply {
  if (typeof r !== "object" || r === null) throw new Error(`${where} returned ${String(r)}; expected { kernel, recurrent_kernel, bias?, x, initialState? } (spec/gradients.md §7.2)`);
  const g = r as Partial<Record<keyof LayerGradients, unknown>>;
  const [B = 0, T = 0, D = 0] = call.x.shape;
  const cell = cellOf(layer);
  const shapes = new Map(cell.weights(layer.config, D).map((w) => [w.name, w.shape]));
  const bias = shapes.get("bias");
  if (bias === undefined && g.bias !== undefined) throw new Error(`${where}: returned a bias gradient, but the layer has no bias (use_bias=False)`);
  const u = layer.config.units;
  let initialState: Float64Array[] | undefined;
  if (call.initialState) {
    if (!Array.isArray(g.initialState) || g.initialState.length !== cell.states.length) {
      throw new Error(`${where}: initialState must be the gradients of [${cell.states.map((s) => `${s}0`).join(", ")}], each (${B}, ${u}), as the call had an initial state (spec/gradients.md §7.2)`);
    }
    initialState = g.initialState.map((s: unknown, k) => read(s, `initialState[${k}]`, [B, u], where));
  }
  return {
    weights: {
      kernel: read(g.kernel, "kernel", shapes.get("kernel")!, where),
      recurrent_kernel: read(g.recurrent_kernel, "recurrent_kernel", shapes.get("recurrent_kernel")!, where),
      bias: bias ? read(g.bias, "bias", bias, where) : null,
    },
    x: read(g.x, "x", [B, T, D], where),
    ...(initialState ? { initialState } : {}),
  };
}

/**
 * Computes a gradient request with a layer engine's forward (`forward`) and backward (`backward`)
 * functions: the suite composes the model both ways. The forward carries a stateful layer's state
 * itself and the backward is given it explicitly (zeros on call 0): for gradients the engine keeps no
 * state (spec/gradients.md §3.4, §7.2).
 */
export async function layerGradients(
  c: GradientRequest,
  forward: (call: RecurrentLayerCall) => RecurrentLayerOutputs | Promise<RecurrentLayerOutputs>,
  backward: (call: RecurrentGradientCall) => LayerGradients | Promise<LayerGradients>,
  options: LayerGradientOptions = {},
): Promise<EngineGradients> {
  const calls = c.calls.map((call): ComposableCall<Values> => ({
    x: call.x,
    ...(call.mask ? { mask: call.mask.data } : {}),
    ...(call.initialState ? { initialState: call.initialState } : {}),
  }));
  const runs: ForwardRun<Recorded>[][] = c.calls.map(() => []);
  const model = composeModel<Layer, Values>(c.layers, calls, c.dialect, { carryState: true });
  let next = model.next();
  while (!next.done) {
    const req = next.value;
    if (req.direction) throw new Error(`layer ${req.layerIndex}: the gradients of a Bidirectional layer are not in gradient format 1 (spec/gradients.md §3.6)`);
    const call = layerCallOf(c, req);
    const reply: LayerReply<Values> = replyFrom(await forward(call), req.layer, req.x, describeLayerCall(undefined, req));
    runs[req.callIndex]!.push({ layerIndex: req.layerIndex, hasInitialState: req.initialState !== undefined, record: { call, layer: req.layer, outputShape: reply.output.shape } });
    next = model.next(reply);
  }
  const outputs = next.value.map((outs) => outs.map((o) => ({ shape: o.shape, data: Float64Array.from(o.data) })));
  const routing = backwardModel(
    c.layers,
    c.calls.map((call, n) => ({ x: call.x.data, shape: call.x.shape as unknown as readonly [number, number, number], cotangents: (c.cotangents[n] ?? []).map((t) => t.data) })),
    runs,
    outputs,
  );
  let step = routing.next();
  while (!step.done) {
    const { record, cotangents, callIndex } = step.value;
    const { call, layer, outputShape } = record;
    const [B = 0] = call.x.shape;
    const u = layer.config.units;
    const cell = cellOf(layer);
    // spec/gradients.md §3.4: a stateful layer's state is an input of the call, given explicitly (zeros before the first call).
    const initialState = call.initialState ?? (layer.config.stateful ? cell.states.map(() => f32([B, u], new Float32Array(B * u))) : undefined);
    const states = Object.fromEntries(cell.states.map((s, k) => [s, f32([B, u], cotangents.states[k]!)]));
    const gradientCall = { ...call, ...(initialState ? { initialState } : {}), cotangents: { output: f32(outputShape, cotangents.output), ...states } } as RecurrentGradientCall;
    const caller = options.caller ?? `${GRADIENT_FUNCTION_OF[layer.className]}()`;
    const where = `${caller} for layer ${call.layerIndex}, call ${callIndex}`;
    step = routing.next(backwardReplyFrom(await backward(gradientCall), gradientCall, layer, where));
  }
  return step.value.map((g) => ({ layers: g.layers, x: g.x, ...(g.initialState ? { initialState: g.initialState } : {}), outputs: g.outputs }));
}
