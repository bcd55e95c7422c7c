/**
 * ONNX Runtime from Python (scripts/bench_onnxruntime.py) as the native anchor. Uses
 * `$BENCH_PYTHON`, else the project's `.venv/bin/python`; when neither has onnxruntime the
 * benchmark says so, with the install command, and goes on without it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LstmSize } from "./flops.ts";
import type { Timing } from "./timing.ts";

export interface PythonAnchor {
  readonly name: string;
  readonly version: string;
  readonly results: readonly { readonly size: LstmSize; readonly timing: Timing }[];
}

export const PYTHON_INSTALL_HINT = "python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-bench.txt";

/** Runs the Python benchmark over `grid`: its results, or why it could not run. */
export function runPythonAnchor(root: string, grid: readonly LstmSize[]): { ok: true; anchor: PythonAnchor } | { ok: false; reason: string } {
  const python = process.env["BENCH_PYTHON"] ?? join(root, ".venv", "bin", "python");
  if (!existsSync(python)) return { ok: false, reason: `no Python at ${python} (set BENCH_PYTHON, or: ${PYTHON_INSTALL_HINT})` };
  const script = join(root, "scripts", "bench_onnxruntime.py");
  const done = spawnSync(python, [script, JSON.stringify(grid)], { encoding: "utf8", timeout: 180_000, maxBuffer: 16 * 2 ** 20 });
  if (done.error) return { ok: false, reason: `${python} ${script}: ${done.error.message}` };
  if (done.status !== 0) {
    const last = done.stderr.trim().split("\n").pop() ?? "";
    const hint = /No module named/.test(done.stderr) ? ` — install it: ${PYTHON_INSTALL_HINT}` : "";
    return { ok: false, reason: `${script} exited ${done.status}: ${last}${hint}` };
  }
  try {
    return { ok: true, anchor: JSON.parse(done.stdout) as PythonAnchor };
  } catch (e) {
    return { ok: false, reason: `${script} printed no JSON: ${(e as Error).message}` };
  }
}
