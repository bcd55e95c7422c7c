/**
 * A shields.io endpoint badge (https://shields.io/badges/endpoint-badge): `{ schemaVersion, label,
 * message, color }`. Publish the file and point `https://img.shields.io/endpoint?url=…` at it.
 */
import type { SuiteResult } from "../verdict.ts";

export interface ShieldsEndpoint {
  readonly schemaVersion: 1;
  readonly label: string;
  readonly message: string;
  readonly color: string;
}

/**
 * Green only for exit code 0 at a level (spec/adapter.md §4.3); a run with no evidence, or one that
 * only met its expectations file, never reads as a pass.
 */
export function toBadge(result: SuiteResult): ShieldsEndpoint {
  const passed = `${result.counts.pass}/${result.cases.length} passed`;
  const message =
    result.verdict === "no-evidence" ? `no evidence · ${passed}`
    : result.loadErrors.length > 0 ? `fixture errors · ${passed}`
    : result.verdict === "as-expected" ? `no level · ${passed}`
    : result.verdict === "not-conformant" ? `failing · ${passed}`
    : `${result.level} · ${passed}`;
  const color = result.exitCode !== 0 || !result.conformant ? "red" : result.level === "full" ? "brightgreen" : "yellowgreen";
  return { schemaVersion: 1, label: "Keras LSTM conformance", message, color };
}

export function toBadgeJson(result: SuiteResult): string {
  return `${JSON.stringify(toBadge(result))}\n`;
}
