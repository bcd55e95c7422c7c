/**
 * A small, plainly written float32 GRU and SimpleRNN engine with optional *flaw hooks*: the base of
 * the GRU and SimpleRNN mutants, as naive-lstm.ts is of the LSTM's. With no flaw it computes what
 * spec/gru.md and spec/simple-rnn.md say; it is deliberately separate code from `reference/`, so a
 * mutant's flaw is not inherited by or from the reference. Each mutant module switches on one flaw.
 *
 * One engine computes one cell (`cell:gru` or `cell:simple_rnn`, spec/adapter.md §2): a flaw is the
 * mistake of a port of that cell, and cases with another cell's layers are not its to run.
 *
 * Semantics followed: spec/gru.md §1 (kernel (in, 3u), recurrent_kernel (u, 3u), blocks z, r, h; bias
 * (2, 3u) with reset_after, (3u) without), §2.1 and §2.2 (both conventions), §2.3 (z weights the old
 * state); spec/simple-rnn.md §1, §2.1; and the loop both share with the LSTM (spec/lstm.md §3):
 * go_backwards in processing order, masks holding the state and repeating the last emitted output
 * (or zeros with zero_output_for_mask), initial_state [h0], stateful calls, stacks with the mask
 * passed on, the Masking layer, hard_sigmoid per Keras version (§3.8 of each chapter).
 */
import type { CallInputs, GruLayer, LayerCase, SimpleRnnLayer } from "../case.ts";
import { CELLS, type CellKind } from "../cells.ts";
import type { EngineOutputs, Feature } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { activation, applyMasking, lengthsAsRightPadding, naiveLstmFeatures, swapBatchTime, type NaiveLstmFlaws, type SyncEngine } from "./naive-lstm.ts";

/**
 * The porting mistakes of a GRU or SimpleRNN port, one per mutant (two for a pair mutant). The flaws of
 * the loop, the mask and the state have the names and meanings of the naive LSTM's (naive-lstm.ts).
 */
export interface NaiveRnnFlaws extends Pick<
  NaiveLstmFlaws,
  | "backwardsOutputReReversed"
  | "ignoreMask"
  | "maskRowZeroForAll"
  | "zeroOutputForMaskInverted"
  | "ignoreInitialState"
  | "statefulNotCarried"
  | "skipFirstStep"
  | "timeMajor"
  | "maskAdvancesState"
  | "maskAsLengths"
  | "maskingMaskWithInitialState"
  | "maskedPrefixEmitsInitialH"
  | "hardSigmoidAs"
  | "recurrentActivationAlwaysSigmoid"
  | "biasFactor"
  | "transposeRecurrentBlocks"
  | "kernelReadAsTorchLayout"
> {
  /** GRU: the gate blocks read in this order instead of Keras's "zrh" (e.g. "rzh" = PyTorch, cuDNN). */
  readonly gateOrder?: string;
  /** kernel and recurrent_kernel swapped (`get_weights()[1]` taken for the kernel); throws where their shapes differ. */
  readonly kernelsSwapped?: boolean;
  /** Each (units × units) block of the kernel transposed; throws where input_dim ≠ units. */
  readonly transposeKernelBlocks?: boolean;
  /** The activation always tanh, whatever the config says. */
  readonly activationAlwaysTanh?: boolean;
  /**
   * GRU: this reset convention whatever `reset_after` says. "before" on a reset_after=True layer uses
   * the two bias rows summed as its one input bias (ONNX linear_before_reset=0); "after" on a
   * reset_after=False layer takes the (3u) bias as the input bias and no recurrent one.
   */
  readonly resetConvention?: "before" | "after";
  /** GRU: the two rows of the (2, 3u) bias swapped. */
  readonly biasRowsSwapped?: boolean;
  /** GRU: one row of the (2, 3u) bias ignored. */
  readonly biasRowDropped?: "input" | "recurrent";
  /** GRU: the candidate's recurrent bias added outside the reset product. */
  readonly recurrentBiasOutsideReset?: boolean;
  /** GRU: h_t = (1 − z)·h_{t-1} + z·h̃. */
  readonly updateGateInverted?: boolean;
}

export interface NaiveRnnOptions {
  readonly name: string;
  readonly cell: Exclude<CellKind, "lstm">;
  readonly version?: string;
  readonly flaws?: NaiveRnnFlaws;
}

