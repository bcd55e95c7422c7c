/**
 * End-to-end proof of the conversions whose other side is tf-keras's or TensorFlow 1.x's own code
 * (spec/porting.md §14.3–§14.5, §15.4), run through tfkeras_check.py in the project venv:
 * - CuDNNGRU ⇄ GRU(reset_after=True) and Keras 1's nine GRU arrays: tf-keras's legacy HDF5 loader
 *   (`preprocess_weights_for_loading`, `_convert_rnn_weights`) on the same weights must give exactly
 *   what `kerasToCudnnGruLayer`, `cudnnGruLayerToKeras` and `keras1GruToKeras` give (pure moves of
 *   float32 values: bit for bit);
 * - TF1 `GRUCell` and `BasicRNNCell` (tf_keras legacy_cells, `tf.compat.v1.nn.rnn_cell`) run on their
 *   own weights must give the reference's Keras GRU(reset_after=False) / SimpleRNN on the weights
 *   `tf1GruCellToKeras` / `tf1RnnCellToKeras` made of them.
 * Without the venv the tests are skipped with the reason, never passed.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../properties/arbitraries.ts";
import type { Tensor } from "../tensor.ts";
import { cudnnGruLayerToKeras, keras1GruToKeras, kerasToCudnnGruLayer, tf1GruCellToKeras } from "./gru.ts";
import { tf1RnnCellToKeras } from "./simple-rnn.ts";
import { maxAbsDiff, referenceCellSequence } from "../testing/porting-reference-check.ts";
import { sameValues } from "../testing/porting-arbitraries.ts";

const python = join(import.meta.dirname, "..", "..", ".venv", "bin", "python");
const script = join(import.meta.dirname, "tfkeras_check.py");
const tfAvailable = existsSync(python) && spawnSync(python, ["-c", "import tf_keras"], { encoding: "utf8" }).status === 0;

type Entry = { id: string; units: number; weights: Tensor[]; x?: Tensor };
type Result = { id: string; outputs?: { shape: number[]; data: number[] }[]; error?: string };

/** A tensor of seeded values in [-1, 1), float32. */
function randomTensor(shape: number[], next: () => number): Tensor {
  return { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * next() - 1) };
}

const asTensor = (o: { shape: number[]; data: number[] }): Tensor => ({ shape: o.shape, data: Float32Array.from(o.data) });

