/**
 * A model of the shapes the fixtures use (spec/lstm.md §3): an optional `Masking` layer, then one or
 * more LSTM layers, called one or more times (a `stateful` layer keeps its state between calls).
 * Configs are Keras's own `get_config()` dictionaries; missing keys take Keras 3's defaults.
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
  const stored = new Map<number, LstmState>(); // stateful layers' state between calls (spec/lstm.md §3, stateful)
  let prepared: PreparedLstm[] | null = null;
  return calls.map((call) => {
    const [B, T] = call.shape;
    let D = call.shape[2];
    let x: Float64Array = Float64Array.from(call.x);
    let mask = call.mask ? toMask(call.mask) : undefined;
    // Whether `mask` was attached by a Masking layer rather than passed as the `mask=` argument.
    let maskIsAttached = false;
    let initial = call.initialState;
    if (!prepared) {
      prepared = [];
      let dim = D;
      layers.forEach((l, i) => {
        if (l.className === "LSTM") {
          prepared!.push(prepare(i, l, dim, dialect));
          dim = l.config.units;
        }
      });
    }
    let result: ModelCallResult = { outputs: [], steps: [] };
    const steps: ModelCallResult["steps"][number][] = [];
    let lstmIndex = 0;
    layers.forEach((layer, i) => {
      if (layer.className === "Masking") {
        // keras/src/layers/core/masking.py: a step is valid when any feature differs from mask_value;
        // masked steps are zeroed.
        // The comparison happens in the input's dtype, float32: mask_value is rounded to it first.
        const value = Math.fround(layer.config.mask_value ?? 0);
        mask = new Uint8Array(B * T);
        for (let s = 0; s < B * T; s++) {
          for (let d = 0; d < D; d++) if (x[s * D + d] !== value) mask[s] = 1;
          if (!mask[s]) x.fill(0, s * D, (s + 1) * D);
        }
        maskIsAttached = true;
        return;
      }
      const l = prepared![lstmIndex++]!;
      const c = l.config;
      const u = c.units;
      let initialState: LstmState | undefined;
      if (initial) {
        initialState = { h: Float64Array.from(initial[0]), c: Float64Array.from(initial[1]) };
        if (initialState.h.length !== B * u || initialState.c.length !== B * u) {
          throw new Error(`layer ${i}: initial_state must be [h0, c0], each (${B}, ${u})`);
        }
      } else if (c.stateful) {
        initialState = stored.get(i);
      }
      // spec/lstm.md §3.5.7: Keras 3 does not pass an attached mask to a layer called with
      // initial_state, yet still attaches it to that layer's output for the next layer.
      const applied = initial && maskIsAttached && dialect === "keras3" ? undefined : mask;
      const r = computeLayer(
        l.params,
        { act: l.act, recAct: l.recAct },
        { returnSequences: c.return_sequences ?? false, goBackwards: c.go_backwards ?? false, zeroOutputForMask: c.zero_output_for_mask ?? false },
        { batch: B, timesteps: T, x, ...(applied ? { mask: applied } : {}), ...(initialState ? { initialState } : {}) },
      );
      if (c.stateful) stored.set(i, r.state);
      steps.push({ layer: i, h: { shape: [B, T, u], data: r.steps.h }, c: { shape: [B, T, u], data: r.steps.c } });
      const out: ReferenceTensor = { shape: r.outputShape, data: r.output };
      result = {
        outputs: c.return_state ? [out, { shape: [B, u], data: r.state.h }, { shape: [B, u], data: r.state.c }] : [out],
        steps,
      };
      // What the next layer sees: the sequence, and the mask passed on unchanged when
      // return_sequences is set (keras/src/layers/rnn/rnn.py compute_mask; spec/lstm.md §3, masking).
      x = r.output;
      D = u;
      if (!c.return_sequences) mask = undefined;
      initial = undefined;
    });
    return result;
  });
}
