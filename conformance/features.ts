/**
 * Which features a case needs, derived from its layers and inputs (spec/adapter.md §2). A case
 * needing a feature its engine does not declare is *unsupported*, never run and never passed.
 */
import { lstmLayers, type LayerCase } from "./case.ts";
import type { Feature } from "./engine.ts";

/** Every feature a case needs, sorted, without duplicates. */
export function requiredFeatures(c: LayerCase): Feature[] {
  const needed = new Set<Feature>();
  const lstms = lstmLayers(c);
  for (const { config } of lstms) {
    // Activations are always listed: "tanh"/"sigmoid" are features like any other (spec/adapter.md §2).
    needed.add(`activation:${config.activation}`);
    needed.add(`recurrent_activation:${config.recurrent_activation}`);
    if (config.return_sequences) needed.add("return_sequences");
    if (config.return_state) needed.add("return_state");
    if (config.go_backwards) needed.add("go_backwards");
    if (config.stateful) needed.add("stateful");
    if (!config.use_bias) needed.add("use_bias_false");
    if (config.zero_output_for_mask === true) needed.add("zero_output_for_mask");
  }
  if (lstms.length > 1) needed.add("stacked");
  if (c.calls.length > 1) needed.add("stateful");
  if (c.calls.some((call) => call.mask !== undefined)) needed.add("mask");
  if (c.calls.some((call) => call.initialState !== undefined)) needed.add("initial_state");
  if (c.layers.some((l) => l.className === "Masking")) needed.add("masking_layer");
  if (c.dialect === "tf-keras") needed.add("dialect:tf-keras");
  return [...needed].sort();
}

/** The features of `needed` that `engine` does not declare, in order. */
export function missingFeatures(needed: readonly Feature[], declared: readonly Feature[]): Feature[] {
  const have = new Set(declared);
  return needed.filter((f) => !have.has(f));
}

/** Every concrete feature name this version of the suite knows, for `--help` and documentation. */
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

/** The `activation:<name>` and `recurrent_activation:<name>` features for each Keras activation name an engine implements. */
export function activationFeatures(names: Iterable<string>): Feature[] {
  return [...names].flatMap((n): Feature[] => [`activation:${n}`, `recurrent_activation:${n}`]);
}

/** Whether `s` names a feature this version of the suite knows (engines may declare others; they are ignored). */
export function isFeature(s: string): s is Feature {
  return (OPTION_FEATURES as readonly string[]).includes(s) || /^(activation|recurrent_activation):[a-z0-9_]+$/.test(s);
}
