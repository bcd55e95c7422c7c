/**
 * Activation mistakes: the wrong hard_sigmoid formula for the Keras version (spec/lstm.md §4),
 * sigmoid where the config asks for another recurrent activation and vice versa, the configured
 * activation ignored (spec/lstm.md §2, §3 activations).
 */
import type { Dialect, LayerCase, LstmLayer } from "../case.ts";
import type { EngineOutputs } from "../engine.ts";
import { STAGES, type Hypothesis, type Oracle } from "./hypothesis.ts";
import { mapLstmLayers } from "./case-transforms.ts";
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

const usesHardSigmoid = (c: LayerCase): boolean =>
  c.layers.some((l) => l.className === "LSTM" && (l.config.recurrent_activation === "hard_sigmoid" || l.config.activation === "hard_sigmoid"));

/**
 * hard_sigmoid computed with the formula of the Keras version that did not write the case: the
 * reference's dialect switched (it fixes only the meaning of hard_sigmoid).
 */
function hardSigmoidOtherVersion(caseDialect: "keras3" | "tf-keras"): Hypothesis {
  const keras3 = caseDialect === "keras3";
  return {
    id: keras3 ? "hard-sigmoid:0.2x+0.5" : "hard-sigmoid:x/6+0.5",
    touches: ["hard-sigmoid"],
    stage: STAGES.arithmetic,
    explanation: keras3
      ? "your engine matches Keras if hard_sigmoid is clip(0.2·x + 0.5, 0, 1) (Keras 2 / tf-keras / tfjs); " +
        "Keras 3 computes clip(x/6 + 0.5, 0, 1) (spec/lstm.md §4)"
      : "your engine matches Keras if hard_sigmoid is clip(x/6 + 0.5, 0, 1) (Keras 3); " +
        "tf-keras / Keras 2 compute clip(0.2·x + 0.5, 0, 1) (spec/lstm.md §4)",
    async predict(c, oracle) {
      if (c.dialect !== caseDialect || !usesHardSigmoid(c)) return null;
      return inDialect(c, keras3 ? "tf-keras" : "keras3", oracle);
    },
  };
}

function setActivation(key: "activation" | "recurrent_activation", name: string, when: (current: string) => boolean) {
  return (layer: LstmLayer): LstmLayer | null => {
    const current = layer.config[key];
    return when(current) ? { ...layer, config: { ...layer.config, [key]: name } } : layer;
  };
}

/** Applies a per-layer change; not applicable when no layer changed. */
function changedLayers(c: LayerCase, f: (layer: LstmLayer) => LstmLayer | null): LayerCase | null {
  let changed = false;
  const out = mapLstmLayers(c, (layer) => {
    const mapped = f(layer);
    if (mapped !== layer) changed = true;
    return mapped;
  });
  return changed ? out : null;
}

export const recurrentSigmoidAssumed: Hypothesis = {
  id: "recurrent-activation:sigmoid",
  touches: ["recurrent-activation"],
  stage: STAGES.arithmetic,
  explanation:
    "your engine matches Keras if the recurrent activation is sigmoid whatever the config says: " +
    "use the config's recurrent_activation for the i, f and o gates (spec/lstm.md §2)",
  async predict(c, oracle) {
    const t = changedLayers(c, setActivation("recurrent_activation", "sigmoid", (a) => a !== "sigmoid"));
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
      const t = changedLayers(c, setActivation("recurrent_activation", "hard_sigmoid", (a) => a === "sigmoid"));
      return t ? inDialect(t, dialect, oracle) : null;
    },
  };
}

export const activationTanhAssumed: Hypothesis = {
  id: "activation:tanh",
  touches: ["activation"],
  stage: STAGES.arithmetic,
  explanation:
    "your engine matches Keras if the cell activation is tanh whatever the config says: use the config's activation " +
    "for the candidate and for c_t (spec/lstm.md §2)",
  async predict(c, oracle) {
    const t = changedLayers(c, setActivation("activation", "tanh", (a) => a !== "tanh"));
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
