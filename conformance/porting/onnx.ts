/**
 * Keras LSTM ⇄ ONNX `LSTM` operator weights (spec/porting.md §4).
 *
 * ONNX (onnx/onnx docs/Operators.md §LSTM): `W [num_directions, 4·H, input_size]`,
 * `R [num_directions, 4·H, H]`, optional `B [num_directions, 8·H]` = `[Wb, Rb]`; every block order is
 * i, o, f, c; default activations f=Sigmoid, g=Tanh, h=Tanh; no peepholes (`P`) here because Keras has none.
 * Direction 0 is forward, direction 1 (bidirectional only) is the reverse pass.
 *
 * Running the converted weights: a Keras layer with `go_backwards=True` is ONNX `direction="reverse"`,
 * but ONNX returns `Y` in original time order while Keras returns the sequence in processing order,
 * so flip `Y` along time to get Keras's output. A Keras `Bidirectional(LSTM)` is
 * `direction="bidirectional"` with the forward layer's weights in direction 0 and the backward layer's
 * in direction 1; Keras's `concat` output is `Y[t, 0] ++ Y[t, 1]`.
 */
import type { LstmWeights } from "../case.ts";
import type { Tensor } from "../tensor.ts";
import {
  IFCO,
  IOFC,
  WeightShapeError,
  addTensors,
  joinVectors,
  stackTensors,
  expectShape,
  reorderGates,
  takeFirstAxis,
  transpose2d,
  unitsFromGateAxis,
  zeros,
} from "./gates.ts";
import { kerasLstmDims } from "./keras-layout.ts";

/** The weight inputs of an ONNX `LSTM` node. */
export interface OnnxLstmWeights {
  /** [num_directions, 4·H, input_size], blocks i, o, f, c. */
  readonly W: Tensor;
  /** [num_directions, 4·H, H], blocks i, o, f, c. */
  readonly R: Tensor;
  /** [num_directions, 8·H] = [Wb (i, o, f, c), Rb (i, o, f, c)]; absent when the Keras layer has `use_bias=False`. */
  readonly B?: Tensor;
}

/**
 * Keras → ONNX. Pass one weight set (a unidirectional layer) or two (`[forward, backward]` of a
 * `Bidirectional`). Exact: kernels are transposed and their blocks reordered i,f,c,o → i,o,f,c; the Keras
 * bias becomes `Wb` and `Rb` is zero (the convention of keras2onnx and tf2onnx), so
 * `onnxToKeras(kerasToOnnx(w))` gives back `w` bit for bit.
 */
export function kerasToOnnx(weights: LstmWeights | readonly LstmWeights[]): OnnxLstmWeights {
  const directions = Array.isArray(weights) ? (weights as readonly LstmWeights[]) : [weights as LstmWeights];
  if (directions.length !== 1 && directions.length !== 2) {
    throw new RangeError(`kerasToOnnx: expected 1 or 2 weight sets (forward[, backward]), got ${directions.length}`);
  }
  const dims = directions.map((w, d) => kerasLstmDims(w, `direction ${d}`));
  const { inputDim, units } = dims[0]!;
  if (dims.some((x) => x.inputDim !== inputDim || x.units !== units)) {
    throw new WeightShapeError("direction 1.kernel", `(${inputDim}, ${4 * units}) like direction 0`, directions[1]!.kernel.shape);
  }
  const hasBias = directions.map((w) => w.bias !== undefined);
  if (hasBias[0] !== hasBias[hasBias.length - 1]) {
    throw new RangeError("kerasToOnnx: one direction has a bias and the other has none");
  }
  const toOnnx = (m: Tensor): Tensor => reorderGates(transpose2d(m), 0, IFCO, IOFC);
  const W = stackTensors(directions.map((w) => toOnnx(w.kernel)));
  const R = stackTensors(directions.map((w) => toOnnx(w.recurrent_kernel)));
  if (!hasBias[0]) return { W, R };
  const B = stackTensors(directions.map((w) => joinVectors([reorderGates(w.bias!, 0, IFCO, IOFC), zeros([4 * units])])));
  return { W, R, B };
}

/**
 * ONNX → Keras: one Keras weight set per direction (`[forward]`, or `[forward, backward]`).
 * LOSSY for the bias: Keras has one bias, so `bias = Wb + Rb` (float32 sum); the split between `Wb`
 * and `Rb` cannot be recovered. ONNX peepholes (`P`), `clip` and non-default `activations` have no
 * Keras equivalent and are not accepted here.
 */
export function onnxToKeras(onnx: OnnxLstmWeights): LstmWeights[] {
  const units = unitsFromGateAxis(onnx.W, 3, 1, "W", "[num_directions, 4·hidden_size, input_size]");
  const numDirections = onnx.W.shape[0]!;
  if (numDirections !== 1 && numDirections !== 2) {
    throw new WeightShapeError("W", "[1 or 2, 4·hidden_size, input_size]", onnx.W.shape);
  }
  expectShape(onnx.R, [numDirections, 4 * units, units], "R");
  if (onnx.B) expectShape(onnx.B, [numDirections, 8 * units], "B");
  const toKeras = (m: Tensor): Tensor => transpose2d(reorderGates(m, 0, IOFC, IFCO));
  return Array.from({ length: numDirections }, (_, d) => {
    const kernel = toKeras(takeFirstAxis(onnx.W, d));
    const recurrent_kernel = toKeras(takeFirstAxis(onnx.R, d));
    if (!onnx.B) return { kernel, recurrent_kernel };
    const b = takeFirstAxis(onnx.B, d);
    const wb: Tensor = { shape: [4 * units], data: b.data.slice(0, 4 * units) };
    const rb: Tensor = { shape: [4 * units], data: b.data.slice(4 * units) };
    return { kernel, recurrent_kernel, bias: reorderGates(addTensors(wb, rb), 0, IOFC, IFCO) };
  });
}
