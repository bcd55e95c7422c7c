/**
 * TensorFlow.js as an engine (`--engine tfjs`): `tf.layers.lstm`, `tf.layers.gru`,
 * `tf.layers.simpleRNN` (and `tf.layers.masking`) built from the case's Keras config — mixed stacks
 * too — weights set through the layer API, run on the pure-JS CPU backend (no tfjs-node, no native code).
 *
 * tfjs's defaults are not Keras's (spec/lstm.md §4.5, spec/gru.md §4.6, spec/simple-rnn.md §4.5):
 * recurrentActivation defaults to hardSigmoid, unitForgetBias to off, kernelInitializer to
 * glorotNormal. So every option is passed explicitly from the case's config; none is left to a default.
 *
 * Where tfjs means something else by the same name, the case runs and the difference shows as a
 * failure, explained in `tfjs.expectations` — a user porting a Keras model to tfjs meets exactly that:
 * - `hard_sigmoid` is 0.2·x + 0.5 in tfjs (tfjs-layers src/backend/tfjs_backend.ts `hardSigmoid`),
 *   the tf-keras formula; Keras 3's is x/6 + 0.5 (spec/lstm.md §4);
 * - a masked step emits the previous *state* h, not the previous *output* (tfjs-layers
 *   src/layers/recurrent.ts `rnn()`): before the first valid step that is the initial (or a stateful
 *   layer's carried) state where Keras on TensorFlow emits zeros (spec/lstm.md §3.5.3, spec/gru.md §3.5).
 * Where tfjs has no such layer at all, the case is *unsupported*:
 * - tfjs has no `zero_output_for_mask`, so that feature is not declared;
 * - tfjs's GRU is the reset-before one only: `resetAfter: true` — Keras's default GRU — throws
 *   (spec/gru.md §4.6), so those cases are unsupported with tfjs's message ({@link buildGru}). They are
 *   *core* cases of the GRU this engine declares, so a run over the corpus is not conformant: tfjs
 *   cannot load Keras's default GRU, and the verdict says so.
 *
 * `Bidirectional` is `tf.layers.bidirectional` (tfjs-layers src/layers/wrappers.ts), which differs
 * from Keras 3's (spec/bidirectional.md, research §8 J5) in three ways:
 * - it has no `backward_layer` argument: the backward layer is a clone of the forward layer's config
 *   with `goBackwards` *toggled* (`layerConfig['goBackwards'] = layerConfig['goBackwards'] === true ?
 *   false : true`), as tf-keras does; Keras 3 forces it to True. A case whose backward layer is not
 *   that clone (a custom `backward_layer` of another config) is *unsupported* with the differing keys;
 *   Keras's own pairs (forward forwards, backward backwards; or tf-keras's toggled pair) are the clone.
 * - it does not force `zero_output_for_mask` (tfjs's RNN layers have no such option): with a mask and
 *   return_sequences Keras zeroes the masked steps of both halves, tfjs carries the previous h. Those
 *   cases need `zero_output_for_mask`, which this engine does not declare, so they are unsupported.
 * - its `weights` argument throws ("weights support is not implemented for Bidirectional layer
 *   yet"), so the layer is built and then given its weights with `setWeights`, which splits them in
 *   halves, forward first, as Keras's order is.
 * merge modes, the flip of the backward output, initial_state halves and the return_state order are Keras's.
 */
import * as tf from "@tensorflow/tfjs";
import type { BidirectionalLayer, CallInputs, GruLayer, LayerCase, MaskingLayer, RecurrentConfig, RecurrentLayer } from "../case.ts";
import { UnsupportedCaseError, type Engine, type EngineGradients, type EngineOutputs, type Feature } from "../engine.ts";
import type { GradientAnswer, GradientRequest } from "../gradients/case.ts";
import { CELL_FEATURES } from "../cells.ts";
import { activationFeatures, BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE, OPTION_FEATURES } from "../features.ts";
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

