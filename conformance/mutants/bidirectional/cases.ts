/**
 * Generated Bidirectional cases for the Bidirectional gallery (spec/bidirectional.md §1–§9), over every
 * cell: each merge mode × return_sequences × return_state, masks (right-padded, holes, a Masking
 * layer) with the wrapper's forced zero_output_for_mask, initial_state for both directions, a
 * custom backward layer, stacks, stateful calls and tf-keras's toggled go_backwards. Their expected
 * outputs are the reference's, so they say so in their id (`generated/bidirectional/…`) and
 * tolerance source; the Keras fixtures (fixtures/keras3/bidirectional) are judged beside them
 * where they exist (bidirectional-mutants.test.ts).
 */
import type { CallInputs, Dialect, FixtureCase, Layer, LayerCase, MergeMode, RecurrentLayer } from "../../case.ts";
import { CELLS, type CellClassName } from "../../cells.ts";
import { referenceEngine } from "../../engines/reference.ts";
import { seededRandom } from "../../properties/arbitraries.ts";
import type { Tensor } from "../../tensor.ts";
import { BASE_TOLERANCE } from "../../tolerance-policy.ts";

const B = 3;
const T = 5;
const D = 3;
const U = 3;
/** An input width other than the units, where a square kernel would hide a kernel mistake (the SimpleRNN's reshape is its transpose, spec/simple-rnn.md §6). */
const WIDE = 4;

/** What varies between the wrapper's two layers and around them. */
interface Options {
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly stateful?: boolean;
  /** tf-keras's toggle of a wrapped layer with go_backwards=True: the forward layer goes backwards, the backward one forwards. */
  readonly toggled?: boolean;
  /** The backward layer's own activation (a custom backward_layer). */
  readonly backwardActivation?: string;
}

function uniform(shape: number[], next: () => number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => (2 * next() - 1) * scale) };
}

/** A recurrent layer as Keras's Bidirectional builds it: zero_output_for_mask forced to return_sequences (spec/bidirectional.md). */
function layer(className: CellClassName, inputDim: number, o: Options, goBackwards: boolean, next: () => number, activation = "tanh"): RecurrentLayer {
  const cell = CELLS[className];
  const shapes = cell.weights({ units: U, use_bias: true, reset_after: true }, inputDim);
  const scale = className === "SimpleRNN" ? 1 / Math.sqrt(U) : 1;
  const [kernel, recurrent_kernel, bias] = shapes.map((w) => uniform([...w.shape], next, w.name === "recurrent_kernel" ? scale : 1));
  const weights = { kernel: kernel!, recurrent_kernel: recurrent_kernel!, bias: bias! };
  const config = {
    units: U,
    activation,
    use_bias: true,
    return_sequences: o.returnSequences,
    return_state: o.returnState,
    go_backwards: goBackwards,
    stateful: o.stateful ?? false,
    zero_output_for_mask: o.returnSequences,
  };
  switch (className) {
    case "LSTM":
      return { className, config: { ...config, recurrent_activation: "sigmoid" }, weights };
    case "GRU":
      return { className, config: { ...config, recurrent_activation: "sigmoid", reset_after: true }, weights };
    case "SimpleRNN":
      return { className, config, weights };
  }
}

function bidirectional(className: CellClassName, inputDim: number, mode: MergeMode, o: Options, next: () => number): Layer {
  const forward = layer(className, inputDim, o, o.toggled ?? false, next);
  const backward = layer(className, inputDim, o, !(o.toggled ?? false), next, o.backwardActivation);
  return { className: "Bidirectional", config: { merge_mode: mode }, forward, backward };
}

type MaskKind = "none" | "right_padded" | "holes" | "masking_layer";

/** Row b of a right-padded mask keeps T − b steps; holes mask steps 1 and 3 of row 0 and the first step of row 1. */
function maskOf(kind: MaskKind): Uint8Array {
  const m = new Uint8Array(B * T).fill(1);
  if (kind === "right_padded") for (let b = 0; b < B; b++) m.fill(0, b * T + T - b, (b + 1) * T);
  if (kind === "holes") [1, 3, T].forEach((s) => (m[s] = 0));
  return m;
}

function calls(n: number, kind: MaskKind, initialStates: number, next: () => number, inputDim = D): CallInputs[] {
  return Array.from({ length: n }, (_, k) => {
    const x = uniform([B, T, inputDim], next, 2);
    const mask = maskOf(kind);
    if (kind === "masking_layer") for (let s = 0; s < B * T; s++) if (s % T === T - 1 && s >= T) x.data.fill(0, s * inputDim, (s + 1) * inputDim);
    return {
      x,
      ...(kind === "right_padded" || kind === "holes" ? { mask: { shape: [B, T], data: mask } } : {}),
      // the first call only: a later call's initial_state would override the carried state (spec/lstm.md §3.6)
      ...(initialStates > 0 && k === 0 ? { initialState: Array.from({ length: initialStates }, () => uniform([B, U], next)) } : {}),
    };
  });
}

const MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave", null];
const CELL_NAMES: readonly CellClassName[] = ["LSTM", "GRU", "SimpleRNN"];
const modeName = (m: MergeMode): string => m ?? "none";

/** The generated Bidirectional cases (without expected outputs), ids `generated/bidirectional/<topic>/<cell>_<variant>/NNN`. */
export function bidirectionalLayerCases(seed = 20261201): LayerCase[] {
  const next = seededRandom(seed);
  const out: LayerCase[] = [];
  const add = (topic: string, cell: CellClassName, variant: string, layers: Layer[], c: CallInputs[], dialect: Dialect = "keras3"): void => {
    out.push({ id: `generated/bidirectional/${topic}/${cell.toLowerCase()}_${variant}/${String(out.length).padStart(3, "0")}`, dialect, layers, calls: c });
  };
  for (const cell of CELL_NAMES) {
    const states = CELLS[cell].states.length;
    for (const mode of MODES) {
      for (const returnSequences of [true, false]) {
        for (const returnState of [false, true]) {
          const o = { returnSequences, returnState };
          add("merge_modes", cell, `${modeName(mode)}_${returnSequences ? "seq" : "last"}${returnState ? "_state" : ""}`, [bidirectional(cell, D, mode, o, next)], calls(1, "none", 0, next));
        }
      }
    }
    for (const kind of ["right_padded", "holes", "masking_layer"] as const) {
      for (const returnSequences of [true, false]) {
        const o = { returnSequences, returnState: true };
        const layers: Layer[] = [...(kind === "masking_layer" ? [{ className: "Masking" as const, config: { mask_value: 0 } }] : []), bidirectional(cell, D, "concat", o, next)];
        add("masking", cell, `${kind}_${returnSequences ? "seq" : "last"}`, layers, calls(1, kind, 0, next));
      }
    }
    for (const mode of ["concat", "sum"] as const) {
      add("initial_state", cell, modeName(mode), [bidirectional(cell, WIDE, mode, { returnSequences: true, returnState: true }, next)], calls(1, "none", 2 * states, next, WIDE));
      add("initial_state", cell, `${modeName(mode)}_masked`, [bidirectional(cell, WIDE, mode, { returnSequences: false, returnState: true }, next)], calls(1, "holes", 2 * states, next, WIDE));
    }
    add("backward_layer", cell, "relu", [bidirectional(cell, D, "concat", { returnSequences: true, returnState: true, backwardActivation: "relu" }, next)], calls(1, "none", 0, next));
    const inner = { returnSequences: true, returnState: false };
    add("stacked", cell, "two", [bidirectional(cell, D, "concat", inner, next), bidirectional(cell, 2 * U, "ave", { returnSequences: false, returnState: true }, next)], calls(1, "right_padded", 0, next));
    add("stacked", cell, "then_plain", [bidirectional(cell, D, "sum", inner, next), layer(cell, U, { returnSequences: true, returnState: true }, false, next)], calls(1, "none", 0, next));
    // Keras 3.15.1 cannot call a stateful Bidirectional with return_state (spec/bidirectional.md §9)
    add("stateful", cell, "two_calls", [bidirectional(cell, D, "concat", { returnSequences: true, returnState: false, stateful: true }, next)], calls(2, "none", 0, next));
    for (const returnSequences of [true, false]) {
      const o = { returnSequences, returnState: true, toggled: true };
      add("legacy", cell, `toggled_${returnSequences ? "seq" : "last"}`, [bidirectional(cell, D, "concat", o, next)], calls(1, "none", 0, next), "tf-keras");
    }
    add("legacy", cell, "toggled_masked", [bidirectional(cell, D, "sum", { returnSequences: true, returnState: true, toggled: true }, next)], calls(1, "right_padded", 0, next), "tf-keras");
  }
  return out;
}

/** The generated Bidirectional cases with the reference's outputs as expected (the gallery's oracle for cases the corpus lacks). */
export async function generatedBidirectionalCases(seed?: number): Promise<FixtureCase[]> {
  const cases: FixtureCase[] = [];
  for (const c of bidirectionalLayerCases(seed)) {
    const outputs = await referenceEngine.run(c);
    cases.push({
      ...c,
      description: `generated Bidirectional case ${c.id}`,
      seed: seed ?? 20261201,
      file: "(generated)",
      tolerance: { ...BASE_TOLERANCE, source: "generated: expected outputs computed by the reference" },
      expected: outputs.map((o) => ({ outputs: o, steps: [] })),
      backends: {},
    });
  }
  return cases;
}
