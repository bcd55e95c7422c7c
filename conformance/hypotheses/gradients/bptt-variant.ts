/**
 * Backpropagation through time with one mistake switched on: what a hand-written BPTT that makes it
 * returns (spec/gradients.md §7.5). Without a flaw it is the reference's backward exactly (checked
 * bit for bit in the tests), so a flaw's effect is its own. The forward is the reference's (its
 * recording cells over reference/rnn.ts, driven by reference/model.ts's `composeModel`); the loop
 * backward and the LSTM step backward are written here again, beside reference/gradients/ (which the
 * variants must not change), with the switches in place:
 *
 *  - cell (LSTM, §4.2): the cell-state path not carried across steps (∂L/∂c_{t−1} = 0, only h
 *    carries gradient); act′(c_t) omitted from δc̄; the forget gate's gradient using c_t for c_{t−1};
 *  - loop (§3.1, §3.2): BPTT truncated to the last k processing steps; at a masked step, gradient
 *    leaking into the weights or into x_t through the discarded computation, or the output's
 *    gradient not carried back to the previous emitted output.
 *
 * The hypotheses (index.ts) predict with these variants; the gradient mutants
 * (conformance/mutants/gradients/) are engines that answer with them.
 */
import { activationByName, type Dialect } from "../../../reference/activations.ts";
import { CELL_LAYOUTS, type CellLayout } from "../../../reference/cells/layout.ts";
import { derivativeByName } from "../../../reference/gradients/activations.ts";
import { addOuter, backThrough, type GradientCell, type WeightGradients } from "../../../reference/gradients/cell.ts";
import { gruGradientCell } from "../../../reference/gradients/gru.ts";
import { lstmGradientCell, type DifferentiableGates } from "../../../reference/gradients/lstm.ts";
import { recordLayer, type LayerCotangents, type RecordedLayer } from "../../../reference/gradients/rnn.ts";
import { simpleRnnGradientCell } from "../../../reference/gradients/simple-rnn.ts";
import { composeModel, type ComposableCall, type ReferenceTensor } from "../../../reference/model.ts";
import type { LayerOptions, RnnInput } from "../../../reference/rnn.ts";
import type { CallInputs, Layer, RecurrentLayer } from "../../case.ts";
import type { Tensor } from "../../tensor.ts";
import type { GradientAnswer } from "../../gradients/case.ts";

/** One mistake of a hand-written BPTT each; a variant sets one (none: the reference's backward). */
export interface BpttFlaws {
  /** LSTM: ∂L/∂c_{t−1} not passed back; gradient crosses steps through h only. */
  readonly noCellPath?: boolean;
  /** LSTM: δc̄ = δc + δh ⊙ o, the factor act′(c_t) forgotten. */
  readonly actPrimeOfCOmitted?: boolean;
  /** LSTM: δf = δc̄ ⊙ c_t ⊙ σr′(z_f), the new cell state where the forget gate multiplied c_{t−1}. */
  readonly forgetUsesCt?: boolean;
  /** Only the last k processing steps are taken back; earlier steps get nothing. */
  readonly truncateSteps?: number;
  /**
   * At a masked step: `weights` — the discarded step's cell backward still adds into the weight
   * gradients; `x` — it still writes ∂L/∂x_t; `output-dropped` — the gradient of the repeated output
   * is dropped instead of carried to the previous emitted output.
   */
  readonly maskedLeak?: "weights" | "x" | "output-dropped";
}

/** What the variant needs of a case: the forward part and the cotangents (a GradientCase has them). */
export interface GradientInputs {
  readonly dialect: Dialect;
  readonly layers: readonly Layer[];
  readonly calls: readonly CallInputs[];
  readonly cotangents: readonly (readonly Tensor[])[];
}

const f64 = (t: { readonly data: ArrayLike<number> }): Float64Array => Float64Array.from(t.data);
const keyName = (v: unknown, kerasDefault: string): string => (v === undefined ? kerasDefault : typeof v === "string" ? v : "linear");

interface PreparedLayer {
  readonly layout: CellLayout;
  readonly layer: RecurrentLayer;
  readonly inputDim: number;
  readonly options: LayerOptions;
  readonly cell: GradientCell;
}