/** A naive GRU or SimpleRNN engine, with the flaws it was built with (so that two mutants' flaws can be combined). */
export interface NaiveRnnEngine extends SyncEngine {
  readonly cell: Exclude<CellKind, "lstm">;
  readonly flaws: NaiveRnnFlaws;
}

type Layer = GruLayer | SimpleRnnLayer;

/** What a weight is, for the order in which the flaws read it. */
type WeightKind = "kernel" | "recurrent" | "bias";

/**
 * A (rows × n·u) weight as the flawed engine uses it: block k of the result is what it takes for Keras
 * block k. The flaws act in the order in which a port reads a weight: the buffer's layout (reshape
 * instead of transpose), then which block is which gate, then each block's orientation — the order
 * of the hypotheses' stages (conformance/hypotheses/hypothesis.ts `STAGES`).
 */
function readBlocks(data: Float32Array, rows: number, units: number, blocks: number, flaws: NaiveRnnFlaws, kind: WeightKind): Float32Array {
  const cols = blocks * units;
  let src = data;
  if (kind === "kernel" && flaws.kernelReadAsTorchLayout) {
    // the (in, n·u) buffer reinterpreted as (n·u, in) and transposed
    src = new Float32Array(rows * cols);
    for (let r = 0; r < cols; r++) for (let k = 0; k < rows; k++) src[k * cols + r] = data[r * rows + k]!;
  }
  const keras = CELLS.GRU.blocks.join("");
  const out = new Float32Array(rows * cols);
  for (let g = 0; g < blocks; g++) {
    // a foreign order: Keras's block g is the one the engine reads as that gate
    const source = blocks === 3 && flaws.gateOrder ? flaws.gateOrder.indexOf(keras[g]!) : g;
    for (let j = 0; j < units; j++) for (let r = 0; r < rows; r++) out[r * cols + g * units + j] = src[r * cols + source * units + j]!;
  }
  const transpose = (kind === "recurrent" && flaws.transposeRecurrentBlocks) || (kind === "kernel" && flaws.transposeKernelBlocks);
  if (!transpose) return out;
  if (rows !== units) throw new Error(`naive ${blocks === 3 ? "GRU" : "SimpleRNN"}: cannot transpose a (${rows} × ${units}) block`);
  const t = new Float32Array(out.length);
  for (let g = 0; g < blocks; g++) for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) t[r * cols + g * units + j] = out[j * cols + g * units + r]!;
  return t;
}

/** The weights as the engine uses them: kernel, recurrent kernel, input bias and (GRU, reset-after) recurrent bias, each blocks read as Keras's. */
interface Prepared {
  readonly W: Float32Array;
  readonly U: Float32Array;
  readonly inputBias: Float64Array;
  readonly recurrentBias: Float64Array;
  /** Whether the engine computes the reset-after step (GRU). */
  readonly resetAfter: boolean;
}

function prepare(layer: Layer, D: number, flaws: NaiveRnnFlaws): Prepared {
  const u = layer.config.units;
  const n = layer.className === "GRU" ? 3 : 1;
  let kernel = layer.weights.kernel;
  let recurrent = layer.weights.recurrent_kernel;
  if (flaws.kernelsSwapped) {
    if (D !== u) throw new Error(`naive ${layer.className}: recurrent_kernel (${u}, ${n * u}) used as the kernel of a (${D})-wide input`);
    [kernel, recurrent] = [recurrent, kernel];
  }
  const W = readBlocks(kernel.data, D, u, n, flaws, "kernel");
  const U = readBlocks(recurrent.data, u, u, n, flaws, "recurrent");
  const configResetAfter = layer.className === "GRU" && layer.config.reset_after !== false;
  const resetAfter = layer.className === "GRU" && (flaws.resetConvention ? flaws.resetConvention === "after" : configResetAfter);
  let inputBias = new Float64Array(n * u);
  let recurrentBias = new Float64Array(n * u);
  const bias = layer.config.use_bias ? layer.weights.bias : undefined;
  if (bias) {
    const factor = flaws.biasFactor ?? 1;
    const rows = configResetAfter ? 2 : 1;
    const b = readBlocks(bias.data, rows, u, n, flaws, "bias");
    let input = Float64Array.from(b.subarray(0, n * u), (v) => v * factor);
    let rec = rows === 2 ? Float64Array.from(b.subarray(n * u), (v) => v * factor) : new Float64Array(n * u);
    if (flaws.biasRowsSwapped && rows === 2) [input, rec] = [rec, input];
    if (flaws.biasRowDropped === "input" && rows === 2) input = new Float64Array(n * u);
    if (flaws.biasRowDropped === "recurrent" && rows === 2) rec = new Float64Array(n * u);
    if (configResetAfter && !resetAfter) {
      // a reset-before step has one bias, outside every product: ONNX's Wb + Rb
      input = input.map((v, k) => v + rec[k]!);
      rec = new Float64Array(n * u);
    }
    inputBias = input;
    recurrentBias = rec;
  }
  return { W, U, inputBias, recurrentBias, resetAfter };
}

