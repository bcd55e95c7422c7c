/**
 * A model of the shapes the fixtures use (spec/lstm.md §3): an optional `Masking` layer, then one or
 * more LSTM layers, called one or more times (a `stateful` layer keeps its state between calls).
 * Configs are Keras's own `get_config()` dictionaries; missing keys take Keras 3's defaults.
 * The rules around the layers are `composeModel`, shared with the suite's layer engines
 * (conformance/engines/layer-engine.ts); `runModel` drives it with the reference's own layer.
 */
import { activationByName, type Dialect } from "./activations.ts";
import type { LstmParams, LstmState } from "./cell.ts";
import { lstmLayer } from "./layer.ts";

/** The keys of a Keras LSTM config the reference reads (others are accepted and have no effect). */
export interface KerasLstmConfig {
  readonly units: number;
  readonly activation?: string | null;
  readonly recurrent_activation?: string | null;
  readonly use_bias?: boolean;
  readonly return_sequences?: boolean;
  readonly return_state?: boolean;
  readonly go_backwards?: boolean;
  readonly stateful?: boolean;
  readonly zero_output_for_mask?: boolean;
  readonly time_major?: boolean;
  readonly [key: string]: unknown;
}

/** Weights in `get_weights()` order and Keras shapes, row-major (spec/lstm.md §1). */
export interface KerasLstmWeights {
  readonly kernel: ArrayLike<number>;
  readonly recurrent_kernel: ArrayLike<number>;
  readonly bias?: ArrayLike<number> | null;
}

export type ModelLayer =
  | { readonly className: "LSTM"; readonly config: KerasLstmConfig; readonly weights: KerasLstmWeights }
  | { readonly className: "Masking"; readonly config: { readonly mask_value?: number } };

export interface ModelCall {
  /** (batch, timesteps, inputDim), row-major. */
  readonly x: ArrayLike<number>;
  readonly shape: readonly [number, number, number];
  /** (batch, timesteps), nonzero = valid; passed to the first LSTM layer as `mask=`. */
  readonly mask?: ArrayLike<number | boolean>;
  /** [h0, c0], each (batch, units), passed to the first LSTM layer as `initial_state=`. */
  readonly initialState?: readonly [ArrayLike<number>, ArrayLike<number>];
}

export interface ReferenceTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export interface ModelCallResult {
  /** The last layer's `[output]`, or `[output, h, c]` with return_state (spec/lstm.md §3). */
  readonly outputs: readonly ReferenceTensor[];
  /** Per LSTM layer: the state after every step, (batch, timesteps, units), processing order. */
  readonly steps: readonly { readonly layer: number; readonly h: ReferenceTensor; readonly c: ReferenceTensor }[];
}

interface PreparedLstm {
  readonly index: number;
  readonly config: KerasLstmConfig;
  readonly params: LstmParams;
  readonly act: ReturnType<typeof activationByName>;
  readonly recAct: ReturnType<typeof activationByName>;
}

function prepare(index: number, layer: Extract<ModelLayer, { className: "LSTM" }>, inputDim: number, dialect: Dialect): PreparedLstm {
  const { config, weights } = layer;
  const u = config.units;
  if (config.time_major) throw new Error(`layer ${index}: time_major=true is not implemented by the reference`);
  const useBias = config.use_bias ?? true;
  const expect = (name: string, got: ArrayLike<number> | null | undefined, n: number, shape: string): Float64Array => {
    if (!got || got.length !== n) {
      throw new Error(`layer ${index}: ${name} must have shape ${shape} (${n} values), got ${got ? got.length : "none"} (spec/lstm.md §1)`);
    }
    return Float64Array.from(got);
  };
  const params: LstmParams = {
    inputDim,
    units: u,
    kernel: expect("kernel", weights.kernel, inputDim * 4 * u, `(${inputDim}, ${4 * u})`),
    recurrentKernel: expect("recurrent_kernel", weights.recurrent_kernel, u * 4 * u, `(${u}, ${4 * u})`),
    bias: useBias ? expect("bias", weights.bias, 4 * u, `(${4 * u},)`) : null,
  };
  return {
    index,
    config,
    params,
    act: activationByName(activationName(config.activation, "tanh"), dialect),
    recAct: activationByName(activationName(config.recurrent_activation, "sigmoid"), dialect),
  };
}

/** A missing key takes Keras's default; an explicit null is "linear" (keras/src/activations/__init__.py `get`). */
const activationName = (name: string | null | undefined, kerasDefault: string): string =>
  name === undefined ? kerasDefault : (name ?? "linear");

const toMask = (m: ArrayLike<number | boolean>): Uint8Array => Uint8Array.from(Array.from(m, (v) => (v ? 1 : 0)));

