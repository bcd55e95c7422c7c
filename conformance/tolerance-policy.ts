/**
 * The tolerance policy (spec/tolerance.md §4), the one place the suite writes it down. Mirrored by
 * scripts/keras_fixtures/tolerance.py, which writes every corpus case's `tolerance` field: change
 * both together.
 */
import type { Tolerance } from "./case.ts";

/** atol = rtol within the measured range (spec/tolerance.md §3–4). */
const BASE = 1e-5;
/** Longest run measured (steps processed in sequence); beyond it the bound grows with sqrt. */
const MEASURED_STEPS = 1000;
/** A guard far below the schema's 1e-2 limit. */
const CAP = 1e-3;

/**
 * spec/tolerance.md §4: atol = rtol = 1e-5 · max(1, sqrt(steps / 1000)), capped at 1e-3, where
 * `steps` = timesteps × calls, the number of steps processed in sequence.
 */
export function policyTolerance(steps: number): Pick<Tolerance, "atol" | "rtol"> {
  // Three significant digits, as scripts/keras_fixtures/tolerance.py writes it.
  const t = Number(Math.min(CAP, BASE * Math.max(1, Math.sqrt(steps / MEASURED_STEPS))).toPrecision(3));
  return { atol: t, rtol: t };
}

/**
 * The policy for any run within the measured range (≤ 1000 steps): every corpus case but the
 * T = 2000 ones of `lstm/long` (spec/tolerance.md §3.3), and the suite's generated, sample and
 * smoke cases, which are all far shorter.
 */
export const BASE_TOLERANCE: Pick<Tolerance, "atol" | "rtol"> = Object.freeze(policyTolerance(0));
