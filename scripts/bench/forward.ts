/**
 * The engines of the forward benchmark, each prepared once per size (model built, weights loaded,
 * session created) so that the timed part is the forward pass alone — what a deployed model pays
 * per call. The reference is timed through its `Engine.run`, conversions included (a conservative
 * figure for it); "reference (readable)" is the spec path (reference/layer.ts) for comparison.
 */
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-web";
import { lstmLayers, type LayerCase } from "../../conformance/case.ts";
import { buildOnnxLstmModel, onnxNames } from "../../conformance/engines/onnx-model.ts";
import { referenceEngine } from "../../conformance/engines/reference.ts";
import { runModel } from "../../reference/index.ts";
import type { LstmSize } from "./flops.ts";

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
  version: `${referenceEngine.version} (reference/layer.ts, float64)`,
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
