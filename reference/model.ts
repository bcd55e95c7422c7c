/**
 * A model of the shapes the fixtures use (spec/lstm.md §3): an optional `Masking` layer, then one or
 * more recurrent layers — LSTM, GRU, SimpleRNN, in any mix (spec/gru.md §3.1), each on its own or
 * two of them in a `Bidirectional` (spec/bidirectional.md) — called one or more
 * times (a `stateful` layer keeps its state between calls). Configs are Keras's own `get_config()`
 * dictionaries; missing keys take Keras 3's defaults. The rules around the layers are `composeModel`,
 * shared with the suite's layer engines (conformance/engines/layer-engine.ts); `runModel` drives it
 * with the reference's own layers: the loop of rnn.ts around the cell of cells/<kind>.ts.
 */
import { activationByName, type Activation, type Dialect } from "./activations.ts";
import { mergeBidirectional, type MergeMode } from "./bidirectional.ts";
import { gruCell } from "./cells/gru.ts";
import { CELL_LAYOUTS, type CellClassName, type CellLayout } from "./cells/layout.ts";
import type { LstmParams } from "./cells/lstm.ts";
import { simpleRnnCell } from "./cells/simple-rnn.ts";
import { lstmLayer, rnnLayer, type LayerOptions, type RnnInput, type RnnResult } from "./rnn.ts";

/** The keys of a Keras recurrent layer's config the reference reads (others are accepted and have no effect). */
export interface KerasRnnConfig {
  readonly units: number;
  readonly activation?: string | null;
  readonly use_bias?: boolean;
  readonly return_sequences?: boolean;
  readonly return_state?: boolean;
  readonly go_backwards?: boolean;
  readonly stateful?: boolean;
  readonly zero_output_for_mask?: boolean;
  readonly time_major?: boolean;
  readonly [key: string]: unknown;
}

/** An LSTM's config (spec/lstm.md §3.13). */
export interface KerasLstmConfig extends KerasRnnConfig {
  readonly recurrent_activation?: string | null;
}

/** A GRU's config (spec/gru.md §3.13): `reset_after` decides the step (§2.1, §2.2) and the bias shape (§1.3). */
export interface KerasGruConfig extends KerasRnnConfig {
  readonly recurrent_activation?: string | null;
  readonly reset_after?: boolean;
}

/** A SimpleRNN's config (spec/simple-rnn.md §3.13): no recurrent_activation. */
export type KerasSimpleRnnConfig = KerasRnnConfig;

/** Weights in `get_weights()` order and Keras shapes, row-major (spec/lstm.md §1, spec/gru.md §1, spec/simple-rnn.md §1). */
export interface KerasRnnWeights {
  readonly kernel: ArrayLike<number>;
  readonly recurrent_kernel: ArrayLike<number>;
  /** The bias, row-major: a GRU with reset_after has two rows, the input bias first (spec/gru.md §1.3). */
  readonly bias?: ArrayLike<number> | null;
}

/** An LSTM's weights (spec/lstm.md §1). */
export type KerasLstmWeights = KerasRnnWeights;

/** A recurrent layer of a model: a cell's layer, on its own or inside a Bidirectional. */
export type RecurrentModelLayer =
  | { readonly className: "LSTM"; readonly config: KerasLstmConfig; readonly weights: KerasLstmWeights }
  | { readonly className: "GRU"; readonly config: KerasGruConfig; readonly weights: KerasRnnWeights }
  | { readonly className: "SimpleRNN"; readonly config: KerasSimpleRnnConfig; readonly weights: KerasRnnWeights };

/**
 * Keras's `Bidirectional` (spec/bidirectional.md): two recurrent layers, each with its config as Keras
 * built it — the backward one's `go_backwards` and both layers' `zero_output_for_mask` already as
 * the wrapper set them — and the merge mode (Keras's default "concat"; null is None).
 */
export interface BidirectionalModelLayer {
  readonly className: "Bidirectional";
  readonly config: { readonly merge_mode?: MergeMode };
  readonly forward: RecurrentModelLayer;
  readonly backward: RecurrentModelLayer;
}

export type ModelLayer = RecurrentModelLayer | BidirectionalModelLayer | { readonly className: "Masking"; readonly config: { readonly mask_value?: number } };

