/**
 * Checks that what an engine returned has the form of Keras's outputs before any value is compared
 * (spec/adapter.md §3): one entry per call, `[output]` or, with return_state, `[output, h, c]` (LSTM)
 * or `[output, h]` (GRU, SimpleRNN) per call — the last layer's cell says which — each a tensor
 * with float typed-array data that fills its shape and has Keras's shape.
 *
 * What is the engine's *error* (it did not return outputs at all: not an array, plain-array data,
 * data that does not fill its own shape) is told apart from its *failure* (outputs, but wrong:
 * count, shape). Values are compared elsewhere.
 */
import { sequenceLayers, type FixtureCase, type LayerCase } from "./case.ts";
import { cellOf, layerOutputNames } from "./cells.ts";
import { formatShape, sameShape, sizeOf } from "./tensor.ts";

/** A tensor as an engine may return it: float32 or float64 data (spec/adapter.md §3). */
export interface ReturnedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

export type OutputCheck =
  | { readonly ok: true; readonly outputs: readonly (readonly ReturnedTensor[])[] }
  | { readonly ok: false; readonly status: "fail" | "error"; readonly message: string };

/**
 * Keras's names for the outputs of a case's calls: the last layer's (spec/lstm.md §3.2, spec/gru.md
 * §3.2). A Bidirectional returns its merged output — or, with merge_mode None, the forward and the
 * backward output — then with return_state the forward layer's states and the backward layer's
 * (spec/bidirectional.md).
 */
export function outputNames(c: LayerCase): readonly string[] {
  const last = sequenceLayers(c).at(-1);
  if (!last) return ["output"];
  if (last.className !== "Bidirectional") return layerOutputNames(last);
  const outputs = last.config.merge_mode === null ? ["forward_output", "backward_output"] : ["output"];
  if (!last.forward.config.return_state) return outputs;
  return [...outputs, ...cellOf(last.forward).states.map((s) => `forward_${s}`), ...cellOf(last.backward).states.map((s) => `backward_${s}`)];
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

export function checkOutputs(returned: unknown, c: FixtureCase): OutputCheck {
  const error = (message: string): OutputCheck => ({ ok: false, status: "error", message });
  const fail = (message: string): OutputCheck => ({ ok: false, status: "fail", message });
  if (!Array.isArray(returned)) return error(`run() returned ${describeValue(returned)}; expected an array with one entry per call (spec/adapter.md §3)`);
  if (returned.length !== c.calls.length) {
    return fail(`returned outputs for ${returned.length} call(s); the case makes ${c.calls.length} call(s)${c.calls.length > 1 ? " (a stateful layer called several times)" : ""}`);
  }
  const names = outputNames(c);
  const outputs: ReturnedTensor[][] = [];
  for (let k = 0; k < returned.length; k++) {
    const call: unknown = returned[k];
    const at = c.calls.length > 1 ? `call ${k + 1} of ${c.calls.length}: ` : "";
    if (!Array.isArray(call)) return error(`${at}outputs are ${describeValue(call)}; expected an array of tensors`);
    const expected = c.expected[k]!.outputs;
    if (call.length !== expected.length) {
      const keras = `Keras returns ${expected.length} ([${names.join(", ")}]) ${names.length > 1 ? "with" : "without"} return_state`;
      return fail(`${at}returned ${call.length} output(s), ${keras}`);
    }
    const tensors: ReturnedTensor[] = [];
    for (let j = 0; j < call.length; j++) {
      const t: unknown = call[j];
      const what = `${at}output ${j} (${names[j]})`;
      if (typeof t !== "object" || t === null || !("shape" in t) || !("data" in t)) return error(`${what} is ${describeValue(t)}; expected { shape, data }`);
      const { shape, data } = t as { shape: unknown; data: unknown };
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) return error(`${what}: shape is not an array of non-negative integers`);
      if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
        return error(`${what}: dtype: data is ${describeValue(data)}; engines return Float32Array (or Float64Array) data (spec/adapter.md §3)`);
      }
      if (data.length !== sizeOf(shape as number[])) return error(`${what}: data has ${data.length} values, its shape ${formatShape(shape as number[])} needs ${sizeOf(shape as number[])}`);
      const want = expected[j]!.shape;
      if (!sameShape(shape as number[], want)) return fail(`${what}: shape ${formatShape(shape as number[])} where Keras has ${formatShape(want)}${shapeHint(shape as number[], want)}`);
      tensors.push({ shape: shape as number[], data });
    }
    outputs.push(tensors);
  }
  return { ok: true, outputs };
}

/** A hint for the shape mistakes seen in practice. */
function shapeHint(got: readonly number[], want: readonly number[]): string {
  if (want.length === 3 && got.length === 2) return " (return_sequences=true asks for every step)";
  if (want.length === 2 && got.length === 3) return " (return_sequences=false asks for the last step only)";
  if (got.length === want.length && got.length >= 2 && got[0] === want[got.length - 1] && got[got.length - 1] === want[0]) return " (transposed?)";
  return "";
}