// The three cells, and every option but zero_output_for_mask, which tfjs's RNN layers do not have. The
// reset-before GRU is tfjs's only GRU (gru:reset_after_false); the reset-after one is declined per case.
// Bidirectional: tf.layers.bidirectional (custom backward layers are declined per case).
const features: Feature[] = [
  ...CELL_FEATURES,
  "gru:reset_after_false",
  ...OPTION_FEATURES.filter((f) => f !== "zero_output_for_mask"),
  BIDIRECTIONAL_FEATURE,
  ...activationFeatures(Object.keys(TFJS_ACTIVATIONS)),
];

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

/** The options every tfjs recurrent layer takes, from the Keras config (none left to tfjs defaults). */
function commonArgs(c: RecurrentConfig, batchInputShape: [number, number, number], weights: tf.Tensor[]) {
  return {
    units: c.units,
    activation: tfjsActivation(c.activation, "activation"),
    useBias: c.use_bias,
    returnSequences: c.return_sequences,
    returnState: c.return_state,
    goBackwards: c.go_backwards,
    stateful: c.stateful,
    // Inference: dropout does nothing (spec/lstm.md §3.9, spec/gru.md §3.9, spec/simple-rnn.md §3.9), passed through so the config is complete.
    dropout: c.dropout ?? 0,
    recurrentDropout: c.recurrent_dropout ?? 0,
    unroll: false,
    // The initialisers are irrelevant: `weights` replaces them when the layer is built. Zeros avoid
    // the orthogonal initialiser's cost.
    kernelInitializer: "zeros",
    recurrentInitializer: "zeros",
    biasInitializer: "zeros",
    // A stateful layer needs its batch size up front (tfjs and Keras alike, spec/lstm.md §3.6); others take any batch and length.
    ...(c.stateful ? { batchInputShape } : { inputShape: [null, batchInputShape[2]] }),
    // Set with `layer.setWeights` when the layer is built (tfjs Layer.apply), in Keras's order: the
    // three tensors have Keras's shapes and gate order in tfjs too (spec/gru.md §4.6, spec/simple-rnn.md §4.5).
    weights,
  } as const;
}

/**
 * tfjs's GRU args: `resetAfter` is read by the GRUCell that `tf.layers.gru` makes from the same args
 * (tfjs-layers src/layers/recurrent.ts), though only GRUCellLayerArgs types it.
 */
type TfjsGruArgs = Parameters<typeof tf.layers.gru>[0] & { resetAfter?: boolean };

/**
 * tfjs 4.22's GRUCell throws on `resetAfter: true` ("GRUCell does not support reset_after parameter
 * set to true"): it implements only the reset-before step (spec/gru.md §2.2, §4.6). The flag is passed
 * as the config says, so tfjs itself decides; its refusal of Keras's default GRU (§2.1) makes the case
 * unsupported with tfjs's own words, and a tfjs that one day accepts it runs the case.
 */
function buildGru(layer: GruLayer, args: TfjsGruArgs): tf.RNN {
  try {
    return tf.layers.gru(args);
  } catch (e) {
    if (layer.config.reset_after !== true) throw e;
    throw new UnsupportedCaseError(
      `tfjs ${tf.version.tfjs} has no reset_after=True GRU (Keras's default, spec/gru.md §2.1, §4.6): tf.layers.gru throws "${(e as Error).message}"`,
    );
  }
}

/** A tfjs layer of the case's cell with every option taken from the Keras config. */
function buildLayer(layer: RecurrentLayer, batchInputShape: [number, number, number], weights: tf.Tensor[]): tf.RNN {
  switch (layer.className) {
    case "LSTM": {
      const c = layer.config;
      return tf.layers.lstm({
        ...commonArgs(c, batchInputShape, weights),
        recurrentActivation: tfjsActivation(c.recurrent_activation, "recurrent_activation"),
        unitForgetBias: c.unit_forget_bias ?? true,
        implementation: 2,
      });
    }
    case "GRU": {
      const c = layer.config;
      return buildGru(layer, {
        ...commonArgs(c, batchInputShape, weights),
        // tfjs's default is hardSigmoid (spec/gru.md §4.6): always passed.
        recurrentActivation: tfjsActivation(c.recurrent_activation, "recurrent_activation"),
        resetAfter: c.reset_after,
        implementation: 2,
      });
    }
    case "SimpleRNN":
      // spec/simple-rnn.md §3.8: no recurrent_activation.
      return tf.layers.simpleRNN(commonArgs(layer.config, batchInputShape, weights));
  }
}

