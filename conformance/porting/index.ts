/**
 * Weight converters between Keras and other frameworks (spec/porting.md). Pure functions on `Tensor`;
 * every conversion that loses information says LOSSY in its doc comment.
 */
export { IFCO, IOFC, ICFO, IFOC, WeightShapeError, reorderBlocks, reorderGates, splitBias, type BiasSplit, type Gate, type GateOrder } from "./gates.ts";
export { kerasToOnnx, onnxToKeras, type OnnxLstmWeights } from "./onnx.ts";
export { kerasToPytorch, pytorchToKeras, kerasToPytorchStateDict, pytorchStateDictToKeras, pytorchParamName, type PytorchLstmParams, type PytorchRnnParams, type KerasStackLayer, type KerasDirections } from "./pytorch.ts";
export { kerasToCudnnCanonical, cudnnCanonicalToKeras, kerasToCudnnLstmLayer, cudnnLstmLayerToKeras, type CudnnLstmCanonical, type KerasCudnnLstmWeights } from "./cudnn.ts";
export { keras1ToKeras, kerasToKeras1, keras1ConfigToKeras, KERAS1_LSTM_WEIGHT_ORDER } from "./keras1.ts";
export { tf1LstmCellToKeras, kerasToTf1LstmCell, type Tf1LstmCellWeights } from "./tf1.ts";
export { kerasToTflite, tfliteToKeras, type TfliteLstmTensors } from "./tflite.ts";
export {
  ZRH,
  RZH,
  reorderGruGates,
  kerasGruToPytorch,
  pytorchGruToKeras,
  kerasGruToPytorchStateDict,
  pytorchGruStateDictToKeras,
  kerasGruToOnnx,
  onnxGruToKeras,
  kerasGruToCudnnCanonical,
  cudnnGruCanonicalToKeras,
  kerasToCudnnGruLayer,
  cudnnGruLayerToKeras,
  keras1GruToKeras,
  kerasToKeras1Gru,
  keras1GruConfigToKeras,
  KERAS1_GRU_WEIGHT_ORDER,
  tf1GruCellToKeras,
  kerasToTf1GruCell,
  type GruGate,
  type GruGateOrder,
  type GruOptions,
  type KerasGru,
  type OnnxGruWeights,
  type CudnnGruCanonical,
  type KerasCudnnGruWeights,
  type Tf1GruCellWeights,
} from "./gru.ts";
export {
  kerasSimpleRnnToPytorch,
  pytorchRnnToKeras,
  kerasSimpleRnnToPytorchStateDict,
  pytorchRnnStateDictToKeras,
  kerasSimpleRnnToOnnx,
  onnxRnnToKeras,
  keras1SimpleRnnToKeras,
  kerasToKeras1SimpleRnn,
  KERAS1_SIMPLE_RNN_WEIGHT_ORDER,
  tf1RnnCellToKeras,
  kerasToTf1RnnCell,
  type OnnxRnnWeights,
  type Tf1RnnCellWeights,
} from "./simple-rnn.ts";
export { LAYOUTS, type Layout, type NamedTensors } from "./layouts.ts";
export { readKerasModel, selectLstm, type KerasModelFile, type ModelLstm, type ModelRecurrentLayer } from "../models/read-model.ts";
