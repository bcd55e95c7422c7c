/**
 * The engines of the forward benchmark, each prepared once per size (model built, weights loaded,
 * session created) so that the timed part is the forward pass alone — what a deployed model pays
 * per call. The reference is timed through its `Engine.run`, conversions included (a conservative
 * figure for it); "reference (readable)" is the spec path (reference/rnn.ts + cells/lstm.ts) for
 * comparison. `REFERENCE_CELLS`: the reference's forward per cell — its two LSTM paths (the rows above)
 * next to its GRU (either reset_after) and SimpleRNN, each timed through `Engine.run` as the LSTM is.
 */
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-web";
import { lstmLayers, type LayerCase } from "../../conformance/case.ts";
import { buildOnnxLstmModel, onnxNames } from "../../conformance/engines/onnx-model.ts";
import { referenceEngine } from "../../conformance/engines/reference.ts";
import { runModel } from "../../reference/index.ts";
import { CELL_FLOPS, type CellVariant, type LstmSize } from "./flops.ts";
import { cellBenchCase } from "./grid.ts";

/** A prepared forward: `run` computes the output sequence (B, T, U), batch-major, as Keras returns it. */
export interface PreparedForward {
  run(): Promise<Float32Array> | Float32Array;
  dispose(): Promise<void> | void;
}

export interface ForwardEngine {
  readonly name: string;
  readonly version: string;
  /** Why this engine cannot run here (the benchmark says so and goes on), or null. */
  readonly unavailable: () => Promise<string | null>;
  prepare(size: LstmSize, c: LayerCase): Promise<PreparedForward>;
}

const referenceFast: ForwardEngine = {
  name: "reference",
  version: `${referenceEngine.version} (fast path, float64)`,
  unavailable: async () => null,
  prepare: async (_size, c) => ({
    run: () => (referenceEngine.run(c) as readonly (readonly { data: Float32Array }[])[])[0]![0]!.data,
    dispose: () => undefined,
  }),
};

const referenceReadable: ForwardEngine = {
  name: "reference (readable)",
  version: `${referenceEngine.version} (reference/rnn.ts + cells/lstm.ts, float64)`,
  unavailable: async () => null,
  prepare: async (size, c) => {
    const l = lstmLayers(c)[0]!;
    const layer = { className: "LSTM" as const, config: l.config, weights: { kernel: l.weights.kernel.data, recurrent_kernel: l.weights.recurrent_kernel.data, bias: l.weights.bias!.data } };
    const call = { x: c.calls[0]!.x.data, shape: [size.batch, size.timesteps, size.inputDim] as const };
    return { run: () => Float32Array.from(runModel([layer], [call], c.dialect)[0]!.outputs[0]!.data), dispose: () => undefined };
  },
};

let wasmLoaded: Promise<string | null> | undefined;
/** The WASM backend registers itself on import; it runs from node_modules without any download. */
function loadTfjsWasm(): Promise<string | null> {
  wasmLoaded ??= import("@tensorflow/tfjs-backend-wasm").then(
    () => null,
    (e: unknown) => `@tensorflow/tfjs-backend-wasm is not installed (${(e as Error).message.split("\n")[0]})`,
  );
  return wasmLoaded;
}

function tfjsEngine(backend: "cpu" | "wasm"): ForwardEngine {
  return {
    name: `tfjs ${backend}`,
    version: `@tensorflow/tfjs ${tf.version.tfjs}, ${backend} backend`,
    unavailable: async () => {
      if (backend === "wasm") {
        const missing = await loadTfjsWasm();
        if (missing) return missing;
      }
      tf.enableProdMode();
      return (await tf.setBackend(backend)) ? null : `tfjs: the ${backend} backend could not be initialised`;
    },
    prepare: async (size, c) => {
      await tf.setBackend(backend);
      await tf.ready();
      const l = lstmLayers(c)[0]!;
      const w = l.weights;
      const layer = tf.layers.lstm({
        units: size.units,
        activation: "tanh",
        recurrentActivation: "sigmoid", // tfjs's default is hardSigmoid; Keras's is sigmoid
        returnSequences: true,
        implementation: 2,
        kernelInitializer: "zeros",
        recurrentInitializer: "zeros",
        biasInitializer: "zeros",
        inputShape: [size.timesteps, size.inputDim],
      });
      const x = tf.tensor(c.calls[0]!.x.data, [size.batch, size.timesteps, size.inputDim]);
      tf.dispose(layer.apply(x) as tf.Tensor); // builds the layer (with zero weights) so that setWeights can fill it
      layer.setWeights([tf.tensor(w.kernel.data, [...w.kernel.shape]), tf.tensor(w.recurrent_kernel.data, [...w.recurrent_kernel.shape]), tf.tensor(w.bias!.data, [...w.bias!.shape])]);
      return {
        run: async () => {
          const y = layer.apply(x) as tf.Tensor;
          const data = (await y.data()) as Float32Array;
          y.dispose();
          return data;
        },
        dispose: () => {
          x.dispose();
          layer.dispose();
        },
      };
    },
  };
}