type TfjsBidirectional = ReturnType<typeof tf.layers.bidirectional>;

/** tfjs's two clones inside a Bidirectional: private fields, reached only to dispose a stateful layer's state tensors. */
function wrappedLayers(bi: TfjsBidirectional): tf.RNN[] {
  const inner = bi as unknown as { forwardLayer: tf.RNN; backwardLayer: tf.RNN };
  return [inner.forwardLayer, inner.backwardLayer];
}

/** The config keys in which two tfjs layers differ (their names aside). */
function differingKeys(a: tf.RNN, b: tf.RNN): string[] {
  const [ca, cb] = [a.getConfig(), b.getConfig()];
  return [...new Set([...Object.keys(ca), ...Object.keys(cb)])].filter((k) => k !== "name" && JSON.stringify(ca[k]) !== JSON.stringify(cb[k]));
}

/**
 * `tf.layers.bidirectional` for the case's Bidirectional, built and given both layers' weights
 * (forward's, then backward's). tfjs makes the backward layer itself, from the forward one's config
 * with goBackwards toggled; the case's backward layer must be that layer, or the case is unsupported.
 */
function buildBidirectional(l: BidirectionalLayer, batchInputShape: [number, number, number], weightTensors: tf.Tensor[]): TfjsBidirectional {
  const template = buildLayer(l.forward, batchInputShape, []);
  // What tfjs would build as the backward layer, compared with what the case's backward layer is in tfjs.
  const backward = buildLayer({ ...l.backward, config: { ...l.backward.config, go_backwards: !l.backward.config.go_backwards } } as RecurrentLayer, batchInputShape, []);
  const differ = differingKeys(template, backward);
  if (differ.length > 0) {
    throw new UnsupportedCaseError(
      `tf.layers.bidirectional has no backward_layer argument: its backward layer is the forward layer with goBackwards toggled (tfjs-layers src/layers/wrappers.ts), and this case's backward layer differs from that in ${differ.join(", ")}`,
    );
  }
  // tfjs types mergeMode without null, yet its constructor keeps an explicit null and returns the pair, as Keras's None (wrappers.ts Bidirectional.call).
  const bi = tf.layers.bidirectional({ layer: template, mergeMode: l.config.merge_mode } as unknown as Parameters<typeof tf.layers.bidirectional>[0]);
  const weights = [l.forward, l.backward].flatMap((sub) => [toTf(sub.weights.kernel), toTf(sub.weights.recurrent_kernel), ...(sub.weights.bias ? [toTf(sub.weights.bias)] : [])]);
  weightTensors.push(...weights);
  // The `weights` argument throws in tfjs's Bidirectional: build, then setWeights (halves, forward first).
  bi.build([l.forward.config.stateful ? batchInputShape[0] : null, null, batchInputShape[2]]);
  bi.setWeights(weights);
  return bi;
}

interface BuiltModel {
  readonly layers: readonly (tf.RNN | TfjsBidirectional | "masking")[];
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
    if (l.className === "Bidirectional") {
      let built: TfjsBidirectional;
      try {
        built = buildBidirectional(l, [batch, timesteps, dim], weightTensors);
      } catch (e) {
        tf.dispose(weightTensors);
        throw e;
      }
      dim = l.config.merge_mode === "concat" ? l.forward.config.units + l.backward.config.units : l.forward.config.units;
      return built;
    }
    const w = l.weights;
    const weights = [toTf(w.kernel), toTf(w.recurrent_kernel), ...(w.bias ? [toTf(w.bias)] : [])];
    weightTensors.push(...weights);
    let built: tf.RNN;
    try {
      built = buildLayer(l, [batch, timesteps, dim], weights);
    } catch (e) {
      // The layers built so far hold nothing yet (they are built when applied); the weights are ours.
      tf.dispose(weightTensors);
      throw e;
    }
    dim = l.config.units;
    return built;
  });
  return { layers, masking, weightTensors };
}

