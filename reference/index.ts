/**
 * The reference LSTM: float64, no dependencies, the spec in code (spec/lstm.md). Library authors can
 * call `runModel` (or `lstm`) to compute what Keras returns for their own weights.
 */
export { activationByName, activationNames, type Activation, type Dialect } from "./activations.ts";
export { lstmCellStep, preActivations, type GateActivations, type LstmParams, type LstmState } from "./cell.ts";
export { lstmLayerFast } from "./fast.ts";
export { lstmLayer, type LayerOptions, type LayerResult, type SequenceInput } from "./layer.ts";
export {
  runModel,
  type KerasLstmConfig,
  type KerasLstmWeights,
  type ModelCall,
  type ModelCallResult,
  type ModelLayer,
  type ReferenceTensor,
} from "./model.ts";
import type { Dialect } from "./activations.ts";
import { runModel, type KerasLstmConfig, type KerasLstmWeights, type ModelCall, type ReferenceTensor } from "./model.ts";

/** One LSTM layer called once: `[output]` or `[output, h, c]`, as Keras returns them. */
export function lstm(config: KerasLstmConfig, weights: KerasLstmWeights, call: ModelCall, dialect: Dialect = "keras3"): readonly ReferenceTensor[] {
  return runModel([{ className: "LSTM", config, weights }], [call], dialect)[0]!.outputs;
}
