/**
 * fast-check arbitraries for LSTM cases within the spec (spec/lstm.md §1–§3): a small plain
 * `CaseSpec` (what shrinks) and `buildCase`, which turns it into a `LayerCase`. Weights and inputs are
 * drawn from a seeded generator rather than element by element, which keeps generation fast; each
 * gate block gets its own scale so that a gate-order or block mistake cannot hide behind symmetric
 * weights (with equal weights in every block, the i, c and o gates are interchangeable and a swap
 * changes nothing). A small fraction of cases, when asked (`longFraction`), are long sequences.
 */
import fc from "fast-check";
import type { CallInputs, Dialect, Layer, LayerCase, LstmLayer } from "../case.ts";
import type { Feature } from "../engine.ts";
import type { Tensor } from "../tensor.ts";

export interface CaseSpec {
  readonly units: number;
  readonly inputDim: number;
  readonly timesteps: number;
  readonly batch: number;
  /** 1 or 2 LSTM layers (spec/lstm.md §3.1, stacking). */
  readonly depth: number;
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly dialect: Dialect;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly useBias: boolean;
  readonly zeroOutputForMask: boolean;
  /** "none", an explicit mask, or a Masking layer (mask_value 0) whose masked steps are zero rows. */
  readonly masking: "none" | "mask" | "masking_layer";
  readonly initialState: boolean;
  /** Stateful layers called twice (spec/lstm.md §3.6); otherwise one call. */
  readonly stateful: boolean;
  /** Per gate block i, f, c, o: the scale of its weights. */
  readonly gateScales: readonly [number, number, number, number];
  /** Seeds the weights, the inputs and the mask. */
  readonly seed: number;
}

/** What the arbitrary may use, from an engine's declared features (an undeclared option is never drawn). */
export interface CaseSpace {
  readonly features: readonly Feature[];
  /** Force options on or off for a property. */
  readonly fixed?: Partial<CaseSpec>;
  readonly maxTimesteps?: number;
  /**
   * The fraction of drawn cases that are long sequences (LONG_SEQUENCES); default 0, so callers
   * that sample a fixed set of cases (the mutant gallery, the Python engines' tests) keep it.
   */
  readonly longFraction?: number;
}

/**
 * Long sequences: T in the hundreds, so a bug that appears only past a fixed buffer size (e.g. 256
 * steps) or after many steps is drawn at all. Units, input width and batch stay small to keep the
 * run short. T ≤ 500 keeps two stateful calls within the 1000 steps over which spec/tolerance.md §4
 * measured BASE_TOLERANCE, the tolerance every property compares with.
 */
export const LONG_SEQUENCES = { minTimesteps: 200, maxTimesteps: 500, maxUnits: 3, maxInputDim: 3, maxBatch: 2 } as const;

// Bounded gates keep float32 and float64 within the tolerance over 12 steps; an unbounded
// recurrent activation (linear) lets the state grow until float32 rounding alone exceeds it.
const ACTIVATIONS = ["tanh", "sigmoid", "relu", "softsign", "hard_sigmoid"];
const RECURRENT_ACTIVATIONS = ["sigmoid", "hard_sigmoid"];
/**
 * Long sequences draw only bounded activations: with relu the cell state can grow step after step
 * (exponentially in a stack) until float32 overflows to infinity, which no tolerance covers. With
 * these, two float32 engines (naive-lstm, tfjs) stayed within 1.2e-7 of the reference on 400 long cases.
 */
const BOUNDED_ACTIVATIONS: ReadonlySet<string> = new Set(["tanh", "sigmoid", "softsign", "hard_sigmoid"]);

/** An arbitrary boolean that is false unless the engine declares `feature`. */
const optional = (features: ReadonlySet<string>, feature: Feature): fc.Arbitrary<boolean> =>
  features.has(feature) ? fc.boolean() : fc.constant(false);

