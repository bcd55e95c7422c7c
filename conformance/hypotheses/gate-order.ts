/**
 * Gate blocks read in a foreign order (spec/lstm.md §1: Keras stores i, f, c, o). An engine that
 * reads block k as gate `order[k]` computes, with Keras's weights, what Keras computes with the
 * blocks rearranged so that gate g takes block `order.indexOf(g)`. All 23 other orders are tried;
 * the ones a framework uses are named (spec/porting.md §1), and so are their inverses: a converter
 * that reorders Keras → ONNX with `from` and `to` swapped (conformance/porting/gates.ts
 * `reorderGates`) leaves the engine reading the inverse permutation of ONNX's order.
 */
import { gatePermutation, IFCO, type Gate, type GateOrder } from "../porting/gates.ts";
import { STAGES, type Hypothesis } from "./hypothesis.ts";
import { KERAS_GATE_ORDER, mapLstmLayers, withBlocksPicked } from "./case-transforms.ts";

/** Orders used by other frameworks, as a porter would recognise them. */
const NAMED_ORDERS: Readonly<Record<string, string>> = {
  iofc: "ONNX order, also WebNN's default iofg",
  icfo: "TF1 LSTMCell / LSTMBlockCell order i,j,f,o, and Keras 1's per-gate weight list",
  ifoc: "MIOpen (ROCm) order, also Core ML's and Caffe's i,f,o,g",
  fico: "OpenVINO order",
  cfoi: "DL4J order",
};

/** A short name for an order in explanations: "ONNX order" of "ONNX order, also …". */
const shortName = (order: string): string => NAMED_ORDERS[order]!.split(",")[0]!;

function permutations(s: string): string[] {
  if (s.length <= 1) return [s];
  return [...s].flatMap((ch, k) => permutations(s.slice(0, k) + s.slice(k + 1)).map((rest) => ch + rest));
}

/**
 * The order an engine reads when it wants order `named` but converts from Keras with the reorder
 * the wrong way round: `reorderGates(w, named, IFCO)` instead of `reorderGates(w, IFCO, named)`,
 * then reads the blocks as `named`. Block k of what it holds is Keras block `perm[k]`, read as gate
 * `named[k]`. For a swap of two gates (TF1, MIOpen, OpenVINO) that is Keras's own order: the
 * direction does not matter. For a cycle of three (ONNX, DL4J) it is the inverse permutation of
 * `named`.
 */
export function wrongWayOrder(named: string): string {
  const order = [...named] as Gate[];
  const perm = gatePermutation(order as unknown as GateOrder, IFCO);
  const read: string[] = [];
  perm.forEach((kerasBlock, k) => (read[kerasBlock] = order[k]!));
  return read.join("");
}

/** Named orders by the order their wrong-way conversion reads, where that is not Keras's own. */
export const WRONG_WAY: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(NAMED_ORDERS).map((named) => [wrongWayOrder(named), named] as const).filter(([read]) => read !== KERAS_GATE_ORDER),
);

const spell = (order: string): string => [...order].join(",");

/** The gate-order hypothesis for reading blocks as `order`. */
export function gateOrderHypothesis(order: string): Hypothesis {
  const named = NAMED_ORDERS[order];
  const inverseOf = WRONG_WAY[order];
  const framework = inverseOf ? shortName(inverseOf).replace(/ order$/, "") : "";
  const why = inverseOf
    ? `; that is the inverse of ${framework}'s ${spell(inverseOf)}: the Keras→${framework} reorder applied in the wrong direction (from and to swapped)`
    : "";
  return {
    id: `gate-order:${order}`,
    explanation:
      `your engine matches Keras if the gate blocks are read as ${spell(order)}${named ? ` (${named})` : ""} instead of Keras's i,f,c,o${why} ` +
      "(spec/lstm.md §1, spec/porting.md §1): reorder the four blocks of kernel, recurrent_kernel and bias",
    async predict(c, oracle) {
      const pick = (g: number): number => order.indexOf(KERAS_GATE_ORDER[g]!);
      const transformed = mapLstmLayers(c, (layer) => withBlocksPicked(layer, pick));
      return transformed ? oracle(transformed) : null;
    },
    // Only orders a port plausibly has take part in pairs: a named one or its wrong-way inverse.
    ...(named || inverseOf ? { touches: ["gate-blocks"], stage: STAGES.gates } : {}),
  };
}

/** Every order but Keras's own: the named ones first, then their inverses, then the rest. */
export const gateOrderHypotheses: readonly Hypothesis[] = [
  ...new Set([...Object.keys(NAMED_ORDERS), ...Object.keys(WRONG_WAY), ...permutations(KERAS_GATE_ORDER)]),
].filter((o) => o !== KERAS_GATE_ORDER).map(gateOrderHypothesis);
