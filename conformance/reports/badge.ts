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

export function toBadge(result: SuiteResult): ShieldsEndpoint {
  const message = `${result.level} · ${result.counts.pass}/${result.cases.length} passed`;
  const color = !result.conformant ? "red" : result.level === "full" ? "brightgreen" : result.level === "core" ? "yellowgreen" : "lightgrey";
  return { schemaVersion: 1, label: "Keras LSTM conformance", message, color };
}

export function toBadgeJson(result: SuiteResult): string {
  return `${JSON.stringify(toBadge(result))}\n`;
}
