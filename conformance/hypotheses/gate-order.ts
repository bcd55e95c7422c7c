/**
 * Gate blocks read in a foreign order (spec/lstm.md §1: Keras stores i, f, c, o). An engine that
 * reads block k as gate `order[k]` computes, with Keras's weights, what Keras computes with the
 * blocks rearranged so that gate g takes block `order.indexOf(g)`. All 23 other orders are tried;
 * the ones a framework uses are named (spec/porting.md §1).
 */
import type { Hypothesis } from "./hypothesis.ts";
import { KERAS_GATE_ORDER, mapLstmLayers, withBlocksPicked } from "./case-transforms.ts";

/** Orders used by other frameworks, as a porter would recognise them. */
const NAMED_ORDERS: Readonly<Record<string, string>> = {
  iofc: "ONNX order, also WebNN's default iofg",
  icfo: "TF1 LSTMCell / LSTMBlockCell order i,j,f,o, and Keras 1's per-gate weight list",
  ifoc: "MIOpen (ROCm) order, also Core ML's and Caffe's i,f,o,g",
  fico: "OpenVINO order",
  cfoi: "DL4J order",
};

function permutations(s: string): string[] {
  if (s.length <= 1) return [s];
  return [...s].flatMap((ch, k) => permutations(s.slice(0, k) + s.slice(k + 1)).map((rest) => ch + rest));
}

/** The gate-order hypothesis for reading blocks as `order`. */
export function gateOrderHypothesis(order: string): Hypothesis {
  const named = NAMED_ORDERS[order];
  const spelled = [...order].join(",");
  return {
    id: `gate-order:${order}`,
    explanation:
      `your engine matches Keras if the gate blocks are read as ${spelled}${named ? ` (${named})` : ""} ` +
      `instead of Keras's i,f,c,o (spec/lstm.md §1): reorder the four blocks of kernel, recurrent_kernel and bias`,
    async predict(c, oracle) {
      const pick = (g: number): number => order.indexOf(KERAS_GATE_ORDER[g]!);
      const transformed = mapLstmLayers(c, (layer) => withBlocksPicked(layer, pick));
      return transformed ? oracle(transformed) : null;
    },
  };
}

/** Every order but Keras's own, the named ones first. */
export const gateOrderHypotheses: readonly Hypothesis[] = [
  ...Object.keys(NAMED_ORDERS),
  ...permutations(KERAS_GATE_ORDER).filter((o) => o !== KERAS_GATE_ORDER && !(o in NAMED_ORDERS)),
].map(gateOrderHypothesis);