export interface ModelCall {
  /** (batch, timesteps, inputDim), row-major. */
  readonly x: ArrayLike<number>;
  readonly shape: readonly [number, number, number];
  /** (batch, timesteps), nonzero = valid; passed to the first recurrent layer as `mask=`. */
  readonly mask?: ArrayLike<number | boolean>;
  /**
   * The first recurrent layer's `initial_state=`: its states in order, each (batch, units) — [h0, c0]
   * for an LSTM, [h0] for a GRU or a SimpleRNN (spec/lstm.md §3.4, spec/gru.md §3.4).
   */
  readonly initialState?: readonly ArrayLike<number>[];
}

export interface ReferenceTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Which of a Bidirectional's two layers a layer call or a step record is (spec/bidirectional.md). */
export type Direction = "forward" | "backward";

export interface ModelCallResult {
  /**
   * The last layer's `[output]`, or with return_state `[output, h, c]` (LSTM) or `[output, h]`
   * (spec/lstm.md §3.2, spec/gru.md §3.2); a Bidirectional's as spec/bidirectional.md says.
   */
  readonly outputs: readonly ReferenceTensor[];
  /**
   * Per recurrent layer — per direction of a Bidirectional — its state after every step, (batch,
   * timesteps, units), processing order; `c` for an LSTM only.
   */
  readonly steps: readonly { readonly layer: number; readonly direction?: Direction; readonly h: ReferenceTensor; readonly c?: ReferenceTensor }[];
}

/** How `runModel` computes an LSTM layer: the readable `lstmLayer` or the bit-identical fast one (reference/fast.ts). */
export type LstmLayerFunction = typeof lstmLayer;

/** A recurrent layer checked and ready to run: its layout, config and how to compute it. */
interface PreparedLayer {
  readonly layout: CellLayout;
  readonly config: KerasRnnConfig;
  run(input: RnnInput, computeLstm: LstmLayerFunction): RnnResult;
}

/**
 * A layer's weights checked against its cell's layout and read as float64: every weight
 * get_weights() has for this config, with its shape (chapter §1.1); a bias given to a layer without
 * use_bias is not read. Shared with the reference's gradients (reference/gradients/model.ts).
 */
export function layerWeights(index: number, layer: RecurrentModelLayer, inputDim: number): { kernel: Float64Array; recurrentKernel: Float64Array; bias: Float64Array | null } {
  const layout = CELL_LAYOUTS[layer.className];
  const values = new Map<string, Float64Array>();
  for (const { name, shape } of layout.weights(layer.config, inputDim)) {
    const got = layer.weights[name];
    const n = shape.reduce((a, b) => a * b, 1);
    if (!got || got.length !== n) {
      throw new Error(`layer ${index}: ${layer.className} ${name} must have shape (${shape.join(", ")}) (${n} values), got ${got ? got.length : "none"} (${layout.chapter} §1.1)`);
    }
    values.set(name, Float64Array.from(got));
  }
  return { kernel: values.get("kernel")!, recurrentKernel: values.get("recurrent_kernel")!, bias: values.get("bias") ?? null };
}

/** A missing key takes Keras's default; an explicit null is "linear" (keras/src/activations/__init__.py `get`). */
export const activationName = (name: unknown, kerasDefault: string): string =>
  name === undefined ? kerasDefault : typeof name === "string" ? name : "linear";

