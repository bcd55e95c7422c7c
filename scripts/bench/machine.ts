/** The machine a benchmark ran on, recorded next to its figures. */
import { cpus, loadavg, totalmem, type as osType, release } from "node:os";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average at the start, after some phases and at the end: on a shared machine, how busy it was. */
  readonly loadAverage: { start: number; after: Record<string, number>; end?: number };
  readonly date: string;
}

export function describeMachine(): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    loadAverage: { start: loadavg()[0]!, after: {} },
    date: new Date().toISOString(),
  };
}

export const currentLoad = (): number => loadavg()[0]!;
