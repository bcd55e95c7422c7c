/**
 * How each recurrent cell Keras has lays out its weights and states, as data: the one place the
 * suite says it (spec/lstm.md §1, spec/gru.md §1, spec/simple-rnn.md §1). The reference checks
 * weights against it; the suite (conformance/cells.ts) derives from it what a case's layer must
 * hold, the output names, the features, the shapes a layer engine gets and returns.
 *
 * Every cell is a fused layout: `kernel (D, n·u)`, `recurrent_kernel (u, n·u)` and an optional bias,
 * all `n` blocks of `u` columns side by side in the order of `blocks`. What differs: the blocks, the
 * bias shape (GRU: two rows with `reset_after`), the states and the activations read.
 */

/** Keras's class names of the recurrent layers the suite knows. */
export type CellClassName = "LSTM" | "GRU" | "SimpleRNN";

/** Keras's snake_case name of each: the first segment of a case id (`gru/masking/…`) and the feature `cell:<kind>`. */
export type CellKind = "lstm" | "gru" | "simple_rnn";

export type StateName = "h" | "c";

/** The keys of a layer's config its layout depends on, with Keras's names; a missing key takes Keras 3's default. */
export interface LayoutConfig {
  readonly units: number;
  readonly use_bias?: boolean;
  /** GRU only (spec/gru.md §1.3); Keras 3's default is true. */
  readonly reset_after?: boolean;
}

/** One tensor of `get_weights()`: its name and shape (spec/fixture-format.md §3.1). */
export interface WeightShape {
  readonly name: "kernel" | "recurrent_kernel" | "bias";
  readonly shape: readonly number[];
}

export interface CellLayout {
  readonly kind: CellKind;
  readonly className: CellClassName;
  /** The spec chapter; its §1 says the weights, §2 the step, §3 the options. */
  readonly chapter: "spec/lstm.md" | "spec/gru.md" | "spec/simple-rnn.md";
  /** The column blocks of every weight tensor, in Keras's order, each `units` wide (chapter §1.2). */
  readonly blocks: readonly string[];
  /**
   * The states, in Keras's order: what `initial_state` takes and what `return_state` returns after the
   * output (spec/lstm.md §3.2, §3.4; spec/gru.md §3.2). State 0 is always h, the output of a step.
   */
  readonly states: readonly StateName[];
  /** The activation keys the cell reads, each with Keras 3's default (chapter §3.8). */
  readonly activations: Readonly<Partial<Record<"activation" | "recurrent_activation", string>>>;
  /** `get_weights()`: names and shapes, in order, for a config and the layer's input width (chapter §1.1). */
  weights(config: LayoutConfig, inputDim: number): readonly WeightShape[];
}

/** kernel, recurrent_kernel and — with use_bias — a bias of `biasShape`, for `n` blocks of `u` columns. */
function fused(config: LayoutConfig, inputDim: number, n: number, biasShape: readonly number[]): WeightShape[] {
  const u = config.units;
  const weights: WeightShape[] = [
    { name: "kernel", shape: [inputDim, n * u] },
    { name: "recurrent_kernel", shape: [u, n * u] },
  ];
  if (config.use_bias ?? true) weights.push({ name: "bias", shape: biasShape });
  return weights;
}

export const LSTM_LAYOUT: CellLayout = {
  kind: "lstm",
  className: "LSTM",
  chapter: "spec/lstm.md",
  blocks: ["i", "f", "c", "o"], // spec/lstm.md §1.2
  states: ["h", "c"], // §2.1: the cell returns [h, c]
  activations: { activation: "tanh", recurrent_activation: "sigmoid" },
  weights: (config, inputDim) => fused(config, inputDim, 4, [4 * config.units]),
};

export const GRU_LAYOUT: CellLayout = {
  kind: "gru",
  className: "GRU",
  chapter: "spec/gru.md",
  blocks: ["z", "r", "h"], // spec/gru.md §1.2
  states: ["h"], // §1.1: one state
  activations: { activation: "tanh", recurrent_activation: "sigmoid" },
  // §1.3: reset_after=True (the default) has an input and a recurrent bias, rows 0 and 1.
  weights: (config, inputDim) => fused(config, inputDim, 3, (config.reset_after ?? true) ? [2, 3 * config.units] : [3 * config.units]),
};

export const SIMPLE_RNN_LAYOUT: CellLayout = {
  kind: "simple_rnn",
  className: "SimpleRNN",
  chapter: "spec/simple-rnn.md",
  blocks: ["h"], // spec/simple-rnn.md §1.2: one block, no gates
  states: ["h"],
  activations: { activation: "tanh" }, // §3.8: no recurrent_activation
  weights: (config, inputDim) => fused(config, inputDim, 1, [config.units]),
};

/** Every layout, by Keras class name. */
export const CELL_LAYOUTS: Readonly<Record<CellClassName, CellLayout>> = { LSTM: LSTM_LAYOUT, GRU: GRU_LAYOUT, SimpleRNN: SIMPLE_RNN_LAYOUT };

/** Whether `name` is the class name of a recurrent layer the suite knows. */
export const isCellClassName = (name: string): name is CellClassName => Object.hasOwn(CELL_LAYOUTS, name);

/** Keras's names for what a layer returns: `[output]`, or with return_state `[output, ...states]` (spec/lstm.md §3.2). */
export function outputNamesOf(layout: CellLayout, returnState: boolean): readonly string[] {
  return returnState ? ["output", ...layout.states] : ["output"];
}
