/**
 * The reference's answer to a gradient case (spec/gradients.md §4): reference/gradients/ run on the
 * case's layers, calls and cotangents. Like every engine, the reference is judged against the Keras
 * fixtures; it never produces expected values.
 */
import type { ModelLayer } from "../../reference/model.ts";
import { modelGradients } from "../../reference/gradients/model.ts";
import type { ReferenceTensor } from "../../reference/model.ts";
import type { GradientAnswer, GradientRequest } from "./case.ts";

/** The case's layers as the reference's model takes them: the same config, the weights' data. */
function modelLayer(l: GradientRequest["layers"][number]): ModelLayer {
  if (l.className === "Masking" || l.className === "Bidirectional") return l as ModelLayer;
  const { kernel, recurrent_kernel, bias } = l.weights;
  return { className: l.className, config: l.config, weights: { kernel: kernel.data, recurrent_kernel: recurrent_kernel.data, ...(bias ? { bias: bias.data } : {}) } } as ModelLayer;
}

/** Takes a request (the forward part and cotangents, what any engine gets) or a whole case. */
export function referenceGradients(c: GradientRequest): GradientAnswer<ReferenceTensor>[] {
  const calls = c.calls.map((call, n) => {
    const [B = 0, T = 0, D = 0] = call.x.shape;
    return {
      x: call.x.data,
      shape: [B, T, D] as const,
      ...(call.mask ? { mask: call.mask.data } : {}),
      ...(call.initialState ? { initialState: call.initialState.map((s) => s.data) } : {}),
      cotangents: c.cotangents[n]!.map((t) => t.data),
    };
  });
  return modelGradients(c.layers.map(modelLayer), calls, c.dialect).map((g) => ({
    outputs: g.outputs,
    layers: g.layers,
    x: g.x,
    ...(g.initialState ? { initialState: g.initialState } : {}),
  }));
}