export function caseSpecArbitrary(space: CaseSpace): fc.Arbitrary<CaseSpec> {
  const f = new Set<string>(space.features);
  const acts = ACTIVATIONS.filter((a) => f.has(`activation:${a}`));
  const recActs = RECURRENT_ACTIVATIONS.filter((a) => f.has(`recurrent_activation:${a}`));
  const masking: ("none" | "mask" | "masking_layer")[] = ["none"];
  if (f.has("mask")) masking.push("mask");
  if (f.has("masking_layer")) masking.push("masking_layer");
  const scale = fc.integer({ min: 1, max: 12 }).map((k) => k / 8);
  const activation = (names: readonly string[]): fc.Arbitrary<string> => (names.length > 0 ? fc.constantFrom(...names) : fc.constant("tanh"));
  const short = {
    units: fc.integer({ min: 1, max: 8 }),
    inputDim: fc.integer({ min: 1, max: 8 }),
    timesteps: fc.integer({ min: 1, max: space.maxTimesteps ?? 12 }),
    batch: fc.integer({ min: 1, max: 4 }),
  };
  const depth = f.has("stacked") ? fc.integer({ min: 1, max: 2 }) : fc.constant(1);
  const options = {
    recurrentActivation: recActs.length > 0 ? fc.constantFrom(...recActs) : fc.constant("sigmoid"),
    dialect: f.has("dialect:tf-keras") ? fc.constantFrom<Dialect>("keras3", "tf-keras") : fc.constant<Dialect>("keras3"),
    returnSequences: optional(f, "return_sequences"),
    returnState: optional(f, "return_state"),
    goBackwards: optional(f, "go_backwards"),
    useBias: f.has("use_bias_false") ? fc.boolean() : fc.constant(true),
    zeroOutputForMask: optional(f, "zero_output_for_mask"),
    masking: fc.constantFrom(...masking),
    initialState: optional(f, "initial_state"),
    stateful: optional(f, "stateful"),
    gateScales: fc.tuple(scale, scale, scale, scale),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  };
  const fraction = space.longFraction ?? 0;
  const L = LONG_SEQUENCES;
  const bounded = acts.filter((a) => BOUNDED_ACTIVATIONS.has(a));
  const noLong = fraction <= 0 || (acts.length > 0 && bounded.length === 0) || (space.maxTimesteps ?? L.minTimesteps) < L.minTimesteps;
  // Without long sequences, one record exactly as before: a caller's fixed seed keeps drawing the same cases.
  if (noLong) return fc.record({ ...short, depth, activation: activation(acts), ...options }).map((s) => ({ ...s, ...space.fixed }));
  const long = {
    units: fc.integer({ min: 1, max: L.maxUnits }),
    inputDim: fc.integer({ min: 1, max: L.maxInputDim }),
    timesteps: fc.integer({ min: L.minTimesteps, max: L.maxTimesteps }),
    batch: fc.integer({ min: 1, max: L.maxBatch }),
    activation: activation(bounded),
  };
  const sizes = fc.oneof(
    { arbitrary: fc.record({ ...short, activation: activation(acts) }), weight: Math.round(1000 * (1 - fraction)) },
    { arbitrary: fc.record(long), weight: Math.round(1000 * fraction) },
  );
  return fc.tuple(sizes, fc.record({ depth, ...options })).map(([size, rest]) => ({ ...size, ...rest, ...space.fixed }));
}

/** mulberry32: a tiny seeded generator, so a spec's seed fixes every number. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(shape: number[], next: () => number, scaleOf: (flat: number) => number = () => 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let k = 0; k < n; k++) data[k] = (2 * next() - 1) * scaleOf(k);
  return { shape, data };
}

function lstmLayer(s: CaseSpec, inputDim: number, isLast: boolean, next: () => number): LstmLayer {
  const u = s.units;
  const gateScale = (flat: number): number => s.gateScales[Math.floor((flat % (4 * u)) / u)]!;
  return {
    className: "LSTM",
    config: {
      units: u,
      activation: s.activation,
      recurrent_activation: s.recurrentActivation,
      use_bias: s.useBias,
      // spec/lstm.md §3.1: every LSTM that feeds another returns sequences
      return_sequences: isLast ? s.returnSequences : true,
      return_state: isLast ? s.returnState : false,
      go_backwards: s.goBackwards,
      stateful: s.stateful,
      zero_output_for_mask: s.zeroOutputForMask,
    },
    weights: {
      kernel: uniform([inputDim, 4 * u], next, gateScale),
      recurrent_kernel: uniform([u, 4 * u], next, gateScale),
      ...(s.useBias ? { bias: uniform([4 * u], next, gateScale) } : {}),
    },
  };
}

/** The case a spec describes (two calls when stateful), ids `properties/generated/<seed>`. */
export function buildCase(s: CaseSpec): LayerCase {
  const next = seededRandom(s.seed);
  const { batch: B, timesteps: T, inputDim: D, units: u } = s;
  const layers: Layer[] = [];
  if (s.masking === "masking_layer") layers.push({ className: "Masking", config: { mask_value: 0 } });
  for (let k = 0; k < s.depth; k++) layers.push(lstmLayer(s, k === 0 ? D : u, k === s.depth - 1, next));
  const calls: CallInputs[] = [];
  for (let n = 0; n < (s.stateful ? 2 : 1); n++) {
    const x = uniform([B, T, D], next, () => 2);
    let mask: Uint8Array | undefined;
    if (s.masking !== "none") {
      mask = Uint8Array.from({ length: B * T }, () => (next() < 0.7 ? 1 : 0));
      if (s.masking === "masking_layer") {
        for (let bt = 0; bt < B * T; bt++) if (!mask[bt]) x.data.fill(0, bt * D, (bt + 1) * D);
      }
    }
    calls.push({
      x,
      ...(s.masking === "mask" && mask ? { mask: { shape: [B, T], data: mask } } : {}),
      // the first call only: a later call's explicit initial_state would override the carried state (§3.6)
      ...(s.initialState && n === 0 ? { initialState: [uniform([B, u], next), uniform([B, u], next)] } : {}),
    });
  }
  return { id: `properties/generated/${String(s.seed % 1000).padStart(3, "0")}`, dialect: s.dialect, layers, calls };
}