/** One call: the layers applied in order, each recurrent layer given the mask the previous layer passes on. */
function callModel(model: BuiltModel, call: CallInputs): Tensor[] {
  const results = tf.tidy((): tf.Tensor[] => applyModel(model, toTf(call.x), call, call.initialState?.map(toTf)));
  try {
    return results.map(fromTf);
  } finally {
    tf.dispose(results);
  }
}

/** The model applied to `input` (the call's x, or a variable standing for it) with the call's mask and `initialState`: what Keras returns. */
function applyModel(model: BuiltModel, input: tf.Tensor, call: CallInputs, initialState: readonly tf.Tensor[] | undefined, differentiated = false): tf.Tensor[] {
  let x: tf.Tensor = input;
  // A mask travels as tfjs's own layers compute it (Masking.computeMask, RNN.computeMask), as
  // tfjs's model executor does for a loaded model.
  let mask: tf.Tensor | null = call.mask ? tf.tensor(call.mask.data, [...call.mask.shape], "bool") : null;
  let firstRecurrent = true;
  let outputs: tf.Tensor[] = [];
  for (const layer of model.layers) {
    if (layer === "masking") {
      const m = model.masking!;
      // Masking is x ⊙ mask; tfjs computes its mask with tf.any, which has no gradient: under the
      // tape the mask — a constant of x's values (spec/gradients.md §3.2), computed from a copy of
      // them — is applied as a product. (Masking is only ever the first layer: x is the call's.)
      mask = m.computeMask(differentiated ? toTf(call.x) : x, mask ?? undefined) as tf.Tensor;
      x = differentiated ? tf.mul(x, tf.expandDims(tf.cast(mask, "float32"), -1)) : (m.apply(x) as tf.Tensor);
      continue;
    }
    const kwargs: tf.serialization.ConfigDict = {};
    // Typed as ConfigDict, but tfjs reads tensors from these keys (RNN.call).
    const loose = kwargs as Record<string, unknown>;
    if (mask !== null) loose["mask"] = mask;
    if (firstRecurrent && initialState) loose["initialState"] = [...initialState];
    const result = layer.apply(x, kwargs) as tf.Tensor | tf.Tensor[];
    outputs = Array.isArray(result) ? result : [result];
    const nextMask = layer.computeMask(x, mask ?? undefined);
    mask = (Array.isArray(nextMask) ? nextMask[0] : nextMask) ?? null;
    x = outputs[0]!;
    firstRecurrent = false;
  }
  return outputs;
}

async function run(c: LayerCase): Promise<EngineOutputs> {
  await ensureBackend();
  if (c.calls.length === 0) return [];
  const model = buildModel(c, c.calls[0]!);
  try {
    return c.calls.map((call) => callModel(model, call));
  } finally {
    disposeModel(model);
  }
}

function disposeModel(model: BuiltModel): void {
  for (const layer of model.layers) {
    if (layer === "masking" || !layer.built) continue;
    // A stateful layer keeps its state tensors outside any tidy; dispose() leaves them.
    for (const rnn of layer instanceof tf.RNN ? [layer] : wrappedLayers(layer)) if (rnn.stateful && rnn.built) tf.dispose(rnn.getStates());
    // A Bidirectional built by build() (not by its first apply) has no reference count, so
    // dispose() refuses it ("has not been used yet"): its variables are disposed one by one.
    if (layer instanceof tf.RNN) layer.dispose();
    else for (const v of layer.weights) v.dispose();
  }
  tf.dispose([...model.weightTensors]);
}

