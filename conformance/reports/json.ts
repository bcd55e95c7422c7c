/**
 * The JSON report (spec/adapter.md §6, schema spec/report.schema.json): the `SuiteResult` itself,
 * with `reportVersion` and the non-finite numbers JSON cannot hold written as the strings
 * "Infinity", "-Infinity" and "NaN" (an engine that returned NaN has max abs error Infinity).
 */
import type { SuiteResult } from "../verdict.ts";

/** 2: verdict, exitCode, requiredLevel, reasons, loadErrors and property evidence (spec/adapter.md §4.3). */
export const REPORT_VERSION = 2;

export interface JsonReport extends SuiteResult {
  readonly $schema: string;
  readonly reportVersion: typeof REPORT_VERSION;
}

const SCHEMA_ID = "https://keras-rnn-conformance.dev/spec/report.schema.json";

export function toJsonReport(result: SuiteResult): string {
  const report: JsonReport = { $schema: SCHEMA_ID, reportVersion: REPORT_VERSION, ...result };
  return `${JSON.stringify(report, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? String(value) : value), 2)}\n`;
}

/** Reads a JSON report back (for `merge`); refuses other report versions. */
export function fromJsonReport(text: string, file = "report"): SuiteResult {
  const json = JSON.parse(text, (_key, value: unknown) => (value === "Infinity" ? Infinity : value === "-Infinity" ? -Infinity : value === "NaN" ? NaN : value)) as Partial<JsonReport>;
  if (json.reportVersion !== REPORT_VERSION) throw new Error(`${file}: not a keras-rnn-conformance JSON report of version ${REPORT_VERSION}`);
  const { $schema: _schema, reportVersion: _version, ...result } = json as JsonReport;
  return result;
}
