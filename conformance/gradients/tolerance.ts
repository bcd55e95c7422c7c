/**
 * The gradient tolerance policy (spec/gradients.md §6.3), mirrored by
 * scripts/keras_fixtures/gradient_tolerance.py, which writes every gradient case's `tolerance`:
 * change both together. A gradient element g matches Keras's e when both are finite and
 *
 *     |g − e| ≤ atol · max(1, max |e| over that tensor) + rtol · |e|
 *
 * — the atol term in units of the tensor's own size, because a weight gradient is a sum of B·T
 * terms and an element that cancels to near zero still carries the rounding of terms the size of the
 * tensor's largest element (§6.2). This is the forward rule (spec/tolerance.md §1, compare.ts) with
 * atol scaled per tensor.
 */
import type { Tolerance } from "../case.ts";

/** atol = rtol within the measured range (spec/gradients.md §6.2). */
const BASE = 1e-5;
/** The longest sequence measured; beyond it the bound grows with sqrt, a guard (§6.3). */
const MEASURED_STEPS = 1000;
const CAP = 1e-3;

/** spec/gradients.md §6.3: atol = rtol = 1e-5 · max(1, sqrt(steps / 1000)), capped at 1e-3; steps = timesteps × calls. */
export function gradientPolicy(steps: number): Pick<Tolerance, "atol" | "rtol"> {
  const t = Number(Math.min(CAP, BASE * Math.max(1, Math.sqrt(steps / MEASURED_STEPS))).toPrecision(3));
  return { atol: t, rtol: t };
}

/** The element-wise tolerance for one gradient tensor: atol scaled by max(1, max |e|) (§6.3). */
export function scaledTolerance(expected: ArrayLike<number>, tol: Pick<Tolerance, "atol" | "rtol">): Pick<Tolerance, "atol" | "rtol"> {
  let scale = 1;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]!));
  return { atol: tol.atol * scale, rtol: tol.rtol };
}
