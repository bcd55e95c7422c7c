/**
 * What Keras's `Masking(mask_value)` layer does to its input (spec/lstm.md §3.5.5), for the suite's
 * own uses (engines that take a mask instead of the layer, hypotheses, diagnosis). The reference
 * keeps its own copy in reference/model.ts so that it stays free of dependencies.
 */
import type { BoolTensor, Tensor } from "./tensor.ts";

/**
 * The mask `Masking(mask_value)` attaches to `x` (batch, timesteps, features): a step is valid when
 * any of its features differs from `mask_value` (keras/src/layers/core/masking.py).
 */
export function maskingLayerMask(x: Tensor, maskValue: number): BoolTensor {
  const [batch, timesteps, features] = x.shape as [number, number, number];
  // spec/lstm.md §3.5.5: Keras compares in the input's dtype, so mask_value is rounded to float32 first.
  const value = Math.fround(maskValue);
  const data = new Uint8Array(batch * timesteps);
  for (let s = 0; s < batch * timesteps; s++) {
    const step = x.data.subarray(s * features, (s + 1) * features);
    data[s] = step.some((v) => v !== value) ? 1 : 0;
  }
  return { shape: [batch, timesteps], data };
}

/** `x` as the Masking layer passes it on: every masked step's features set to zero. */
export function zeroMaskedSteps(x: Tensor, mask: BoolTensor): Tensor {
  const features = x.shape[2]!;
  const data = new Float32Array(x.data);
  mask.data.forEach((valid, s) => {
    if (!valid) data.fill(0, s * features, (s + 1) * features);
  });
  return { shape: x.shape, data };
}