/**
 * Gradients (spec/gradients.md §7.2) by tfjs's own autodiff: per call, `tf.variableGrads` of
 * L = Σ⟨cotangent, output⟩ over the model as `run` applies it, with respect to every recurrent
 * layer's trainable weights (tfjs keeps Keras's layout and gate order, so they come back as Keras's),
 * x and the first layer's starting state. That state is passed as the layer's initialState — the
 * call's own, or a stateful layer's carried one read with getStates() (tfjs's resetStates clones what
 * it is given, which would cut the tape) — so within a call it is an input, and nothing flows into
 * the calls before (§3.4).
 */
async function gradients(req: GradientRequest): Promise<EngineGradients> {
  await ensureBackend();
  if (req.calls.length === 0) return [];
  if (req.layers.some((l) => l.className === "Bidirectional")) throw new UnsupportedCaseError("a Bidirectional's gradients are not in gradient format 1 (spec/gradients.md §3.6)");
  const model = buildModel(req, req.calls[0]!);
  try {
    // Builds every layer with its weights (they are set when a layer is first applied); stateful layers then start again from zeros.
    const first = req.calls[0]!;
    tf.dispose(tf.tidy(() => applyModel(model, toTf(first.x), first, first.initialState?.map(toTf))));
    for (const l of model.layers) if (l instanceof tf.RNN && l.stateful) l.resetStates();
    return req.calls.map((call, n) => callGradients(model, call, req.cotangents[n]!));
  } catch (e) {
    // tfjs's Unpack gradient stacks the per-step gradients and throws when one is missing, as it is for a one-step sequence.
    if (e instanceof Error && e.message.startsWith("Argument tensors passed to stack must be")) throw new UnsupportedCaseError(`tfjs ${tf.version.tfjs} cannot differentiate this case: its Unpack gradient throws "${e.message}" (a one-step sequence)`);
    throw e;
  } finally {
    disposeModel(model);
  }
}

function callGradients(model: BuiltModel, call: CallInputs, cotangents: readonly Tensor[]): GradientAnswer {
  const recurrent = model.layers.flatMap((l, i) => (l instanceof tf.RNN ? [{ index: i, rnn: l }] : []));
  const firstRnn = recurrent[0]!.rnn;
  const x = tf.variable(toTf(call.x), true);
  const given = call.initialState?.map(toTf) ?? (firstRnn.stateful ? firstRnn.getStates().map((s) => s.clone()) : undefined);
  const states = given?.map((s) => tf.variable(s, true));
  tf.dispose(given ?? []);
  const weights = recurrent.map(({ rnn }) => rnn.trainableWeights.map((w) => w.read() as tf.Variable));
  const cots = cotangents.map(toTf);
  try {
    const { value, grads } = tf.variableGrads(() => {
      const outputs = applyModel(model, x, call, states, true);
      return tf.addN(outputs.map((o, k) => tf.sum(tf.mul(o, cots[k]!)))) as tf.Scalar;
    }, [x, ...(states ?? []), ...weights.flat()]);
    const g = (v: tf.Variable): Tensor => fromTf(grads[v.name] ?? tf.zerosLike(v));
    const answer: GradientAnswer = {
      layers: recurrent.map(({ index }, k) => {
        const [kernel, recurrentKernel, bias] = weights[k]!;
        return { layer: index, kernel: g(kernel!), recurrent_kernel: g(recurrentKernel!), ...(bias ? { bias: g(bias) } : {}) };
      }),
      x: g(x),
      ...(states ? { initialState: states.map(g) } : {}),
    };
    tf.dispose([value, ...Object.values(grads)]);
    return answer;
  } finally {
    tf.dispose([x, ...(states ?? []), ...cots]);
  }
}

/** TensorFlow.js recurrent layers (LSTM, GRU, SimpleRNN) on the CPU backend. */
export const engine: Engine = {
  name: "tfjs",
  version: `@tensorflow/tfjs ${tf.version.tfjs}`,
  features: [...features, GRADIENTS_FEATURE],
  run,
  gradients,
};

export default engine;