interface LayerRun {
  sequence: Tensor;
  last: Tensor;
  h: Tensor;
}

function runLayer(layer: Layer, dialect: "keras3" | "tf-keras", x: Tensor, givenMask: Uint8Array | undefined, init: Tensor | undefined, flaws: NaiveRnnFlaws): LayerRun {
  const [B, T, D] = x.shape as [number, number, number];
  const cfg = layer.config;
  const u = cfg.units;
  const gru = layer.className === "GRU";
  const n = gru ? 3 : 1;
  const mask = givenMask && flaws.maskAsLengths ? lengthsAsRightPadding(givenMask, B, T) : givenMask;
  const p = prepare(layer, D, flaws);
  const usedDialect = flaws.hardSigmoidAs ?? dialect;
  const act = activation(flaws.activationAlwaysTanh ? "tanh" : cfg.activation, usedDialect);
  const rec = gru ? activation(flaws.recurrentActivationAlwaysSigmoid ? "sigmoid" : layer.config.recurrent_activation, usedDialect) : act;

  const h = new Float32Array(B * u);
  if (init && !flaws.ignoreInitialState) h.set(init.data);
  const sequence: Tensor = { shape: [B, T, u], data: new Float32Array(B * T * u) };
  // spec/lstm.md §3.5.3: zeros before the first valid step (JAX's scan starts from the initial h)
  const prevOut = flaws.maskedPrefixEmitsInitialH ? Float32Array.from(h) : new Float32Array(B * u);
  const zeroMasked = (cfg.zero_output_for_mask ?? false) !== (flaws.zeroOutputForMaskInverted ?? false);
  const xw = new Float64Array(n * u);
  const hu = new Float64Array(n * u);
  const next = new Float64Array(u);
  const r = new Float64Array(u);

  for (let s = flaws.skipFirstStep ? 1 : 0; s < T; s++) {
    const t = cfg.go_backwards ? T - 1 - s : s; // processing order (spec/lstm.md §3.3)
    for (let b = 0; b < B; b++) {
      const hb = h.subarray(b * u, (b + 1) * u);
      for (let k = 0; k < n * u; k++) {
        let acc = p.inputBias[k]!;
        for (let d = 0; d < D; d++) acc += x.data[(b * T + t) * D + d]! * p.W[d * n * u + k]!;
        xw[k] = acc;
        let hacc = 0;
        for (let j = 0; j < u; j++) hacc += hb[j]! * p.U[j * n * u + k]!;
        hu[k] = hacc; // h_{t-1}·U, no bias yet
      }
      if (!gru) {
        for (let j = 0; j < u; j++) next[j] = act(xw[j]! + hu[j]!); // spec/simple-rnn.md §2.1
      } else {
        const bh = p.recurrentBias;
        for (let j = 0; j < u; j++) r[j] = rec(xw[u + j]! + hu[u + j]! + bh[u + j]!);
        for (let j = 0; j < u; j++) {
          const z = rec(xw[j]! + hu[j]! + bh[j]!);
          let candidate: number;
          if (p.resetAfter) {
            // spec/gru.md §2.1: r scales h·U_h + b_hh
            candidate = flaws.recurrentBiasOutsideReset
              ? act(xw[2 * u + j]! + bh[2 * u + j]! + r[j]! * hu[2 * u + j]!)
              : act(xw[2 * u + j]! + r[j]! * (hu[2 * u + j]! + bh[2 * u + j]!));
          } else {
            // spec/gru.md §2.2: (r ⊙ h)·U_h
            let rhu = 0;
            for (let i = 0; i < u; i++) rhu += r[i]! * hb[i]! * p.U[i * n * u + 2 * u + j]!;
            candidate = act(xw[2 * u + j]! + rhu);
          }
          next[j] = flaws.updateGateInverted ? (1 - z) * hb[j]! + z * candidate : z * hb[j]! + (1 - z) * candidate;
        }
      }
      const valid = flaws.ignoreMask || !mask || mask[(flaws.maskRowZeroForAll ? 0 : b) * T + t] === 1;
      for (let j = 0; j < u; j++) {
        const hNew = Math.fround(next[j]!);
        const outIndex = (b * T + s) * u + j;
        if (valid || flaws.maskAdvancesState) h[b * u + j] = hNew;
        if (valid) {
          prevOut[b * u + j] = hNew;
          sequence.data[outIndex] = hNew;
        } else {
          sequence.data[outIndex] = zeroMasked ? 0 : prevOut[b * u + j]!;
        }
      }
    }
  }
  const last: Tensor = { shape: [B, u], data: new Float32Array(B * u) };
  for (let b = 0; b < B; b++) last.data.set(sequence.data.subarray((b * T + T - 1) * u, (b * T + T) * u), b * u);
  if (flaws.backwardsOutputReReversed && cfg.go_backwards) {
    const flipped = new Float32Array(B * T * u);
    for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) flipped.set(sequence.data.subarray((b * T + T - 1 - s) * u, (b * T + T - s) * u), (b * T + s) * u);
    return { sequence: { shape: sequence.shape, data: flipped }, last, h: { shape: [B, u], data: h } };
  }
  return { sequence, last, h: { shape: [B, u], data: h } };
}

