/**
 * Timing with warm-up and repeated measurement: every figure the benchmark reports is a median over
 * several runs, with the spread (min … max) next to it, because on a shared machine a single run
 * says little.
 */

export interface Timing {
  /** Median of the measured runs, in milliseconds. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /**
   * Median CPU time of this process per run (user + system, all threads). On a shared machine the
   * wall time includes waiting for a core; CPU time does not, so it is the steadier figure.
   */
  readonly cpuMedianMs: number;
  /** How many runs were measured (warm-up runs excluded). */
  readonly runs: number;
  readonly warmupRuns: number;
}

export interface MeasureOptions {
  /** Warm-up runs before measuring (default 1): lets the JIT compile and caches fill. */
  readonly warmup?: number;
  /** At least this many measured runs (default 3). */
  readonly minRuns?: number;
  /** At most this many (default 25). */
  readonly maxRuns?: number;
  /** Keep measuring until this much time is spent, within minRuns … maxRuns (default 1000 ms). */
  readonly budgetMs?: number;
  /**
   * The expected duration of one run, if known from a smaller size. Above `slowMs` (default 4000)
   * the run is so long that the JIT is already warm from the smaller sizes: no warm-up, and two
   * measured runs — this keeps `npm run bench` within its five minutes when tfjs's CPU backend
   * needs half a minute per forward.
   */
  readonly predictedMs?: number;
  readonly slowMs?: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `fn` (sync or async) with warm-up, then repeatedly, and summarises the measured runs. */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<Timing> {
  const slow = (options.predictedMs ?? 0) > (options.slowMs ?? 4000);
  const warmup = slow ? 0 : (options.warmup ?? 1);
  const minRuns = slow ? 2 : (options.minRuns ?? 3);
  const maxRuns = slow ? 2 : (options.maxRuns ?? 25);
  const budgetMs = options.budgetMs ?? 1000;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let spent = 0;
  while (times.length < minRuns || (times.length < maxRuns && spent < budgetMs)) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    times.push(dt);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    spent += dt;
  }
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), cpuMedianMs: median(cpuTimes), runs: times.length, warmupRuns: warmup };
}
