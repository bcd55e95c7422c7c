/**
 * TensorFlow.js as an engine (`--engine tfjs`): `tf.layers.lstm` (and `tf.layers.masking`) built
 * from the case's Keras config, weights set through the layer API, run on the pure-JS CPU backend
 * (no tfjs-node, no native code).
 *
 * tfjs's defaults are not Keras's (keras-semantics facts J2): recurrentActivation defaults to
 * hardSigmoid, unitForgetBias to off, kernelInitializer to glorotNormal. So every option is passed
 * explicitly from the case's config; none is left to a default.
 *
 * Where tfjs means something else by the same name, the case runs and the difference shows as a
 * failure, explained in `tfjs.expectations` — a user porting a Keras model to tfjs meets exactly that:
 * - `hard_sigmoid` is 0.2·x + 0.5 in tfjs (tfjs-layers src/backend/tfjs_backend.ts `hardSigmoid`),
 *   the tf-keras formula; Keras 3's is x/6 + 0.5 (spec/lstm.md §4);
 * - a masked step emits the previous *state* h, not the previous *output* (tfjs-layers
 *   src/layers/recurrent.ts `rnn()`): before the first valid step that is the initial state where
 *   Keras on TensorFlow emits zeros (facts J4, X1).
 * tfjs has no `zero_output_for_mask`, so that feature is not declared (the runner reports such
 * cases unsupported).
 */
import * as tf from "@tensorflow/tfjs";
import type { CallInputs, LayerCase, LstmLayer, MaskingLayer } from "../case.ts";
import { UnsupportedCaseError, type Engine, type EngineOutputs, type Feature } from "../engine.ts";
import { activationFeatures, OPTION_FEATURES } from "../features.ts";
import type { Tensor } from "../tensor.ts";

/** Keras activation name → tfjs activation identifier (tfjs-layers src/keras_format/activation_config.ts). */
const TFJS_ACTIVATIONS = {
  tanh: "tanh",
  sigmoid: "sigmoid",
  hard_sigmoid: "hardSigmoid",
  linear: "linear",
  relu: "relu",
  relu6: "relu6",
  elu: "elu",
  selu: "selu",
  softsign: "softsign",
  softplus: "softplus",
  swish: "swish",
  silu: "swish",
} as const satisfies Record<string, tf.serialization.ConfigDictValue>;

type KerasActivation = keyof typeof TFJS_ACTIVATIONS;
type TfjsActivation = (typeof TFJS_ACTIVATIONS)[KerasActivation];

function tfjsActivation(name: string, field: string): TfjsActivation {
  if (!(name in TFJS_ACTIVATIONS)) throw new Error(`${field} "${name}" has no tfjs equivalent`);
  return TFJS_ACTIVATIONS[name as KerasActivation];
}

// every option but zero_output_for_mask, which tfjs's LSTM does not have
const features: Feature[] = [...OPTION_FEATURES.filter((f) => f !== "zero_output_for_mask"), ...activationFeatures(Object.keys(TFJS_ACTIVATIONS))];

let backendReady: Promise<void> | undefined;

/** Selects the CPU backend once. Production mode drops tfjs's debug checks and its console banner. */
function ensureBackend(): Promise<void> {
  backendReady ??= (async () => {
    tf.enableProdMode();
    if (!(await tf.setBackend("cpu"))) throw new Error("tfjs: the cpu backend could not be initialised");
    await tf.ready();
  })();
  return backendReady;
}

function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(t.data, [...t.shape], "float32");
}

function fromTf(t: tf.Tensor): Tensor {
  return { shape: [...t.shape], data: Float32Array.from(t.dataSync()) };
}

/** A tfjs LSTM layer with every option taken from the Keras config (none left to tfjs defaults). */
function buildLstm(layer: LstmLayer, batchInputShape: [number, number, number], weights: tf.Tensor[]): tf.RNN {
  const c = layer.config;
  return tf.layers.lstm({
    units: c.units,
    activation: tfjsActivation(c.activation, "activation"),
    recurrentActivation: tfjsActivation(c.recurrent_activation, "recurrent_activation"),
    useBias: c.use_bias,
    returnSequences: c.return_sequences,
    returnState: c.return_state,
    goBackwards: c.go_backwards,
    stateful: c.stateful,
    unitForgetBias: c.unit_forget_bias ?? true,
    // Inference: dropout does nothing (Keras R8), passed through so the config is complete.
    dropout: c.dropout ?? 0,
    recurrentDropout: c.recurrent_dropout ?? 0,
    implementation: 2,
    unroll: false,
    // The initialisers are irrelevant: `weights` replaces them when the layer is built. Zeros avoid
    // the orthogonal initialiser's cost.
    kernelInitializer: "zeros",
    recurrentInitializer: "zeros",
    biasInitializer: "zeros",
    // A stateful layer needs its batch size up front (tfjs and Keras R4 alike); others take any batch and length.
    ...(c.stateful ? { batchInputShape } : { inputShape: [null, batchInputShape[2]] }),
    // Set with `layer.setWeights` when the layer is built (tfjs Layer.apply), in Keras's order.
    weights,
  });
}