function prepare(index: number, layer: RecurrentModelLayer, inputDim: number, dialect: Dialect): PreparedLayer {
  const { config } = layer;
  const layout = CELL_LAYOUTS[layer.className];
  const u = config.units;
  if (config.time_major) throw new Error(`layer ${index}: time_major=true is not implemented by the reference`);
  const { kernel, recurrentKernel, bias } = layerWeights(index, layer, inputDim);
  const act = activationByName(activationName(config.activation, layout.activations.activation!), dialect);
  const recAct = (): Activation => activationByName(activationName(config["recurrent_activation"], layout.activations.recurrent_activation!), dialect);
  const options: LayerOptions = {
    returnSequences: config.return_sequences ?? false,
    goBackwards: config.go_backwards ?? false,
    zeroOutputForMask: config.zero_output_for_mask ?? false,
  };
  switch (layer.className) {
    case "LSTM": {
      const params: LstmParams = { inputDim, units: u, kernel, recurrentKernel, bias };
      const f = { act, recAct: recAct() };
      return {
        layout,
        config,
        run(input, computeLstm) {
          const { initialState, ...rest } = input;
          const r = computeLstm(params, f, options, { ...rest, ...(initialState ? { initialState: { h: initialState[0]!, c: initialState[1]! } } : {}) });
          return { output: r.output, outputShape: r.outputShape, states: [r.state.h, r.state.c], steps: [r.steps.h, r.steps.c] };
        },
      };
    }
    case "GRU": {
      // spec/gru.md §1.3: with reset_after, bias row 0 is added to x·W and row 1 to h·U.
      const resetAfter = layer.config.reset_after ?? true;
      const cell = gruCell(
        {
          inputDim,
          units: u,
          kernel,
          recurrentKernel,
          resetAfter,
          inputBias: bias && (resetAfter ? bias.subarray(0, 3 * u) : bias),
          recurrentBias: bias && resetAfter ? bias.subarray(3 * u) : null,
        },
        { act, recAct: recAct() },
      );
      return { layout, config, run: (input) => rnnLayer(cell, options, input) };
    }
    case "SimpleRNN": {
      const cell = simpleRnnCell({ inputDim, units: u, kernel, recurrentKernel, bias }, act);
      return { layout, config, run: (input) => rnnLayer(cell, options, input) };
    }
  }
}

const toMask = (m: ArrayLike<number | boolean>): Uint8Array => Uint8Array.from(Array.from(m, (v) => (v ? 1 : 0)));

/** A float tensor as the model hands it from layer to layer: its shape and row-major data. */
export interface ModelTensor<F extends Float32Array | Float64Array = Float32Array | Float64Array> {
  readonly shape: readonly number[];
  readonly data: F;
}

/**
 * The layers `composeModel` routes between. Of a recurrent layer's config it reads only what decides
 * the routing; everything else is the layer function's business.
 */
export type ComposableLayer =
  | ComposableCellLayer
  | { readonly className: "Bidirectional"; readonly config: { readonly merge_mode?: MergeMode }; readonly forward: ComposableCellLayer; readonly backward: ComposableCellLayer }
  | { readonly className: "Masking"; readonly config: { readonly mask_value?: number } };

/** A cell's layer, as `composeModel` sees it. */
export interface ComposableCellLayer {
  readonly className: CellClassName;
  readonly config: { readonly return_sequences?: boolean; readonly return_state?: boolean; readonly stateful?: boolean };
}

/** The two layers of the Bidirectionals among `L`. */
type WrappedOf<L> = L extends { readonly className: "Bidirectional"; readonly forward: infer F; readonly backward: infer G } ? F | G : never;

/** The layers among `L` a layer call computes: every layer but Masking and Bidirectional, and each Bidirectional's two layers. */
export type RecurrentOf<L extends ComposableLayer> = Exclude<L, { readonly className: "Masking" | "Bidirectional" }> | WrappedOf<L>;

/** One call of the model: x (batch, timesteps, features), and what the first recurrent layer is given. */
export interface ComposableCall<F extends Float32Array | Float64Array> {
  readonly x: ModelTensor<F>;
  /** (batch, timesteps), 1 = valid; passed as `mask=` to the first recurrent layer. */
  readonly mask?: Uint8Array;
  /** The first recurrent layer's `initial_state=`: [h0, c0] (LSTM) or [h0] (GRU, SimpleRNN), each (batch, units). */
  readonly initialState?: readonly ModelTensor<F>[];
}

/** What the model asks of one recurrent layer in one call: the layer computes, the model does the rest. */
export interface LayerRequest<L extends ComposableLayer, F extends Float32Array | Float64Array> {
  /** The layer's position in the model's layers (Masking included); a Bidirectional's layers share its position. */
  readonly layerIndex: number;
  readonly callIndex: number;
  readonly layer: RecurrentOf<L>;
  /** Set for the two layers of a Bidirectional: which one this is (spec/bidirectional.md). */
  readonly direction?: Direction;
  /** (batch, timesteps, features): the call's x, zeroed by a Masking layer, or the previous layer's sequence. */
  readonly x: ModelTensor<F>;
  /** (batch, timesteps), 1 = valid, in original time order even after a go_backwards layer (spec/lstm.md §3.5.6). */
  readonly mask?: Uint8Array;
  /** The call's initial_state (first recurrent layer only), or the state a stateful layer kept from the previous call; in the cell's state order. */
  readonly initialState?: readonly ModelTensor<F>[];
}