/** A float tensor as the model hands it from layer to layer: its shape and row-major data. */
export interface ModelTensor<F extends Float32Array | Float64Array = Float32Array | Float64Array> {
  readonly shape: readonly number[];
  readonly data: F;
}

/**
 * The layers `composeModel` routes between. Of an LSTM's config it reads only what decides the
 * routing; everything else is the layer function's business.
 */
export type ComposableLayer =
  | {
      readonly className: "LSTM";
      readonly config: { readonly return_sequences?: boolean; readonly return_state?: boolean; readonly stateful?: boolean };
    }
  | { readonly className: "Masking"; readonly config: { readonly mask_value?: number } };

/** One call of the model: x (batch, timesteps, features), and what the first LSTM layer is given. */
export interface ComposableCall<F extends Float32Array | Float64Array> {
  readonly x: ModelTensor<F>;
  /** (batch, timesteps), 1 = valid; passed as `mask=` to the first LSTM layer. */
  readonly mask?: Uint8Array;
  /** [h0, c0], each (batch, units); passed as `initial_state=` to the first LSTM layer. */
  readonly initialState?: readonly [ModelTensor<F>, ModelTensor<F>];
}

/** What the model asks of one LSTM layer in one call: the layer computes, the model does the rest. */
export interface LayerRequest<L extends ComposableLayer, F extends Float32Array | Float64Array> {
  /** The layer's position in the model's layers (Masking included). */
  readonly layerIndex: number;
  readonly callIndex: number;
  readonly layer: Extract<L, { className: "LSTM" }>;
  /** (batch, timesteps, features): the call's x, zeroed by a Masking layer, or the previous LSTM's sequence. */
  readonly x: ModelTensor<F>;
  /** (batch, timesteps), 1 = valid, in original time order even after a go_backwards layer (spec/lstm.md §3.5.6). */
  readonly mask?: Uint8Array;
  /** The call's initial_state (first LSTM only), or the state a stateful layer kept from the previous call. */
  readonly initialState?: readonly [ModelTensor<F>, ModelTensor<F>];
}

/** What the layer returns: its output as Keras returns it (return_sequences decides) and its final state. */
export interface LayerReply<F extends Float32Array | Float64Array> {
  readonly output: ModelTensor<F>;
  readonly h: ModelTensor<F>;
  readonly c: ModelTensor<F>;
}

export interface ComposeOptions {
  /**
   * Default true: a stateful layer's final state is handed back to it as the initial state of the
   * next call (spec/lstm.md §3.6). False when the layer function keeps that state itself.
   */
  readonly carryState?: boolean;
}

/**
 * The model around its LSTM layers (spec/lstm.md §3), as a generator: it yields each LSTM layer
 * call in order, is resumed with that layer's reply, and returns, per call, the last layer's
 * `[output]` or `[output, h, c]` (§3.2). A generator, so the same rules drive the synchronous
 * reference (`runModel`) and layer engines whose layer is async (conformance/engines/layer-engine.ts).
 * The rules: a Masking layer computes the mask and zeroes masked steps (§3.5.5); the mask reaches
 * the next layer unchanged with the sequence (§3.5.6), but not a layer called with initial_state
 * in Keras 3 (§3.5.7); initial_state goes to the first LSTM only (§3.4); a stateful layer starts
 * from its last final state unless initial_state is given (§3.6).
 */
