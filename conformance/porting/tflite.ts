/**
 * Keras LSTM ⇄ TFLite `LSTM` / `UNIDIRECTIONAL_SEQUENCE_LSTM` per-gate tensors (spec/porting.md §8).
 *
 * TFLite (tensorflow/tensorflow tensorflow/lite/kernels/lstm_shared.h): inputs 1–4 are the
 * input-to-{input, forget, cell, output} weights `{n_cell, n_input}`, 5–8 the recurrent-to-{…} weights
 * `{n_cell, n_output}`, 12–15 the {input, forget, cell, output} gate biases `{n_cell}`: one tensor per
 * gate, each Keras block transposed. Peepholes (9–11), projection (16–17) and layer norm (20–23) have
 * no Keras equivalent. TFLite's converter from Keras sets `cell_clip = 10`, which Keras does not have
 * (tensorflow/compiler/mlir/lite/utils/lstm_utils.cc `ConvertKerasLSTMLayer`).
 */
import type { LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import { expectShape, joinColumns, joinVectors, splitColumns, splitVector, transpose2d, zeros } from "./gates.ts";
import { kerasLstmDims } from "./keras-layout.ts";

const GATES = ["input", "forget", "cell", "output"] as const;

/** TFLite's per-gate LSTM tensors, named after lstm_shared.h's constants (`kInputToForgetWeightsTensor` → `input_to_forget_weights`). */
export type TfliteLstmTensors = Readonly<Record<`input_to_${(typeof GATES)[number]}_weights` | `recurrent_to_${(typeof GATES)[number]}_weights` | `${(typeof GATES)[number]}_gate_bias`, Tensor>>;

/** Keras → TFLite. Exact; a layer without bias gets zero gate biases (TFLite's forget/cell/output biases are required). */
export function kerasToTflite(w: LstmWeights): TfliteLstmTensors {
  const { units } = kerasLstmDims(w);
  const k = splitColumns(w.kernel, 4).map(transpose2d);
  const r = splitColumns(w.recurrent_kernel, 4).map(transpose2d);
  const b = splitVector(w.bias ?? zeros([4 * units]), 4);
  const out: Record<string, Tensor> = {};
  GATES.forEach((g, n) => {
    out[`input_to_${g}_weights`] = k[n]!;
    out[`recurrent_to_${g}_weights`] = r[n]!;
    out[`${g}_gate_bias`] = b[n]!;
  });
  return out as TfliteLstmTensors;
}

/** TFLite → Keras. Exact. (A CIFG model, without input-gate tensors, has no Keras equivalent.) */
export function tfliteToKeras(t: TfliteLstmTensors): LstmWeights {
  const units = t.recurrent_to_input_weights?.shape[0] ?? 0;
  const inputDim = t.input_to_input_weights?.shape[1] ?? 0;
  for (const g of GATES) {
    if (!t[`input_to_${g}_weights`]) throw new RangeError(`input_to_${g}_weights: missing${g === "input" ? " (a CIFG LSTM couples the input and forget gates; Keras cannot)" : ""}`);
    expectShape(t[`input_to_${g}_weights`], [units, inputDim], `input_to_${g}_weights`);
    expectShape(t[`recurrent_to_${g}_weights`], [units, units], `recurrent_to_${g}_weights`);
    expectShape(t[`${g}_gate_bias`], [units], `${g}_gate_bias`);
  }
  return {
    kernel: joinColumns(GATES.map((g) => transpose2d(t[`input_to_${g}_weights`]))),
    recurrent_kernel: joinColumns(GATES.map((g) => transpose2d(t[`recurrent_to_${g}_weights`]))),
    bias: joinVectors(GATES.map((g) => t[`${g}_gate_bias`])),
  };
}
