/**
 * Gate blocks read in a foreign order. Every cell with gate blocks stores them side by side in its
 * own order, read from its descriptor (conformance/cells.ts): the LSTM i, f, c, o (spec/lstm.md
 * §1), the GRU z, r, h (spec/gru.md §1.2). An engine that reads block k as gate `order[k]` computes,
 * with Keras's weights, what Keras computes with the blocks rearranged so that gate g takes block
 * `order.indexOf(g)`. Every other order is tried (23 for the LSTM, 5 for the GRU); the ones a
 * framework uses are named (spec/porting.md §1, spec/gru.md §6 Q1), and so are their inverses: a
 * converter that reorders Keras → ONNX with `from` and `to` swapped (conformance/porting/gates.ts
 * `reorderGates`) leaves the engine reading the inverse permutation of ONNX's order.
 */
import { CELLS, type CellClassName, type CellDescriptor } from "../cells.ts";
import { gatePermutation, IFCO, type Gate, type GateOrder } from "../porting/gates.ts";
import { STAGES, type Hypothesis } from "./hypothesis.ts";
import { KERAS_GATE_ORDER, mapLayersOf, withBlocksPicked } from "./case-transforms.ts";

/** LSTM orders used by other frameworks, as a porter would recognise them. */
const NAMED_ORDERS: Readonly<Record<string, string>> = {
  iofc: "ONNX order, also WebNN's default iofg",
  icfo: "TF1 LSTMCell / LSTMBlockCell order i,j,f,o, and Keras 1's per-gate weight list",
  ifoc: "MIOpen (ROCm) order, also Core ML's and Caffe's i,f,o,g",
  fico: "OpenVINO order",
  cfoi: "DL4J order",
};

/**
 * GRU orders used by other frameworks (../shared/research/porting-layouts.md §1, §3, §5; spec/gru.md
 * §6 Q1): PyTorch's and cuDNN's r, z, n is the usual mistake; Core ML's MIL `gru` stacks r, o
 * (the candidate), z.
 */
const NAMED_GRU_ORDERS: Readonly<Record<string, string>> = {
  rzh: "PyTorch and cuDNN order r,z,n, also MXNet's, Flax's, Equinox's and WebNN's rzn layout",
  rhz: "Core ML order: its MIL gru op stacks r, o = the candidate, z",
};

/** A short name for an order in explanations: "ONNX order" of "ONNX order, also …", "Core ML order" of "Core ML order: …". */
const shortName = (description: string): string => description.split(/[,:]/)[0]!;

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

/** {@link wrongWayOrder} for any cell's blocks: `keras` is the cell's own order (its descriptor's blocks). */
export function wrongWayOrderOf(named: string, keras: string): string {
  if (keras === KERAS_GATE_ORDER) return wrongWayOrder(named);
  // gatePermutation(named, keras): block k of the reordered weight is block named.indexOf(keras[k])
  const perm = [...keras].map((g) => named.indexOf(g));
  const read: string[] = [];
  perm.forEach((kerasBlock, k) => (read[kerasBlock] = named[k]!));
  return read.join("");
}

/** Named LSTM orders by the order their wrong-way conversion reads, where that is not Keras's own. */
export const WRONG_WAY: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(NAMED_ORDERS).map((named) => [wrongWayOrder(named), named] as const).filter(([read]) => read !== KERAS_GATE_ORDER),
);

/** A cell's gate orders: Keras's (from its descriptor), the named ones, and the wrong-way inverses of those. */
interface CellOrders {
  readonly cell: CellDescriptor;
  readonly keras: string;
  readonly named: Readonly<Record<string, string>>;
  readonly wrongWay: Readonly<Record<string, string>>;
}

function cellOrders(className: CellClassName, named: Readonly<Record<string, string>>): CellOrders {
  const cell = CELLS[className];
  const keras = cell.blocks.join("");
  const wrongWay = Object.fromEntries(Object.keys(named).map((n) => [wrongWayOrderOf(n, keras), n] as const).filter(([read]) => read !== keras));
  return { cell, keras, named, wrongWay };
}

const LSTM_ORDERS: CellOrders = { cell: CELLS.LSTM, keras: KERAS_GATE_ORDER, named: NAMED_ORDERS, wrongWay: WRONG_WAY };
const GRU_ORDERS: CellOrders = cellOrders("GRU", NAMED_GRU_ORDERS);

/** The orders of the cell whose blocks `order` permutes (LSTM and GRU letters are disjoint: i,f,c,o and z,r,h). */
const ordersOf = (order: string): CellOrders => ([...order].sort().join("") === [...GRU_ORDERS.keras].sort().join("") ? GRU_ORDERS : LSTM_ORDERS);

const spell = (order: string): string => [...order].join(",");

/** The gate-order hypothesis for reading blocks as `order` (an order of the LSTM's i,f,c,o or of the GRU's z,r,h). */
export function gateOrderHypothesis(order: string): Hypothesis {
  const { cell, keras, named: namedOrders, wrongWay } = ordersOf(order);
  const named = namedOrders[order];
  const inverseOf = wrongWay[order];
  const framework = inverseOf ? shortName(namedOrders[inverseOf]!).replace(/ order$/, "") : "";
  const why = inverseOf
    ? `; that is the inverse of ${framework}'s ${spell(inverseOf)}: the Keras→${framework} reorder applied in the wrong direction (from and to swapped)`
    : "";
  const where =
    cell.kind === "lstm"
      ? "(spec/lstm.md §1, spec/porting.md §1): reorder the four blocks of kernel, recurrent_kernel and bias"
      : `(${cell.chapter} §1.2, §6): reorder the ${cell.blocks.length === 3 ? "three" : cell.blocks.length} blocks of kernel, recurrent_kernel and each bias row`;
  return {
    id: `gate-order:${order}`,
    explanation: `your engine matches Keras if the gate blocks are read as ${spell(order)}${named ? ` (${named})` : ""} instead of Keras's ${spell(keras)}${why} ${where}`,
    async predict(c, oracle) {
      const pick = (g: number): number => order.indexOf(keras[g]!);
      const transformed = mapLayersOf(c, [cell.className], (layer) => withBlocksPicked(layer, pick));
      return transformed ? oracle(transformed) : null;
    },
    // Only orders a port plausibly has take part in pairs: a named one or its wrong-way inverse.
    ...(named || inverseOf ? { touches: ["gate-blocks"], stage: STAGES.gates } : {}),
  };
}

/** Every order of one cell but Keras's own: the named ones first, then their inverses, then the rest. */
const ordersToTry = (o: CellOrders): string[] =>
  [...new Set([...Object.keys(o.named), ...Object.keys(o.wrongWay), ...permutations(o.keras)])].filter((order) => order !== o.keras);

/** Every LSTM order, then every GRU order. */
export const gateOrderHypotheses: readonly Hypothesis[] = [...ordersToTry(LSTM_ORDERS), ...ordersToTry(GRU_ORDERS)].map(gateOrderHypothesis);
