/**
 * The machine's measured float64 peak for plain JavaScript: eight independent multiply-add chains
 * (a = a·m + c), so the loop is limited by the floating-point units rather than by one chain's
 * latency. Each iteration is 8 multiplies + 8 adds = 16 FLOPs. The engines' GFLOP/s are reported
 * as a fraction of this figure.
 */
import { measure, type Timing } from "./timing.ts";

function multiplyAddLoop(iterations: number): number {
  let a0 = 0.1, a1 = 0.2, a2 = 0.3, a3 = 0.4, a4 = 0.5, a5 = 0.6, a6 = 0.7, a7 = 0.8;
  const m = 0.999999, c = 1e-6; // the chains converge to 1: no overflow, no denormals
  for (let i = 0; i < iterations; i++) {
    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
    a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7; // used, so the loop cannot be removed
}

export interface Peak {
  /** By wall time. */
  readonly gflops: number;
  /** By CPU time. */
  readonly gflopsCpu: number;
  readonly timing: Timing;
  readonly description: string;
}

export async function measurePeak(iterations = 20_000_000): Promise<Peak> {
  let sink = 0;
  const timing = await measure(() => (sink += multiplyAddLoop(iterations)), { warmup: 2, minRuns: 5, maxRuns: 9, budgetMs: 600 });
  if (!Number.isFinite(sink)) throw new Error("peak loop diverged");
  return {
    gflops: (16 * iterations) / (timing.medianMs * 1e6),
    gflopsCpu: (16 * iterations) / (timing.cpuMedianMs * 1e6),
    timing,
    description: "8 independent float64 multiply-add chains in a JS loop (16 FLOPs per iteration), one thread",
  };
}
