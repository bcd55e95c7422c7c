/**
 * Which features a case needs, derived from its layers and inputs (spec/adapter.md §2). A case
 * needing a feature its engine does not declare is *unsupported*, never run and never passed.
 * What a layer needs because of its cell — the cell, its activations, its own options — comes from
 * the cell's descriptor (conformance/cells.ts).
 */
import { sequenceLayers, type LayerCase, type RecurrentLayer } from "./case.ts";
import { CELL_FEATURES, CELL_OPTION_FEATURES, cellFeatures } from "./cells.ts";
import type { Feature } from "./engine.ts";

/** Every feature a case needs, sorted, without duplicates. */
export function requiredFeatures(c: LayerCase): Feature[] {
  const needed = new Set<Feature>();
  const masked = c.calls.some((call) => call.mask !== undefined) || c.layers.some((l) => l.className === "Masking");
  const add = (layer: RecurrentLayer, inBidirectional: boolean): void => {
    // The cell and its activations are always listed: "cell:lstm", "tanh", "sigmoid" are features like any other (spec/adapter.md §2).
    for (const f of cellFeatures(layer)) needed.add(f);
    const { config } = layer;
    if (config.return_sequences) needed.add("return_sequences");
    if (config.return_state) needed.add("return_state");
    if (config.go_backwards) needed.add("go_backwards");
    if (config.stateful) needed.add("stateful");
    if (!config.use_bias) needed.add("use_bias_false");
    // A Bidirectional sets zero_output_for_mask to return_sequences on both its layers
    // (spec/bidirectional.md); without a mask the option changes nothing, so it is needed only with one.
    if (config.zero_output_for_mask === true && (masked || !inBidirectional)) needed.add("zero_output_for_mask");
  };
  const layers = sequenceLayers(c);
  for (const layer of layers) {
    if (layer.className !== "Bidirectional") {
      add(layer, false);
      continue;
    }
    needed.add(BIDIRECTIONAL_FEATURE);
    add(layer.forward, true);
    add(layer.backward, true);
  }
  if (layers.length > 1) needed.add("stacked");
  if (c.calls.length > 1) needed.add("stateful");
  if (c.calls.some((call) => call.mask !== undefined)) needed.add("mask");
  if (c.calls.some((call) => call.initialState !== undefined)) needed.add("initial_state");
  if (c.layers.some((l) => l.className === "Masking")) needed.add("masking_layer");
  if (c.dialect === "tf-keras") needed.add("dialect:tf-keras");
  return [...needed].sort();
}

/**
 * Keras's `Bidirectional` wrapper (spec/bidirectional.md), every merge mode. Not among
 * `OPTION_FEATURES`: an engine that spreads that list has not thereby implemented the wrapper. A
 * layer engine gets it from the suite, which composes the wrapper from two layer calls.
 */
export const BIDIRECTIONAL_FEATURE: Feature = "bidirectional";

/**
 * The gradient capability (spec/gradients.md §7.1): the engine computes gradients (`Engine.gradients`,
 * or a layer engine's `lstmGradients`/`gruGradients`/`simpleRnnGradients`). Not among
 * `OPTION_FEATURES`: spreading that list does not give an engine a backward pass. A scope feature
 * (levels.ts): without it, gradient cases are out of the engine's scope.
 */
export const GRADIENTS_FEATURE: Feature = "gradients";

const isCellFeature = (f: string): boolean => (CELL_FEATURES as readonly string[]).includes(f);

/**
 * What an engine that declares `declared` implements: the same list, and `cell:lstm` when it
 * declares no `cell:*` feature at all — every engine written before GRU and SimpleRNN implements
 * the LSTM only, and keeps doing so unchanged (spec/adapter.md §2).
 */
export function implementedFeatures(declared: readonly Feature[]): Feature[] {
  return declared.some(isCellFeature) ? [...declared] : [...declared, "cell:lstm"];
}

/** The features of `needed` that an engine declaring `declared` does not implement, in order. */
export function missingFeatures(needed: readonly Feature[], declared: readonly Feature[]): Feature[] {
  const have = new Set(implementedFeatures(declared));
  return needed.filter((f) => !have.has(f));
}

/**
 * The options of the recurrent layer and the model, the same for every cell — what an engine
 * declares besides its cells (`CELL_FEATURES`), the cells' own options (`CELL_OPTION_FEATURES`) and
 * its activations. (Engines that spread this list declare every option, never a cell they lack.)
 */
export const OPTION_FEATURES: readonly Feature[] = [
  "return_sequences",
  "return_state",
  "go_backwards",
  "initial_state",
  "mask",
  "masking_layer",
  "zero_output_for_mask",
  "stateful",
  "stacked",
  "use_bias_false",
  "dialect:tf-keras",
];

/** Every concrete feature name this version of the suite knows, for `--help` and documentation. */
export const KNOWN_FEATURES: readonly Feature[] = [...CELL_FEATURES, ...CELL_OPTION_FEATURES, ...OPTION_FEATURES, BIDIRECTIONAL_FEATURE, GRADIENTS_FEATURE];

/** The `activation:<name>` and `recurrent_activation:<name>` features for each Keras activation name an engine implements. */
export function activationFeatures(names: Iterable<string>): Feature[] {
  return [...names].flatMap((n): Feature[] => [`activation:${n}`, `recurrent_activation:${n}`]);
}

/** Whether `s` names a feature this version of the suite knows (engines may declare others; they are ignored). */
export function isFeature(s: string): s is Feature {
  return (KNOWN_FEATURES as readonly string[]).includes(s) || /^(activation|recurrent_activation):[a-z0-9_]+$/.test(s);
}
