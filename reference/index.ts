/**
 * The reference recurrent layers: float64, no dependencies, the spec in code (spec/lstm.md,
 * spec/gru.md, spec/simple-rnn.md, spec/bidirectional.md). Library authors can call `runModel` (or `lstm`, `gru`,
 * `simpleRnn`) to compute what Keras returns for their own weights.
 */
export { activationByName, activationNames, type Activation, type Dialect } from "./activations.ts";
export { MERGE_MODES, flipTime, mergeBidirectional, type MergeMode } from "./bidirectional.ts";
export type { Cell, GateActivations } from "./cells/cell.ts";
export { gruCell, gruCellStep, type GruParams } from "./cells/gru.ts";
export {
  CELL_LAYOUTS,
  GRU_LAYOUT,
  LSTM_LAYOUT,
  SIMPLE_RNN_LAYOUT,
  isCellClassName,
  outputNamesOf,
  type CellClassName,
  type CellKind,
  type CellLayout,
  type LayoutConfig,
  type StateName,
  type WeightShape,
} from "./cells/layout.ts";
export { lstmCell, lstmCellStep, preActivations, type LstmParams, type LstmState } from "./cells/lstm.ts";
export { simpleRnnCell, simpleRnnCellStep, type SimpleRnnParams } from "./cells/simple-rnn.ts";
export { lstmLayerFast } from "./fast.ts";
export { lstmLayer, rnnLayer, type LayerOptions, type LayerResult, type RnnInput, type RnnResult, type SequenceInput } from "./rnn.ts";
export {
  runModel,
  type BidirectionalModelLayer,
  type Direction,
  type KerasGruConfig,
  type KerasLstmConfig,
  type KerasLstmWeights,
  type KerasRnnConfig,
  type KerasRnnWeights,
  type KerasSimpleRnnConfig,
  type LstmLayerFunction,
  type ModelCall,
  type ModelCallResult,
  type ModelLayer,
  type RecurrentModelLayer,
  type ReferenceTensor,
} from "./model.ts";
// Gradients (spec/gradients.md §4): backpropagation through time for the same models.
export { derivativeByName, differentiableActivationNames, type Derivative } from "./gradients/activations.ts";
export { modelGradients, type CallGradients as ModelCallGradients, type GradientCall, type LayerWeightGradients } from "./gradients/model.ts";
import type { Dialect } from "./activations.ts";
import { runModel, type KerasGruConfig, type KerasLstmConfig, type KerasLstmWeights, type KerasRnnWeights, type KerasSimpleRnnConfig, type ModelCall, type ReferenceTensor } from "./model.ts";

/** One LSTM layer called once: `[output]` or `[output, h, c]`, as Keras returns them. */
export function lstm(config: KerasLstmConfig, weights: KerasLstmWeights, call: ModelCall, dialect: Dialect = "keras3"): readonly ReferenceTensor[] {
  return runModel([{ className: "LSTM", config, weights }], [call], dialect)[0]!.outputs;
}

/** One GRU layer called once: `[output]` or `[output, h]`, as Keras returns them (spec/gru.md §3.2). */
export function gru(config: KerasGruConfig, weights: KerasRnnWeights, call: ModelCall, dialect: Dialect = "keras3"): readonly ReferenceTensor[] {
  return runModel([{ className: "GRU", config, weights }], [call], dialect)[0]!.outputs;
}

/** One SimpleRNN layer called once: `[output]` or `[output, h]`, as Keras returns them (spec/simple-rnn.md §3.2). */
export function simpleRnn(config: KerasSimpleRnnConfig, weights: KerasRnnWeights, call: ModelCall, dialect: Dialect = "keras3"): readonly ReferenceTensor[] {
  return runModel([{ className: "SimpleRNN", config, weights }], [call], dialect)[0]!.outputs;
}