/** What the layer returns: its output as Keras returns it (return_sequences decides) and its final states, in the cell's order ([h, c] or [h]). */
export interface LayerReply<F extends Float32Array | Float64Array> {
  readonly output: ModelTensor<F>;
  readonly states: readonly ModelTensor<F>[];
}

export interface ComposeOptions {
  /**
   * Default true: a stateful layer's final state is handed back to it as the initial state of the
   * next call (spec/lstm.md §3.6). False when the layer function keeps that state itself.
   */
  readonly carryState?: boolean;
}

const noLayerAfterPair = (i: number): string => `layer ${i}: a Bidirectional with merge_mode=None returns two tensors; no layer can follow it (spec/bidirectional.md)`;

/**
 * The model around its recurrent layers (spec/lstm.md §3), as a generator: it yields each layer
 * call in order, is resumed with that layer's reply, and returns, per call, the last layer's
 * `[output]` or `[output, ...states]` (§3.2; spec/gru.md §3.2). A generator, so the same rules drive
 * the synchronous reference (`runModel`) and layer engines whose layer is async
 * (conformance/engines/layer-engine.ts). The rules, the same for every cell (spec/gru.md §3.5): a
 * Masking layer computes the mask and zeroes masked steps (§3.5.5); the mask reaches the next layer
 * unchanged with the sequence (§3.5.6), whatever its class, but not a layer called with
 * initial_state in Keras 3 (§3.5.7); initial_state goes to the first recurrent layer only (§3.4); a
 * stateful layer starts from its last final state unless initial_state is given (§3.6).
 */
export function* composeModel<L extends ComposableLayer, F extends Float32Array | Float64Array>(
  layers: readonly L[],
  calls: readonly ComposableCall<F>[],
  dialect: Dialect,
  options: ComposeOptions = {},
): Generator<LayerRequest<L, F>, (readonly ModelTensor<F>[])[], LayerReply<F>> {
  const carry = options.carryState ?? true;
  const stored = new Map<string, readonly ModelTensor<F>[]>(); // stateful layers' state between calls (§3.6), by position and direction
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
      // spec/lstm.md §3.5.7: Keras 3 does not pass an attached mask to a layer called with
      // initial_state, yet still attaches it to that layer's output for the next layer.
      const applied = initial && maskIsAttached && dialect === "keras3" ? undefined : mask;
      // One layer call: its initial state is the one given, or the one a stateful layer kept (§3.4, §3.6).
      function* callLayer(sub: RecurrentOf<L>, given: readonly ModelTensor<F>[] | undefined, direction?: Direction): Generator<LayerRequest<L, F>, LayerReply<F>, LayerReply<F>> {
        const key = direction ? `${layerIndex}:${direction}` : `${layerIndex}`;
        const state = given ?? (sub.config.stateful && carry ? stored.get(key) : undefined);
        const r: LayerReply<F> = yield {
          layerIndex,
          callIndex,
          layer: sub,
          ...(direction ? { direction } : {}),
          x,
          ...(applied ? { mask: applied } : {}),
          ...(state ? { initialState: state } : {}),
        };
        if (sub.config.stateful && carry) stored.set(key, r.states);
        return r;
      }
      let returnSequences: boolean;
      if (layer.className === "Bidirectional") {
        // spec/bidirectional.md: initial_state[:half] goes to the forward layer, the rest to the backward
        // one; both get the same input and mask; the outputs are merged, the states returned forward first.
        const half = initial ? Math.floor(initial.length / 2) : 0;
        const forward = yield* callLayer(layer.forward as RecurrentOf<L>, initial?.slice(0, half), "forward");
        const backward = yield* callLayer(layer.backward as RecurrentOf<L>, initial?.slice(half), "backward");
        returnSequences = layer.forward.config.return_sequences ?? false;
        const merged = mergeBidirectional(layer.config.merge_mode === undefined ? "concat" : layer.config.merge_mode, returnSequences, forward.output, backward.output);
        if (merged.length > 1 && layers.slice(layerIndex + 1).some((l) => l.className !== "Masking")) {
          throw new Error(noLayerAfterPair(layerIndex));
        }
        outputs = layer.forward.config.return_state ? [...merged, ...forward.states, ...backward.states] : merged;
        x = merged[0]!;
      } else {
        const recurrent = layer as RecurrentOf<L>;
        const r = yield* callLayer(recurrent, initial);
        returnSequences = recurrent.config.return_sequences ?? false;
        outputs = recurrent.config.return_state ? [r.output, ...r.states] : [r.output];
        x = r.output;
      }
      // What the next layer sees: the sequence, and the mask passed on unchanged when
      // return_sequences is set (keras/src/layers/rnn/rnn.py compute_mask; spec/lstm.md §3.5.6).
      if (!returnSequences) mask = undefined;
      initial = undefined;
    }
    results.push(outputs);
  }
  return results;
}

