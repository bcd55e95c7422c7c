/**
 * The gradient tolerance policy (spec/gradients.md §6.3). A gradient element g matches Keras's e
 * when both are finite and
 *
 *     |g − e| ≤ atol · max(1, max |e| over that tensor) + rtol · |e|
 *
 * — the forward rule (spec/tolerance.md §1, compare.ts) with atol in units of the tensor's own size,
 * because a weight gradient is a sum of B·T terms and an element that cancels to near zero still
 * carries the rounding of terms the size of the tensor's largest element (§6.2).
 */
import type { Tolerance } from "../case.ts";
import { policyTolerance } from "../tolerance-policy.ts";

/**
 * spec/gradients.md §6.3: atol = rtol = 1e-5 · max(1, sqrt(steps / 1000)), capped at 1e-3 — the
 * forward policy's numbers, measured separately for gradients (§6.2); if either measurement moves,
 * this is where the two policies part. Written into every case by scripts/keras_fixtures/gradient_tolerance.py.
 */
export const gradientPolicy: (steps: number) => Pick<Tolerance, "atol" | "rtol"> = policyTolerance;

/** The element-wise tolerance for one gradient tensor: atol scaled by max(1, max |e|) (§6.3). */
export function scaledTolerance(expected: ArrayLike<number>, tol: Pick<Tolerance, "atol" | "rtol">): Pick<Tolerance, "atol" | "rtol"> {
  let scale = 1;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]!));
  return { atol: tol.atol * scale, rtol: tol.rtol };
}