function gates(layer: RecurrentLayer, layout: CellLayout, dialect: Dialect): DifferentiableGates {
  const act = keyName(layer.config.activation, layout.activations.activation!);
  const rec = keyName((layer.config as { readonly recurrent_activation?: unknown }).recurrent_activation, layout.activations.recurrent_activation ?? "sigmoid");
  return { act: activationByName(act, dialect), actD: derivativeByName(act, dialect), recAct: activationByName(rec, dialect), recActD: derivativeByName(rec, dialect) };
}

function prepare(index: number, layer: Layer, inputDim: number, dialect: Dialect, flaws: BpttFlaws): PreparedLayer {
  if (layer.className === "Masking" || layer.className === "Bidirectional") throw new Error(`layer ${index}: not a cell's layer`);
  const layout = CELL_LAYOUTS[layer.className];
  const u = layer.config.units;
  const kernel = f64(layer.weights.kernel);
  const recurrentKernel = f64(layer.weights.recurrent_kernel);
  const bias = layer.config.use_bias !== false && layer.weights.bias ? f64(layer.weights.bias) : null;
  const options: LayerOptions = { returnSequences: layer.config.return_sequences ?? false, goBackwards: layer.config.go_backwards ?? false, zeroOutputForMask: layer.config.zero_output_for_mask ?? false };
  const f = gates(layer, layout, dialect);
  let cell: GradientCell;
  switch (layer.className) {
    case "LSTM": {
      const p = { inputDim, units: u, kernel, recurrentKernel, bias };
      cell = lstmGradientCell(p, f);
      if (flaws.noCellPath || flaws.actPrimeOfCOmitted || flaws.forgetUsesCt) cell = { ...cell, backward: flawedLstmBackward(p, f, flaws) };
      break;
    }
    case "GRU": {
      const resetAfter = layer.config.reset_after ?? true;
      cell = gruGradientCell({ inputDim, units: u, kernel, recurrentKernel, resetAfter, inputBias: bias && (resetAfter ? bias.subarray(0, 3 * u) : bias), recurrentBias: bias && resetAfter ? bias.subarray(3 * u) : null }, f);
      break;
    }
    case "SimpleRNN":
      cell = simpleRnnGradientCell({ inputDim, units: u, kernel, recurrentKernel, bias }, f.act, f.actD);
      break;
  }
  return { layout, layer, inputDim, options, cell };
}

/**
 * The LSTM step's backward of spec/gradients.md §4.2 with the cell flaws switched in. It reads the
 * reference's step record as reference/gradients/lstm.ts writes it: per row z (4u), then c_t (u).
 */
function flawedLstmBackward(p: { readonly inputDim: number; readonly units: number; readonly kernel: Float64Array; readonly recurrentKernel: Float64Array }, f: DifferentiableGates, flaws: BpttFlaws): GradientCell["backward"] {
  const u = p.units;
  const n = 4 * u;
  const width = n + u;
  return (r, b, [dh, dc], acc, dx, [dhPrev, dcPrev]) => {
    const z = new Float64Array(n);
    z.set(r.saved.subarray(b * width, b * width + n));
    const cPrev = r.prev[1]!;
    const dz = new Float64Array(n);
    for (let k = 0; k < u; k++) {
      const ct = r.saved[b * width + n + k]!;
      const i = f.recAct(z[k]!);
      const fg = f.recAct(z[u + k]!);
      const g = f.act(z[2 * u + k]!);
      const o = f.recAct(z[3 * u + k]!);
      const dcBar = dc![k]! + dh![k]! * o * (flaws.actPrimeOfCOmitted ? 1 : f.actD(ct));
      dz[k] = dcBar * g * f.recActD(z[k]!);
      dz[u + k] = dcBar * (flaws.forgetUsesCt ? ct : cPrev[b * u + k]!) * f.recActD(z[u + k]!);
      dz[2 * u + k] = dcBar * i * f.actD(z[2 * u + k]!);
      dz[3 * u + k] = dh![k]! * f.act(ct) * f.recActD(z[3 * u + k]!);
      dcPrev![k] = flaws.noCellPath ? 0 : dcBar * fg;
    }
    addOuter(acc.kernel, n, 0, r.x, r.xOffset + b * r.xStride, p.inputDim, dz);
    addOuter(acc.recurrent_kernel, n, 0, r.prev[0]!, b * u, u, dz);
    if (acc.bias) for (let j = 0; j < n; j++) acc.bias[j]! += dz[j]!;
    backThrough(dx, p.kernel, n, 0, dz);
    backThrough(dhPrev!, p.recurrentKernel, n, 0, dz);
  };
}