/**
 * Runs every call of a model in order and returns, per call, what Keras would return. Throws on a
 * config or weights the reference does not implement — it never ignores an option silently.
 * `computeLstm` computes each LSTM layer: the readable `lstmLayer` (the spec) unless a caller passes
 * the bit-identical `lstmLayerFast` (fast.ts; proved equal in fast.test.ts). GRU and SimpleRNN
 * layers always run the readable loop (rnn.ts) around their cell.
 */
export function runModel(
  layers: readonly ModelLayer[],
  calls: readonly ModelCall[],
  dialect: Dialect = "keras3",
  computeLstm: LstmLayerFunction = lstmLayer,
): ModelCallResult[] {
  if (calls.length === 0) return [];
  // Every layer is checked before anything runs, with the input width of the first call. A
  // Bidirectional's two layers read the same input; what follows reads their merged output.
  const prepared = new Map<string, PreparedLayer>();
  let dim = calls[0]!.shape[2];
  layers.forEach((l, i) => {
    if (l.className === "Masking") return;
    if (l.className === "Bidirectional") {
      const forward = prepare(i, l.forward, dim, dialect);
      const backward = prepare(i, l.backward, dim, dialect);
      prepared.set(`${i}:forward`, forward).set(`${i}:backward`, backward);
      if (l.config.merge_mode === null && layers.slice(i + 1).some((next) => next.className !== "Masking")) throw new Error(noLayerAfterPair(i));
      dim = l.config.merge_mode === "concat" || l.config.merge_mode === undefined ? forward.config.units + backward.config.units : forward.config.units;
      return;
    }
    prepared.set(`${i}`, prepare(i, l, dim, dialect));
    dim = l.config.units;
  });
  const steps: ModelCallResult["steps"][number][][] = calls.map(() => []);
  const model = composeModel(
    layers,
    calls.map((call): ComposableCall<Float64Array> => ({
      x: { shape: call.shape, data: Float64Array.from(call.x) },
      ...(call.mask ? { mask: toMask(call.mask) } : {}),
      // The reference reads only the data of an initial state; its shape is checked below.
      ...(call.initialState ? { initialState: call.initialState.map((s) => ({ shape: [s.length], data: Float64Array.from(s) })) } : {}),
    })),
    dialect,
  );
  let next = model.next();
  while (!next.done) {
    const { layerIndex: i, callIndex, direction, x, mask, initialState } = next.value;
    const l = prepared.get(direction ? `${i}:${direction}` : `${i}`)!;
    const [B = 0, T = 0] = calls[callIndex]!.shape;
    const u = l.config.units;
    const states = l.layout.states;
    if (initialState && (initialState.length !== states.length || initialState.some((s) => s.data.length !== B * u))) {
      const which = direction ? ` (${direction} layer: a Bidirectional's initial_state is the forward layer's states, then the backward one's, spec/bidirectional.md)` : "";
      throw new Error(`layer ${i}: initial_state must be [${states.map((s) => `${s}0`).join(", ")}], ${states.length === 1 ? "" : "each "}(${B}, ${u}) (${l.layout.chapter} §3.4)${which}`);
    }
    const r = l.run({ batch: B, timesteps: T, x: x.data, ...(mask ? { mask } : {}), ...(initialState ? { initialState: initialState.map((s) => s.data) } : {}) }, computeLstm);
    const perStep = (k: number): ReferenceTensor => ({ shape: [B, T, u], data: r.steps[k]! });
    steps[callIndex]!.push({ layer: i, ...(direction ? { direction } : {}), h: perStep(0), ...(states[1] === "c" ? { c: perStep(1) } : {}) });
    next = model.next({ output: { shape: r.outputShape, data: r.output }, states: r.states.map((data) => ({ shape: [B, u], data })) });
  }
  return next.value.map((outputs, k) => ({ outputs, steps: steps[k]! }));
}
