/**
 * Weight converters between Keras and other frameworks (spec/porting.md). Pure functions on `Tensor`;
 * every conversion that loses information says LOSSY in its doc comment.
 */
export { IFCO, IOFC, ICFO, IFOC, WeightShapeError, reorderGates, splitBias, type BiasSplit, type Gate, type GateOrder } from "./gates.ts";
export { kerasToOnnx, onnxToKeras, type OnnxLstmWeights } from "./onnx.ts";
export { kerasToPytorch, pytorchToKeras, kerasToPytorchStateDict, pytorchStateDictToKeras, pytorchParamName, type PytorchLstmParams, type KerasStackLayer } from "./pytorch.ts";
export { kerasToCudnnCanonical, cudnnCanonicalToKeras, kerasToCudnnLstmLayer, cudnnLstmLayerToKeras, type CudnnLstmCanonical, type KerasCudnnLstmWeights } from "./cudnn.ts";
export { keras1ToKeras, kerasToKeras1, keras1ConfigToKeras, KERAS1_LSTM_WEIGHT_ORDER } from "./keras1.ts";
export { tf1LstmCellToKeras, kerasToTf1LstmCell, type Tf1LstmCellWeights } from "./tf1.ts";
export { kerasToTflite, tfliteToKeras, type TfliteLstmTensors } from "./tflite.ts";
export { LAYOUTS, type Layout, type NamedTensors } from "./layouts.ts";
export { readKerasModel, selectLstm, type KerasModelFile, type ModelLstm, type ModelRecurrentLayer } from "../models/read-model.ts";
