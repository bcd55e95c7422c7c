/**
 * Activation mistakes: the wrong hard_sigmoid formula for the Keras version (spec/lstm.md §4),
 * sigmoid where the config asks for another recurrent activation and vice versa, the configured
 * activation ignored (spec/lstm.md §2, §3 activations). Each reads which activations a layer has
 * from its cell's descriptor (conformance/cells.ts): a SimpleRNN has no recurrent_activation
 * (spec/simple-rnn.md §3.8); the names and formulas are the same for every cell (spec/gru.md §3.8).
 */
import { cellLayers, type Dialect, type LayerCase, type RecurrentLayer } from "../case.ts";
import { CELL_LIST, cellOf, type CellClassName } from "../cells.ts";
import type { EngineOutputs } from "../engine.ts";
import { STAGES, type Hypothesis, type Oracle } from "./hypothesis.ts";
import { mapLayersOf, withConfig } from "./case-transforms.ts";
import { cellWorded } from "./cell-words.ts";
import { runLayerwise } from "./layerwise.ts";

/**
 * The case computed by the oracle under another dialect, which changes what hard_sigmoid means
 * (spec/lstm.md §4). The reference's dialect also decides whether a Masking mask reaches a layer
 * called with initial_state (§3.5.7); in such a case the layers are run one by one, with the mask
 * passed explicitly where the case's own dialect applies it (layerwise.ts).
 */
function inDialect(c: LayerCase, dialect: Dialect, oracle: Oracle): Promise<EngineOutputs | null> {
  const routesMask = c.layers.some((l) => l.className === "Masking") && c.calls.some((call) => call.initialState);
  return routesMask ? runLayerwise(c, (sub) => oracle({ ...sub, dialect }), {}) : oracle({ ...c, dialect });
}

type ActivationKey = "activation" | "recurrent_activation";

/** The cells that read `key` (their descriptors' `activations`). */
const cellsReading = (key: ActivationKey): CellClassName[] => CELL_LIST.filter((d) => key in d.activations).map((d) => d.className);

/** A layer's value of `key`, when its cell reads that key. */
const activationOf = (layer: RecurrentLayer, key: ActivationKey): unknown => (key in cellOf(layer).activations ? layer.config[key] : undefined);

const usesHardSigmoid = (c: LayerCase): boolean =>
  cellLayers(c).some((l) => activationOf(l, "recurrent_activation") === "hard_sigmoid" || activationOf(l, "activation") === "hard_sigmoid");

/**
 * hard_sigmoid computed with the formula of the Keras version that did not write the case: the
 * reference's dialect switched (it fixes only the meaning of hard_sigmoid).
 */
function hardSigmoidOtherVersion(caseDialect: "keras3" | "tf-keras"): Hypothesis {
  const keras3 = caseDialect === "keras3";
  const lstm = keras3
    ? "your engine matches Keras if hard_sigmoid is clip(0.2·x + 0.5, 0, 1) (Keras 2 / tf-keras / tfjs); " +
      "Keras 3 computes clip(x/6 + 0.5, 0, 1) (spec/lstm.md §4)"
    : "your engine matches Keras if hard_sigmoid is clip(x/6 + 0.5, 0, 1) (Keras 3); " +
      "tf-keras / Keras 2 compute clip(0.2·x + 0.5, 0, 1) (spec/lstm.md §4)";
  return {
    id: keras3 ? "hard-sigmoid:0.2x+0.5" : "hard-sigmoid:x/6+0.5",
    touches: ["hard-sigmoid"],
    stage: STAGES.arithmetic,
    // the formulas are spec/lstm.md §4's for every cell; spec/gru.md and spec/simple-rnn.md §3.8 say so
    ...cellWorded(lstm, (cell) => lstm.replace("(spec/lstm.md §4)", `(spec/lstm.md §4, ${cell.chapter} §3.8)`)),
    async predict(c, oracle) {
      if (c.dialect !== caseDialect || !usesHardSigmoid(c)) return null;
      return inDialect(c, keras3 ? "tf-keras" : "keras3", oracle);
    },
  };
}