interface LayerGradients {
  readonly weights: WeightGradients;
  readonly x: Float64Array;
  readonly initialState: readonly Float64Array[];
}

/** reference/gradients/rnn.ts's `backwardLayer` with the loop flaws switched in. */
function backwardLayer(cell: GradientCell, o: LayerOptions, input: RnnInput, run: RecordedLayer, cot: LayerCotangents, flaws: BpttFlaws): LayerGradients {
  const { batch: B, timesteps: T } = input;
  const U = run.forward.states[0]!.length / Math.max(B, 1);
  const D = B * T > 0 ? input.x.length / (B * T) : 0;
  const S = run.forward.states.length;
  const acc = cell.zeroGradients();
  const scratch = cell.zeroGradients();
  const dx = new Float64Array(B * T * D);
  const scratchDx = new Float64Array(D);
  const initialState = Array.from({ length: S }, () => new Float64Array(B * U));
  let dS = Array.from({ length: S }, () => new Float64Array(U));
  let dPrev = Array.from({ length: S }, () => new Float64Array(U));
  const scratchPrev = Array.from({ length: S }, () => new Float64Array(U));
  const dEmit = new Float64Array(U);
  const dNext = Array.from({ length: S }, () => new Float64Array(U));
  const stop = flaws.truncateSteps === undefined ? 0 : Math.max(0, T - flaws.truncateSteps);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const given = cot.states?.[s];
      if (given) dS[s]!.set(given.subarray(b * U, (b + 1) * U));
      else dS[s]!.fill(0);
    }
    if (o.returnSequences) dEmit.fill(0);
    else dEmit.set(cot.output.subarray(b * U, (b + 1) * U));
    for (let k = T - 1; k >= stop; k--) {
      const t = o.goBackwards ? T - 1 - k : k;
      if (o.returnSequences) for (let j = 0; j < U; j++) dEmit[j]! += cot.output[(b * T + k) * U + j]!;
      const valid = input.mask === undefined || input.mask[b * T + t] !== 0;
      const dxAt = dx.subarray((b * T + t) * D, (b * T + t + 1) * D);
      if (valid) {
        for (let s = 0; s < S; s++) dNext[s]!.set(dS[s]!);
        for (let j = 0; j < U; j++) dNext[0]![j]! += dEmit[j]!;
        cell.backward(run.tape[k]!, b, dNext, acc, dxAt, dPrev);
        [dS, dPrev] = [dPrev, dS];
        dEmit.fill(0);
        continue;
      }
      if (flaws.maskedLeak === "weights" || flaws.maskedLeak === "x") {
        // the discarded computation taken back as if it had been kept: the gradient of the kept states
        for (let s = 0; s < S; s++) dNext[s]!.set(dS[s]!);
        cell.backward(run.tape[k]!, b, dNext, flaws.maskedLeak === "weights" ? acc : scratch, flaws.maskedLeak === "x" ? dxAt : scratchDx, scratchPrev);
      }
      if (o.zeroOutputForMask || flaws.maskedLeak === "output-dropped") dEmit.fill(0);
    }
    for (let s = 0; s < S; s++) initialState[s]!.set(dS[s]!, b * U);
  }
  return { weights: acc, x: dx, initialState };
}

interface LayerRun {
  readonly layerIndex: number;
  readonly input: RnnInput;
  readonly recorded: RecordedLayer;
}

