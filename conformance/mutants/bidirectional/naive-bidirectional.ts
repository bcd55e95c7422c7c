/**
 * A plainly written Keras `Bidirectional` (spec/bidirectional.md) around the naive LSTM, GRU and
 * SimpleRNN layers (../naive-lstm.ts, ../naive-rnn.ts), with optional flaw hooks: the base of the
 * Bidirectional mutants. With no flaw it does what keras/src/layers/rnn/bidirectional.py does —
 * both layers read the same input and mask, initial_state split in halves (forward first), the
 * backward output flipped back along time with return_sequences only, merged by merge_mode
 * (concat forward first, sum, mul, ave, None the pair), the states forward first — in code of its
 * own, separate from reference/, so that a mutant's flaw is neither inherited by nor from the
 * reference. Each mutant module switches on exactly one flaw.
 *
 * The model around the layers is composed one layer at a time over every call (a stateful layer's
 * state is carried by its naive engine): the Masking layer's zeros and mask, the mask passed on
 * with return_sequences, Keras 3 dropping a Masking mask for the layer called with initial_state
 * (spec/lstm.md §3.5.5–§3.5.7).
 */
import { sequenceLayers, type BidirectionalLayer, type CallInputs, type LayerCase, type RecurrentLayer } from "../../case.ts";
import { CELLS, type CellClassName } from "../../cells.ts";
import type { Engine, EngineOutputs, Feature } from "../../engine.ts";
import { BIDIRECTIONAL_FEATURE } from "../../features.ts";
import { flipTime } from "../../hypotheses/case-transforms.ts";
import { maskingLayerMask, zeroMaskedSteps } from "../../masking-layer.ts";
import type { BoolTensor, Tensor } from "../../tensor.ts";
import { naiveLstmEngine, naiveLstmFeatures } from "../naive-lstm.ts";
import { naiveRnnEngine } from "../naive-rnn.ts";

/** One Bidirectional mistake each; a mutant sets exactly one of them. */
export interface NaiveBidirectionalFlaws {
  /** With return_sequences, the backward output merged in processing order, not flipped back. */
  readonly backwardNotFlipped?: boolean;
  /** Without return_sequences, `flip(y_rev, axis=1)` applied anyway: the backward last output's units reversed. */
  readonly lastOutputUnitsReversed?: boolean;
  /** concat puts the backward features first. */
  readonly concatBackwardFirst?: boolean;
  /** The forward layer computed with the backward layer's weights and the other way round. */
  readonly weightsSwapped?: boolean;
  /** merge_mode "ave" computed as "sum" (the halving forgotten). */
  readonly aveAsSum?: boolean;
  /** merge_mode "sum" computed as "ave". */
  readonly sumAsAve?: boolean;
  /** return_state in another order: [fwd_h, bwd_h, fwd_c, bwd_c] (interleaved), or the backward states first. */
  readonly statesOrder?: "interleaved" | "backward-first";
  /** initial_state's halves swapped: the first half to the backward layer. */
  readonly initialStateHalvesSwapped?: boolean;
  /** The layers run with zero_output_for_mask false, as the wrapped layer had it (not forced to return_sequences). */
  readonly zeroOutputNotForced?: boolean;
  /** The backward layer's go_backwards forced to true, Keras 3's rule, on a case whose layers tf-keras toggled. */
  readonly goBackwardsForced?: boolean;
  /** The forward layer run forwards and the backward one backwards, whatever their go_backwards says. */
  readonly directionsFixed?: boolean;
  /** The backward layer given the input (and mask) reversed along time and run with its go_backwards: reversed twice. */
  readonly backwardDoubleReversed?: boolean;
}

export interface NaiveBidirectionalEngine extends Engine {
  readonly flaws: NaiveBidirectionalFlaws;
}

/** The engine that computes one recurrent layer of each cell (a one-layer case, every call). */
export type LayerEngines = Readonly<Record<CellClassName, Engine>>;

const naiveLayers: LayerEngines = {
  LSTM: naiveLstmEngine({ name: "naive-lstm" }),
  GRU: naiveRnnEngine({ name: "naive-gru", cell: "gru" }),
  SimpleRNN: naiveRnnEngine({ name: "naive-simple-rnn", cell: "simple_rnn" }),
};

