/**
 * Reading a Keras step mask as per-sample sequence lengths, for engines whose only way to say
 * "these steps are padding" is a length (ONNX `sequence_lens`, cuDNN, PyTorch packed sequences).
 * A length can express a right-padded mask only: the first L steps valid, the rest masked
 * (spec/lstm.md §5, masking). Anything else (left padding, holes) has no length form.
 */
import type { BoolTensor } from "../tensor.ts";

export type SequenceLengths =
  | { readonly ok: true; readonly lengths: readonly number[] }
  | { readonly ok: false; readonly reason: string };

/** Per batch row, the number of leading valid steps, or why the mask is not of that form. */
export function rightPaddedLengths(mask: BoolTensor): SequenceLengths {
  const [batch, timesteps] = mask.shape as [number, number];
  const lengths: number[] = [];
  for (let b = 0; b < batch; b++) {
    const row = mask.data.subarray(b * timesteps, (b + 1) * timesteps);
    let length = 0;
    while (length < timesteps && row[length] === 1) length++;
    const hole = row.subarray(length).findIndex((v) => v !== 0);
    if (hole >= 0) {
      const steps = Array.from(row, (v) => (v ? 1 : 0)).join("");
      return {
        ok: false,
        reason: `the mask of batch row ${b} (${steps}) is not right-padded: step ${length + hole} is valid after masked step ${length}, and a sequence length can only say "the first L steps are valid"`,
      };
    }
    lengths.push(length);
  }
  return { ok: true, lengths };
}