function runPython(request: Record<string, Entry[]>): Record<string, Result[]> {
  const json = JSON.stringify(request, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v));
  const run = spawnSync(python, [script], { input: json, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" } });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, Result[]>;
}

/** Sizes of the entries: input width 1–3, units 1–3, 2–4 steps, 1–2 rows. */
const SIZES = Array.from({ length: 8 }, (_, k) => ({ d: 1 + (k % 3), u: 1 + ((k >> 1) % 3), t: 2 + (k % 3), b: 1 + (k % 2) }));

describe.skipIf(!tfAvailable)("GRU and SimpleRNN conversions against tf-keras's loader and TF1's cells (real TensorFlow)", () => {
  it("CuDNNGRU ⇄ GRU(reset_after=True) and Keras 1 → GRU are tf-keras's own conversions, bit for bit; TF1 GRUCell and BasicRNNCell compute what the converted Keras weights do", async () => {
    const next = seededRandom(12);
    const gruToCudnn: Entry[] = [];
    const cudnnToGru: Entry[] = [];
    const keras1: Entry[] = [];
    const tf1Gru: Entry[] = [];
    const tf1Rnn: Entry[] = [];
    SIZES.forEach(({ d, u, t, b }, k) => {
      const id = `case-${k}`;
      gruToCudnn.push({ id, units: u, weights: [randomTensor([d, 3 * u], next), randomTensor([u, 3 * u], next), randomTensor([2, 3 * u], next)] });
      cudnnToGru.push({ id, units: u, weights: [randomTensor([d, 3 * u], next), randomTensor([u, 3 * u], next), randomTensor([6 * u], next)] });
      keras1.push({ id, units: u, weights: ["W", "U", "b"].flatMap(() => [randomTensor([d, u], next), randomTensor([u, u], next), randomTensor([u], next)]) });
      const x = randomTensor([b, t, d], next);
      tf1Gru.push({ id, units: u, x, weights: [randomTensor([d + u, 2 * u], next), randomTensor([2 * u], next), randomTensor([d + u, u], next), randomTensor([u], next)] });
      tf1Rnn.push({ id, units: u, x, weights: [randomTensor([d + u, u], next), randomTensor([u], next)] });
    });
    const out = runPython({ gru_to_cudnn: gruToCudnn, cudnn_to_gru: cudnnToGru, keras1_gru: keras1, tf1_gru: tf1Gru, tf1_rnn: tf1Rnn });
    const outputs = (key: string, k: number): Tensor[] => {
      const r = out[key]![k]!;
      expect(r.error, `${key} ${r.id}`).toBeUndefined();
      return r.outputs!.map(asTensor);
    };
    const problems: string[] = [];
    let worstGru = 0;
    let worstRnn = 0;
    for (const [k, e] of gruToCudnn.entries()) {
      const [kernel, recurrent_kernel, bias] = outputs("gru_to_cudnn", k);
      const mine = kerasToCudnnGruLayer({ kernel: e.weights[0]!, recurrent_kernel: e.weights[1]!, bias: e.weights[2]! });
      if (!(sameValues(mine.kernel, kernel) && sameValues(mine.recurrent_kernel, recurrent_kernel) && sameValues(mine.bias, bias))) problems.push(`GRU → CuDNNGRU ${e.id} differs from tf-keras's`);
    }
    for (const [k, e] of cudnnToGru.entries()) {
      const [kernel, recurrent_kernel, bias] = outputs("cudnn_to_gru", k);
      const mine = cudnnGruLayerToKeras({ kernel: e.weights[0]!, recurrent_kernel: e.weights[1]!, bias: e.weights[2]! }).weights;
      if (!(sameValues(mine.kernel, kernel) && sameValues(mine.recurrent_kernel, recurrent_kernel) && sameValues(mine.bias, bias))) problems.push(`CuDNNGRU → GRU ${e.id} differs from tf-keras's`);
    }
    for (const [k, e] of keras1.entries()) {
      const [kernel, recurrent_kernel, bias] = outputs("keras1_gru", k);
      const mine = keras1GruToKeras(e.weights).weights;
      if (!(sameValues(mine.kernel, kernel) && sameValues(mine.recurrent_kernel, recurrent_kernel) && sameValues(mine.bias, bias))) problems.push(`Keras 1 GRU ${e.id} differs from tf-keras's`);
    }
    for (const [k, e] of tf1Gru.entries()) {
      const [seq] = outputs("tf1_gru", k);
      const [gk, gb, ck, cb] = e.weights as [Tensor, Tensor, Tensor, Tensor];
      const keras = tf1GruCellToKeras({ gates_kernel: gk, gates_bias: gb, candidate_kernel: ck, candidate_bias: cb });
      expect(keras.resetAfter).toBe(false);
      for (let row = 0; row < e.x!.shape[0]!; row++) {
        const [, T, D] = e.x!.shape as [number, number, number];
        const xs = Array.from({ length: T }, (_, t) => Array.from(e.x!.data.subarray((row * T + t) * D, (row * T + t + 1) * D)));
        const want = seq!.data.subarray(row * T * e.units, (row + 1) * T * e.units);
        const d = maxAbsDiff(await referenceCellSequence("GRU", keras.weights, xs, false), want);
        worstGru = Math.max(worstGru, d);
        if (d > 1e-5) problems.push(`TF1 GRUCell ${e.id} row ${row}: ${d}`);
      }
    }
    for (const [k, e] of tf1Rnn.entries()) {
      const [seq] = outputs("tf1_rnn", k);
      const keras = tf1RnnCellToKeras({ kernel: e.weights[0]!, bias: e.weights[1]! });
      for (let row = 0; row < e.x!.shape[0]!; row++) {
        const [, T, D] = e.x!.shape as [number, number, number];
        const xs = Array.from({ length: T }, (_, t) => Array.from(e.x!.data.subarray((row * T + t) * D, (row * T + t + 1) * D)));
        const want = seq!.data.subarray(row * T * e.units, (row + 1) * T * e.units);
        const d = maxAbsDiff(await referenceCellSequence("SimpleRNN", keras, xs), want);
        worstRnn = Math.max(worstRnn, d);
        if (d > 1e-5) problems.push(`TF1 BasicRNNCell ${e.id} row ${row}: ${d}`);
      }
    }
    console.info(`tf-keras e2e (tf_keras ${String(out["tf_keras"])}): ${SIZES.length} weight sets each — CuDNNGRU both ways and Keras 1 GRU bit for bit; max |TF1 − reference| GRUCell ${worstGru.toExponential(2)}, BasicRNNCell ${worstRnn.toExponential(2)}`);
    expect(problems).toEqual([]);
  }, 180_000);
});