export function* composeModel<L extends ComposableLayer, F extends Float32Array | Float64Array>(
  layers: readonly L[],
  calls: readonly ComposableCall<F>[],
  dialect: Dialect,
  options: ComposeOptions = {},
): Generator<LayerRequest<L, F>, (readonly ModelTensor<F>[])[], LayerReply<F>> {
  const carry = options.carryState ?? true;
  const stored = new Map<number, readonly [ModelTensor<F>, ModelTensor<F>]>(); // stateful layers' state between calls (§3.6)
  const results: (readonly ModelTensor<F>[])[] = [];
  for (const [callIndex, call] of calls.entries()) {
    const [B = 0, T = 0] = call.x.shape;
    let x = call.x;
    let mask = call.mask;
    // Whether `mask` was attached by a Masking layer rather than passed as the `mask=` argument.
    let maskIsAttached = false;
    let initial = call.initialState;
    let outputs: readonly ModelTensor<F>[] = [];
    for (const [layerIndex, layer] of layers.entries()) {
      if (layer.className === "Masking") {
        // keras/src/layers/core/masking.py: a step is valid when any feature differs from mask_value;
        // masked steps are zeroed.
        // The comparison happens in the input's dtype, float32: mask_value is rounded to it first.
        const value = Math.fround(layer.config.mask_value ?? 0);
        const D = x.shape[x.shape.length - 1] ?? 0;
        const data = x.data.slice() as F;
        mask = new Uint8Array(B * T);
        for (let s = 0; s < B * T; s++) {
          for (let d = 0; d < D; d++) if (data[s * D + d] !== value) mask[s] = 1;
          if (!mask[s]) data.fill(0, s * D, (s + 1) * D);
        }
        x = { shape: x.shape, data };
        maskIsAttached = true;
        continue;
      }
      const lstm = layer as Extract<L, { className: "LSTM" }>;
      const c = lstm.config;
      const state = initial ?? (c.stateful && carry ? stored.get(layerIndex) : undefined);
      // spec/lstm.md §3.5.7: Keras 3 does not pass an attached mask to a layer called with
      // initial_state, yet still attaches it to that layer's output for the next layer.
      const applied = initial && maskIsAttached && dialect === "keras3" ? undefined : mask;
      const r: LayerReply<F> = yield {
        layerIndex,
        callIndex,
        layer: lstm,
        x,
        ...(applied ? { mask: applied } : {}),
        ...(state ? { initialState: state } : {}),
      };
      if (c.stateful && carry) stored.set(layerIndex, [r.h, r.c]);
      outputs = c.return_state ? [r.output, r.h, r.c] : [r.output];
      // What the next layer sees: the sequence, and the mask passed on unchanged when
      // return_sequences is set (keras/src/layers/rnn/rnn.py compute_mask; spec/lstm.md §3.5.6).
      x = r.output;
      if (!c.return_sequences) mask = undefined;
      initial = undefined;
    }
    results.push(outputs);
  }
  return results;
}

/** A flat array as a model tensor; the reference reads only the data of an initial state. */
const flat = (values: ArrayLike<number>): ModelTensor<Float64Array> => ({ shape: [values.length], data: Float64Array.from(values) });

/**
 * Runs every call of a model in order and returns, per call, what Keras would return. Throws on a
 * config or weights the reference does not implement — it never ignores an option silently.
 * `computeLayer` computes each LSTM layer: the readable `lstmLayer` (the spec) unless a caller passes the
 * bit-identical `lstmLayerFast` (fast.ts; proved equal in fast.test.ts).
 */
export function runModel(
  layers: readonly ModelLayer[],
  calls: readonly ModelCall[],
  dialect: Dialect = "keras3",
  computeLayer: typeof lstmLayer = lstmLayer,
): ModelCallResult[] {
  if (calls.length === 0) return [];
  // Every layer is checked before anything runs, with the input width of the first call.
  const prepared = new Map<number, PreparedLstm>();
  let dim = calls[0]!.shape[2];
  layers.forEach((l, i) => {
    if (l.className === "LSTM") {
      prepared.set(i, prepare(i, l, dim, dialect));
      dim = l.config.units;
    }
  });
  const steps: ModelCallResult["steps"][number][][] = calls.map(() => []);
  const model = composeModel(
    layers,
    calls.map((call): ComposableCall<Float64Array> => ({
      x: { shape: call.shape, data: Float64Array.from(call.x) },
      ...(call.mask ? { mask: toMask(call.mask) } : {}),
      ...(call.initialState ? { initialState: [flat(call.initialState[0]), flat(call.initialState[1])] as const } : {}),
    })),
    dialect,
  );
  let next = model.next();
  while (!next.done) {
    const { layerIndex: i, callIndex, x, mask, initialState: initial } = next.value;
    const l = prepared.get(i)!;
    const [B = 0, T = 0] = calls[callIndex]!.shape;
    const u = l.config.units;
    const initialState: LstmState | undefined = initial ? { h: initial[0].data, c: initial[1].data } : undefined;
    if (initialState && (initialState.h.length !== B * u || initialState.c.length !== B * u)) {
      throw new Error(`layer ${i}: initial_state must be [h0, c0], each (${B}, ${u})`);
    }
    const r = computeLayer(
      l.params,
      { act: l.act, recAct: l.recAct },
      { returnSequences: l.config.return_sequences ?? false, goBackwards: l.config.go_backwards ?? false, zeroOutputForMask: l.config.zero_output_for_mask ?? false },
      { batch: B, timesteps: T, x: x.data, ...(mask ? { mask } : {}), ...(initialState ? { initialState } : {}) },
    );
    steps[callIndex]!.push({ layer: i, h: { shape: [B, T, u], data: r.steps.h }, c: { shape: [B, T, u], data: r.steps.c } });
    next = model.next({ output: { shape: r.outputShape, data: r.output }, h: { shape: [B, u], data: r.state.h }, c: { shape: [B, u], data: r.state.c } });
  }
  return next.value.map((outputs, k) => ({ outputs, steps: steps[k]! }));
}