/** The gradients of every call as a BPTT with `flaws` computes them (none: the reference's). Throws where the reference's gradients do. */
export function variantGradients(c: GradientInputs, flaws: BpttFlaws = {}): GradientAnswer<ReferenceTensor>[] {
  if (c.calls.length === 0) return [];
  const prepared = new Map<number, PreparedLayer>();
  let dim = c.calls[0]!.x.shape[2] ?? 0;
  c.layers.forEach((l, i) => {
    if (l.className === "Bidirectional") throw new Error(`layer ${i}: a Bidirectional's gradients are not in gradient format 1 (spec/gradients.md §3.6)`);
    if (l.className === "Masking") return;
    prepared.set(i, prepare(i, l, dim, c.dialect, flaws));
    dim = l.config.units;
  });
  const runs: LayerRun[][] = c.calls.map(() => []);
  const model = composeModel(
    c.layers,
    c.calls.map((call): ComposableCall<Float64Array> => ({
      x: { shape: call.x.shape, data: f64(call.x) },
      ...(call.mask ? { mask: Uint8Array.from(call.mask.data, (v) => (v ? 1 : 0)) } : {}),
      ...(call.initialState ? { initialState: call.initialState.map((s) => ({ shape: s.shape, data: f64(s) })) } : {}),
    })),
    c.dialect,
  );
  let next = model.next();
  while (!next.done) {
    const { layerIndex, callIndex, x, mask, initialState } = next.value;
    const l = prepared.get(layerIndex)!;
    const [B = 0, T = 0] = c.calls[callIndex]!.x.shape;
    const input: RnnInput = { batch: B, timesteps: T, x: x.data, ...(mask ? { mask } : {}), ...(initialState ? { initialState: initialState.map((s) => s.data) } : {}) };
    const recorded = recordLayer(l.cell, l.options, input);
    runs[callIndex]!.push({ layerIndex, input, recorded });
    const u = l.layer.config.units;
    next = model.next({ output: { shape: recorded.forward.outputShape, data: recorded.forward.output }, states: recorded.forward.states.map((data) => ({ shape: [B, u], data })) });
  }
  const outputs = next.value;
  return c.calls.map((call, n) => backwardCall(c, prepared, runs[n]!, outputs[n]!, call, n, flaws));
}

function backwardCall(c: GradientInputs, prepared: ReadonlyMap<number, PreparedLayer>, runs: readonly LayerRun[], outputs: readonly ReferenceTensor[], call: CallInputs, n: number, flaws: BpttFlaws): GradientAnswer<ReferenceTensor> {
  const [B = 0, T = 0, D = 0] = call.x.shape;
  const cots = c.cotangents[n]!.map(f64);
  const layers: { layer: number; kernel: ReferenceTensor; recurrent_kernel: ReferenceTensor; bias?: ReferenceTensor }[] = [];
  let cot: LayerCotangents = { output: cots[0]!, states: cots.slice(1) };
  let dx: Float64Array = new Float64Array(0);
  let initialState: ReferenceTensor[] | undefined;
  for (let k = runs.length - 1; k >= 0; k--) {
    const run = runs[k]!;
    const l = prepared.get(run.layerIndex)!;
    const g = backwardLayer(l.cell, l.options, run.input, run.recorded, cot, flaws);
    const shapes = l.layout.weights(l.layer.config, l.inputDim);
    const shaped = (name: string, data: Float64Array): ReferenceTensor => ({ shape: shapes.find((s) => s.name === name)!.shape, data });
    layers.unshift({ layer: run.layerIndex, kernel: shaped("kernel", g.weights.kernel), recurrent_kernel: shaped("recurrent_kernel", g.weights.recurrent_kernel), ...(g.weights.bias ? { bias: shaped("bias", g.weights.bias) } : {}) });
    // spec/gradients.md §3.4: the first layer's starting state is an input when given or carried.
    if (k === 0 && (run.input.initialState || l.layer.config.stateful)) initialState = g.initialState.map((data) => ({ shape: [B, l.layer.config.units], data }));
    dx = g.x;
    cot = { output: dx }; // §3.5: the upper layer's ∂L/∂x is the lower layer's sequence cotangent
  }
  const first = c.layers[0];
  if (first?.className === "Masking") {
    // §3.2: Masking outputs x ⊙ mask, so a masked step's x gets no gradient.
    const value = Math.fround(first.config.mask_value ?? 0);
    for (let s = 0; s < B * T; s++) {
      let valid = false;
      for (let d = 0; d < D; d++) if (call.x.data[s * D + d] !== value) valid = true;
      if (!valid) dx.fill(0, s * D, (s + 1) * D);
    }
  }
  return { outputs, layers, x: { shape: [B, T, D], data: dx }, ...(initialState ? { initialState } : {}) };
}