/**
 * Sets `key` to `name` in every layer whose cell reads `key` and whose value passes `when`; null when
 * no layer changed (the mistake is not observable in this case).
 */
function setActivation(c: LayerCase, key: ActivationKey, name: string, when: (current: string) => boolean): LayerCase | null {
  let changed = false;
  const out = mapLayersOf(c, cellsReading(key), (layer) => {
    if (!when(String(layer.config[key]))) return layer;
    changed = true;
    return withConfig(layer, { [key]: name });
  });
  return changed ? out : null;
}

/** The gates the recurrent activation drives, per cell (spec/lstm.md §2.1, spec/gru.md §3.8). */
const GATES: Readonly<Record<string, string>> = { lstm: "i, f and o", gru: "z and r" };

export const recurrentSigmoidAssumed: Hypothesis = {
  id: "recurrent-activation:sigmoid",
  touches: ["recurrent-activation"],
  stage: STAGES.arithmetic,
  ...cellWorded(
    "your engine matches Keras if the recurrent activation is sigmoid whatever the config says: " +
      "use the config's recurrent_activation for the i, f and o gates (spec/lstm.md §2)",
    (cell) =>
      "your engine matches Keras if the recurrent activation is sigmoid whatever the config says: " +
      `use the config's recurrent_activation for the ${GATES[cell.kind] ?? ""} gates (${cell.chapter} §3.8)`,
  ),
  async predict(c, oracle) {
    const t = setActivation(c, "recurrent_activation", "sigmoid", (a) => a !== "sigmoid");
    return t ? oracle(t) : null;
  },
};

/** hard_sigmoid used where the config says sigmoid, with one version's formula. */
function hardSigmoidForSigmoid(dialect: "keras3" | "tf-keras"): Hypothesis {
  const formula = dialect === "keras3" ? "clip(x/6 + 0.5, 0, 1)" : "clip(0.2·x + 0.5, 0, 1)";
  return {
    id: `recurrent-activation:hard_sigmoid(${dialect})`,
    touches: ["recurrent-activation", "hard-sigmoid"],
    stage: STAGES.arithmetic,
    explanation:
      `your engine matches Keras if the recurrent activation is hard_sigmoid ${formula} where the config says sigmoid ` +
      "(tfjs and Keras ≤ 2.2 default to hard_sigmoid; a config's explicit value wins) (spec/lstm.md §2, §4)",
    async predict(c, oracle) {
      const t = setActivation(c, "recurrent_activation", "hard_sigmoid", (a) => a === "sigmoid");
      return t ? inDialect(t, dialect, oracle) : null;
    },
  };
}

export const activationTanhAssumed: Hypothesis = {
  id: "activation:tanh",
  touches: ["activation"],
  stage: STAGES.arithmetic,
  ...cellWorded(
    "your engine matches Keras if the cell activation is tanh whatever the config says: use the config's activation " +
      "for the candidate and for c_t (spec/lstm.md §2)",
    (cell) =>
      "your engine matches Keras if the cell activation is tanh whatever the config says (PyTorch's default nonlinearity): use the config's activation " +
      (cell.kind === "gru" ? "for the candidate h̃ (spec/gru.md §2.1, §3.8)" : "in h_t = act(x_t·W + b + h_{t-1}·U) (spec/simple-rnn.md §2.1, §3.8)"),
  ),
  async predict(c, oracle) {
    const t = setActivation(c, "activation", "tanh", (a) => a !== "tanh");
    return t ? oracle(t) : null;
  },
};

export const activationHypotheses: readonly Hypothesis[] = [
  hardSigmoidOtherVersion("keras3"),
  hardSigmoidOtherVersion("tf-keras"),
  recurrentSigmoidAssumed,
  hardSigmoidForSigmoid("tf-keras"),
  hardSigmoidForSigmoid("keras3"),
  activationTanhAssumed,
];