/** Every cell's features, the naive layers' options, and the wrapper. */
export const naiveBidirectionalFeatures: readonly Feature[] = [
  ...new Set([...naiveLstmFeatures, ...naiveLayers.GRU.features, ...naiveLayers.SimpleRNN.features, CELLS.LSTM.feature, BIDIRECTIONAL_FEATURE]),
];

const withConfig = <L extends RecurrentLayer>(l: L, patch: Partial<L["config"]>): L => ({ ...l, config: { ...l.config, ...patch } });

/** One recurrent layer over every call, by its cell's engine: [output, ...states] per call. */
async function runLayer(engines: LayerEngines, c: LayerCase, layer: RecurrentLayer, calls: readonly CallInputs[]): Promise<Tensor[][]> {
  const out = await engines[layer.className].run({ id: c.id, dialect: c.dialect, layers: [withConfig(layer, { return_state: true })], calls: [...calls] });
  return out.map((o) => [...o]);
}

/** The units of a (B, u) tensor reversed: numpy's flip(axis=1) of a 2-D output. */
function reverseUnits(t: Tensor): Tensor {
  const [rows, u] = t.shape as [number, number];
  const data = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < u; j++) data[r * u + j] = t.data[r * u + u - 1 - j]!;
  return { shape: t.shape, data };
}

function concat(a: Tensor, b: Tensor): Tensor {
  const u = a.shape.at(-1)!;
  const v = b.shape.at(-1)!;
  const rows = a.data.length / u;
  const data = new Float32Array(rows * (u + v));
  for (let r = 0; r < rows; r++) {
    data.set(a.data.subarray(r * u, (r + 1) * u), r * (u + v));
    data.set(b.data.subarray(r * v, (r + 1) * v), r * (u + v) + u);
  }
  return { shape: [...a.shape.slice(0, -1), u + v], data };
}