interface BuiltModel {
  readonly layers: readonly (tf.RNN | "masking")[];
  readonly masking: tf.layers.Layer | undefined;
  readonly weightTensors: readonly tf.Tensor[];
}

function buildModel(c: LayerCase, first: CallInputs): BuiltModel {
  const [batch, timesteps, inputDim] = first.x.shape as [number, number, number];
  const weightTensors: tf.Tensor[] = [];
  let masking: tf.layers.Layer | undefined;
  let dim = inputDim;
  const layers = c.layers.map((l) => {
    if (l.className === "Masking") {
      masking = tf.layers.masking({ maskValue: (l as MaskingLayer).config.mask_value });
      return "masking" as const;
    }
    // tfjs declares no cell feature (the LSTM only, features.ts): other cells never reach it.
    if (l.className !== "LSTM") throw new UnsupportedCaseError(`the tfjs engine builds LSTM layers only, not ${l.className}`);
    const w = l.weights;
    const weights = [toTf(w.kernel), toTf(w.recurrent_kernel), ...(w.bias ? [toTf(w.bias)] : [])];
    weightTensors.push(...weights);
    const built = buildLstm(l, [batch, timesteps, dim], weights);
    dim = l.config.units;
    return built;
  });
  return { layers, masking, weightTensors };
}

/** One call: the layers applied in order, each LSTM given the mask the previous layer passes on. */
function callModel(model: BuiltModel, call: CallInputs): Tensor[] {
  const results = tf.tidy((): tf.Tensor[] => {
    let x: tf.Tensor = toTf(call.x);
    // A mask travels as tfjs's own layers compute it (Masking.computeMask, RNN.computeMask), as
    // tfjs's model executor does for a loaded model.
    let mask: tf.Tensor | null = call.mask ? tf.tensor(call.mask.data, [...call.mask.shape], "bool") : null;
    let firstLstm = true;
    let outputs: tf.Tensor[] = [];
    for (const layer of model.layers) {
      if (layer === "masking") {
        const m = model.masking!;
        mask = m.computeMask(x, mask ?? undefined) as tf.Tensor;
        x = m.apply(x) as tf.Tensor;
        continue;
      }
      const kwargs: tf.serialization.ConfigDict = {};
      // Typed as ConfigDict, but tfjs reads tensors from these keys (RNN.call).
      const loose = kwargs as Record<string, unknown>;
      if (mask !== null) loose["mask"] = mask;
      if (firstLstm && call.initialState) loose["initialState"] = call.initialState.map(toTf);
      const result = layer.apply(x, kwargs) as tf.Tensor | tf.Tensor[];
      outputs = Array.isArray(result) ? result : [result];
      const nextMask = layer.computeMask(x, mask ?? undefined);
      mask = (Array.isArray(nextMask) ? nextMask[0] : nextMask) ?? null;
      x = outputs[0]!;
      firstLstm = false;
    }
    return outputs;
  });
  try {
    return results.map(fromTf);
  } finally {
    tf.dispose(results);
  }
}

async function run(c: LayerCase): Promise<EngineOutputs> {
  await ensureBackend();
  if (c.calls.length === 0) return [];
  const model = buildModel(c, c.calls[0]!);
  try {
    return c.calls.map((call) => callModel(model, call));
  } finally {
    for (const layer of model.layers) {
      if (layer === "masking" || !layer.built) continue;
      // A stateful layer keeps its state tensors outside any tidy; dispose() leaves them.
      if (layer.stateful) tf.dispose(layer.getStates());
      layer.dispose();
    }
    tf.dispose([...model.weightTensors]);
  }
}

/** TensorFlow.js layers on the CPU backend. */
export const engine: Engine = {
  name: "tfjs",
  version: `@tensorflow/tfjs ${tf.version.tfjs}`,
  features,
  run,
};

export default engine;