/** Builds an engine computing one cell's cases with the given flaws (none: a correct float32 engine). */
export function naiveRnnEngine(options: NaiveRnnOptions): NaiveRnnEngine {
  const flaws = options.flaws ?? {};
  const cell = options.cell;
  const descriptor = cell === "gru" ? CELLS.GRU : CELLS.SimpleRNN;
  const features: Feature[] = [descriptor.feature, ...descriptor.options.map((o) => o.feature), ...naiveLstmFeatures];
  return {
    cell,
    flaws,
    name: options.name,
    version: options.version ?? "1.0.0",
    features,
    run(c: LayerCase): EngineOutputs {
      const carried = new Map<number, Float32Array>();
      const layers = c.layers.filter((l) => l.className !== "Masking");
      return c.calls.map((call: CallInputs) => {
        const [B, T] = call.x.shape as [number, number];
        let x = flaws.timeMajor ? { shape: call.x.shape, data: swapBatchTime(call.x.data, B, T, true) } : call.x;
        let mask = call.mask && flaws.timeMajor ? swapBatchTime(call.mask.data, B, T, true) : call.mask?.data;
        let maskIsAttached = false; // computed by a Masking layer rather than passed as mask=
        let index = 0;
        let result: Tensor[] = [];
        for (const layer of c.layers) {
          if (layer.className === "Masking") {
            const masked = applyMasking(x, layer.config.mask_value);
            x = masked.x;
            mask = masked.mask;
            maskIsAttached = true;
            continue;
          }
          if (layer.className === "LSTM" || layer.className !== descriptor.className) throw new Error(`naive ${descriptor.className}: cannot run a ${layer.className} layer`);
          const stored = carried.get(index);
          const given = index === 0 ? call.initialState?.[0] : undefined;
          const init = given ?? (stored && layer.config.stateful && !flaws.statefulNotCarried ? { shape: [B, layer.config.units], data: stored } : undefined);
          // spec/lstm.md §3.5.7 (spec/gru.md §3.5): Keras 3 does not hand a Masking layer's mask to a
          // layer called with initial_state; the mask still reaches the next layer of the stack.
          const applied = given !== undefined && maskIsAttached && c.dialect === "keras3" && !flaws.maskingMaskWithInitialState ? undefined : mask;
          // a carried state is the engine's own bookkeeping, not user input: the initial-state flaw does not apply to it
          const run = runLayer(layer, c.dialect, x, applied, init, given ? flaws : { ...flaws, ignoreInitialState: false });
          if (layer.config.stateful) carried.set(index, run.h.data);
          const sequence = flaws.timeMajor && index === layers.length - 1 ? { shape: run.sequence.shape, data: swapBatchTime(run.sequence.data, B, T, false) } : run.sequence;
          const output = layer.config.return_sequences ? sequence : run.last;
          result = layer.config.return_state ? [output, run.h] : [output];
          x = run.sequence; // the next layer reads this layer's sequence (spec/lstm.md §3.5.6)
          index++;
        }
        return result;
      });
    },
  };
}