const elementwise = (a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor => ({ shape: a.shape, data: a.data.map((x, k) => f(x, b.data[k]!)) });

/** The wrapper's outputs from its two layers' [output, ...states] (bidirectional.py `call`). */
function merge(layer: BidirectionalLayer, fwd: readonly Tensor[], bwd: readonly Tensor[], flaws: NaiveBidirectionalFlaws): Tensor[] {
  const sequences = layer.forward.config.return_sequences;
  const [y, yRaw] = [fwd[0]!, bwd[0]!];
  let yRev = yRaw;
  if (sequences && !flaws.backwardNotFlipped) yRev = flipTime(yRaw);
  if (!sequences && flaws.lastOutputUnitsReversed) yRev = reverseUnits(yRaw);
  let mode = layer.config.merge_mode;
  if (mode === "ave" && flaws.aveAsSum) mode = "sum";
  else if (mode === "sum" && flaws.sumAsAve) mode = "ave";
  const merged =
    mode === null ? [y, yRev]
    : mode === "concat" ? [flaws.concatBackwardFirst ? concat(yRev, y) : concat(y, yRev)]
    : [elementwise(y, yRev, mode === "sum" ? (a, b) => a + b : mode === "mul" ? (a, b) => a * b : (a, b) => (a + b) / 2)];
  const [fs, bs] = [fwd.slice(1), bwd.slice(1)];
  const states =
    flaws.statesOrder === "backward-first" ? [...bs, ...fs]
    : flaws.statesOrder === "interleaved" ? fs.flatMap((s, k) => [s, bs[k]!])
    : [...fs, ...bs];
  return [...merged, ...states];
}

/** The two layers as this engine builds them, its flaw applied. */
function pairOf(layer: BidirectionalLayer, flaws: NaiveBidirectionalFlaws): [RecurrentLayer, RecurrentLayer] {
  let { forward, backward } = layer;
  if (flaws.weightsSwapped) [forward, backward] = [{ ...forward, weights: backward.weights } as RecurrentLayer, { ...backward, weights: forward.weights } as RecurrentLayer];
  if (flaws.zeroOutputNotForced) [forward, backward] = [withConfig(forward, { zero_output_for_mask: false }), withConfig(backward, { zero_output_for_mask: false })];
  if (flaws.goBackwardsForced) backward = withConfig(backward, { go_backwards: true });
  if (flaws.directionsFixed) [forward, backward] = [withConfig(forward, { go_backwards: false }), withConfig(backward, { go_backwards: true })];
  return [forward, backward];
}

const reversedCall = (call: CallInputs): CallInputs => ({ ...call, x: flipTime(call.x), ...(call.mask ? { mask: flipTime(call.mask) } : {}) });

export interface NaiveBidirectionalOptions {
  readonly name: string;
  readonly version?: string;
  readonly flaws?: NaiveBidirectionalFlaws;
  /**
   * The layers it wraps, per cell: the naive layers by default; a mutant of a cell's gallery makes
   * a Bidirectional port whose layers have that mistake in both directions (what the cell's
   * hypotheses must then name on a Bidirectional case).
   */
  readonly layers?: Partial<LayerEngines>;
}

/** Builds a naive Bidirectional engine with the given flaws (none: a correct one). */
export function naiveBidirectionalEngine(options: NaiveBidirectionalOptions): NaiveBidirectionalEngine {
  const flaws = options.flaws ?? {};
  const engines: LayerEngines = { ...naiveLayers, ...options.layers };
  return {
    name: options.name,
    version: options.version ?? "1.0.0",
    features: naiveBidirectionalFeatures,
    flaws,
    async run(c: LayerCase): Promise<EngineOutputs> {
      const masking = c.layers.find((l) => l.className === "Masking");
      const maskingMasks = masking ? c.calls.map((call) => maskingLayerMask(call.x, masking.config.mask_value)) : undefined;
      let xs = c.calls.map((call, n) => (maskingMasks ? zeroMaskedSteps(call.x, maskingMasks[n]!) : call.x));
      let masks: (BoolTensor | undefined)[] = c.calls.map((call, n) => call.mask ?? maskingMasks?.[n]);
      let outputs: Tensor[][] = [];
      const layers = sequenceLayers(c);
      for (const [k, layer] of layers.entries()) {
        const given = (n: number): readonly Tensor[] | undefined => (k === 0 ? c.calls[n]!.initialState : undefined);
        // spec/lstm.md §3.5.7: Keras 3 gives no Masking mask to the layer called with initial_state
        const maskFor = (n: number): BoolTensor | undefined => (given(n) && !c.calls[n]!.mask && c.dialect === "keras3" ? undefined : masks[n]);
        const callsWith = (initial: (n: number) => readonly Tensor[] | undefined): CallInputs[] =>
          xs.map((x, n) => {
            const mask = maskFor(n);
            const s = initial(n);
            return { x, ...(mask ? { mask } : {}), ...(s && s.length > 0 ? { initialState: [...s] } : {}) };
          });
        if (layer.className !== "Bidirectional") {
          outputs = await runLayer(engines, c, layer, callsWith(given));
          const keep = layer.config.return_state ? outputs : outputs.map((o) => [o[0]!]);
          xs = outputs.map((o) => o[0]!);
          outputs = keep;
          if (!layer.config.return_sequences) masks = masks.map(() => undefined);
          continue;
        }
        const [forward, backward] = pairOf(layer, flaws);
        const half = (n: number, first: boolean): readonly Tensor[] | undefined => {
          const s = given(n);
          if (!s) return undefined;
          const h = Math.floor(s.length / 2);
          return first !== (flaws.initialStateHalvesSwapped ?? false) ? s.slice(0, h) : s.slice(h);
        };
        const fwd = await runLayer(engines, c, forward, callsWith((n) => half(n, true)));
        const backwardCalls = callsWith((n) => half(n, false));
        const bwd = await runLayer(engines, c, backward, flaws.backwardDoubleReversed ? backwardCalls.map(reversedCall) : backwardCalls);
        const merged = fwd.map((f, n) => merge(layer, f, bwd[n]!, flaws));
        const sequenceOutputs = layer.config.merge_mode === null ? 2 : 1;
        outputs = layer.forward.config.return_state ? merged : merged.map((o) => o.slice(0, sequenceOutputs));
        xs = merged.map((o) => o[0]!);
        if (!layer.forward.config.return_sequences) masks = masks.map(() => undefined);
      }
      return outputs;
    },
  };
}
