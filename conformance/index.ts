/**
 * The public API of keras-rnn-conformance (spec/adapter.md). Everything a library author needs to
 * write an engine, run the suite from code and render its reports; nothing else is exported.
 */
export type {
  Engine,
  EngineGradients,
  EngineOutputs,
  Feature,
  GruCotangents,
  GruGradientCall,
  LayerGradients,
  LstmCotangents,
  LstmGradientCall,
  RecurrentGradientCall,
  SimpleRnnCotangents,
  SimpleRnnGradientCall,
  GruLayerCall,
  GruLayerOutputs,
  LayerEngine,
  LayerTensor,
  LstmLayerCall,
  LstmLayerOutputs,
  RecurrentLayerCall,
  RecurrentLayerOutputs,
  SimpleRnnLayerCall,
  SimpleRnnLayerOutputs,
} from "./engine.ts";
export { UnsupportedCaseError } from "./engine.ts";
export { layerEngine, layerEngineFeatures } from "./engines/layer-engine.ts";
// spec/gradients.md §7: the gradient capability — what an engine receives and returns, and the suite's composition for layer engines.
export type { GradientAnswer, GradientRequest } from "./gradients/case.ts";
export { layerGradients } from "./engines/layer-gradients.ts";
export type { BoolTensor, Tensor } from "./tensor.ts";
export { tensor, sizeOf, sameShape, formatShape } from "./tensor.ts";
export type {
  BackendRun,
  CallInputs,
  Dialect,
  ExpectedCall,
  FixtureCase,
  GruConfig,
  GruLayer,
  GruWeights,
  Layer,
  LayerCase,
  LstmConfig,
  LstmLayer,
  LstmWeights,
  MaskingLayer,
  RecurrentConfig,
  RecurrentLayer,
  RecurrentWeights,
  SimpleRnnConfig,
  SimpleRnnLayer,
  SimpleRnnWeights,
  StepRecord,
  Tolerance,
} from "./case.ts";
export { lstmLayers, recurrentLayers } from "./case.ts";
export { CELLS, CELL_FEATURES, CELL_OPTION_FEATURES, cellOf, type CellClassName, type CellDescriptor, type CellFeature, type CellKind } from "./cells.ts";
export { compareTensors, describeComparison, type TensorComparison } from "./compare.ts";
export { loadFixtureDir, loadFixtureFile, loadFixtures, formatLoadError, type LoadError, type LoadResult, type IgnoredFile } from "./fixtures/load.ts";
export { requiredFeatures, missingFeatures, implementedFeatures, OPTION_FEATURES, KNOWN_FEATURES } from "./features.ts";
export { CORE_FEATURES, LEVEL_DESCRIPTIONS, isCoreCase, levelReached, type ConformanceLevel } from "./levels.ts";
export { runSuite, DEFAULT_TIMEOUT_MS, type RunOptions } from "./runner.ts";
export type { PropertyOptions } from "./run-properties.ts";
export { selectCases, matchesIdPattern, parseShard, type Shard } from "./select.ts";
export { parseExpectations, expectationFor, unmatchedExpectations, type Expectations, type ExpectationEntry, type ParsedExpectations } from "./expectations.ts";
export {
  CASE_STATUSES,
  familyOf,
  type AppliedExpectation,
  type CaseStatus,
  type CaseVerdict,
  type Diagnosis,
  type ElementLocation,
  type FirstDivergence,
  type PropertyResult,
  type StatusCounts,
  type SuiteResult,
} from "./verdict.ts";
export {
  REPORT_FORMATS,
  renderReport,
  toJsonReport,
  fromJsonReport,
  toJunitXml,
  toMarkdown,
  toBadge,
  formatConsoleReport,
  formatVerdict,
  mergeResults,
  type ReportFormat,
  type JsonReport,
  type ShieldsEndpoint,
} from "./reports/index.ts";
export { loadEngine, engineFromModule, BUILTIN_ENGINES } from "./engines/registry.ts";
export { referenceEngine } from "./engines/reference.ts";
export { defaultFixturesDir } from "./package-paths.ts";
// Weight converters between Keras and other frameworks, and the reader of Keras model files (spec/porting.md).
export * from "./porting/index.ts";