const onnxruntimeNode: ForwardEngine = {
  name: "onnxruntime-web (Node)",
  version: `onnxruntime-web ${ort.env.versions.web ?? "?"}, wasm, ${String(ort.env.wasm.numThreads ?? 1)} thread`,
  unavailable: async () => null,
  prepare: async (size, c) => {
    const { batch: B, timesteps: T, inputDim: D, units: U } = size;
    ort.env.wasm.numThreads = 1; // as the onnxruntime engine runs it
    const model = buildOnnxLstmModel(lstmLayers(c), c.dialect, { batch: B, timesteps: T, inputDim: D }, false);
    const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all", logSeverityLevel: 3 });
    const x = c.calls[0]!.x.data;
    const timeMajor = new Float32Array(x.length); // ONNX layout 0: (T, B, D)
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) timeMajor.set(x.subarray((b * T + t) * D, (b * T + t + 1) * D), (t * B + b) * D);
    const feeds = {
      [onnxNames.x]: new ort.Tensor("float32", timeMajor, [T, B, D]),
      [onnxNames.h0(0)]: new ort.Tensor("float32", new Float32Array(B * U), [1, B, U]),
      [onnxNames.c0(0)]: new ort.Tensor("float32", new Float32Array(B * U), [1, B, U]),
    };
    return {
      run: async () => {
        const y = (await session.run(feeds))[onnxNames.y(0)]!.data as Float32Array; // (T, 1, B, U)
        const out = new Float32Array(B * T * U);
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(y.subarray((t * B + b) * U, (t * B + b + 1) * U), (b * T + t) * U);
        return out;
      },
      dispose: () => session.release(),
    };
  },
};

/** In the order of the results table. */
export const FORWARD_ENGINES: readonly ForwardEngine[] = [referenceFast, referenceReadable, tfjsEngine("cpu"), tfjsEngine("wasm"), onnxruntimeNode];

/** One row of the per-cell table: the reference's forward of one cell, over the same grid. */
export interface ReferenceCellForward {
  readonly name: string;
  readonly cell: CellVariant;
  /** Which code computes it, and whether it is what the reference engine runs for this cell. */
  readonly path: string;
  /**
   * The row of `FORWARD_ENGINES` whose measurement this is (the LSTM's two paths are measured once,
   * there), or null: measured as a row of its own, size by size right after those two.
   */
  readonly sameAs: string | null;
  /** The bench case of `size` for this cell (grid.ts cellBenchCase). */
  readonly benchCase: (size: LstmSize) => LayerCase;
  prepare(size: LstmSize, c: LayerCase): Promise<PreparedForward>;
}

/** In the order of the per-cell table; FLOPs per cell as scripts/bench/flops.ts counts them. */
export const REFERENCE_CELLS: readonly ReferenceCellForward[] = [
  {
    name: "LSTM (fast path)",
    cell: "lstm",
    path: "reference/fast.ts `lstmLayerFast`: what the reference engine runs for every LSTM layer",
    sameAs: referenceFast.name,
    benchCase: (s) => cellBenchCase("lstm", s),
    prepare: referenceFast.prepare,
  },
  {
    name: "LSTM (readable)",
    cell: "lstm",
    path: "reference/rnn.ts loop + cells/lstm.ts: the spec in code, not what the engine runs",
    sameAs: referenceReadable.name,
    benchCase: (s) => cellBenchCase("lstm", s),
    prepare: referenceReadable.prepare,
  },
  {
    name: "GRU reset_after=true",
    cell: "gru",
    path: "reference/rnn.ts loop + cells/gru.ts: what the reference engine runs for a GRU (there is no fast GRU path)",
    sameAs: null,
    benchCase: (s) => cellBenchCase("gru", s),
    prepare: referenceFast.prepare, // Engine.run, as for the LSTM
  },
  {
    name: "GRU reset_after=false",
    cell: "gru_reset_before",
    path: "reference/rnn.ts loop + cells/gru.ts, the reset before the recurrent product: what the reference engine runs (no fast path)",
    sameAs: null,
    benchCase: (s) => cellBenchCase("gru_reset_before", s),
    prepare: referenceFast.prepare,
  },
  {
    name: "SimpleRNN",
    cell: "simple_rnn",
    path: "reference/rnn.ts loop + cells/simple-rnn.ts: what the reference engine runs for a SimpleRNN (no fast path)",
    sameAs: null,
    benchCase: (s) => cellBenchCase("simple_rnn", s),
    prepare: referenceFast.prepare,
  },
];

export const cellFlopFormula = (cell: CellVariant): string => CELL_FLOPS[cell].formula;
