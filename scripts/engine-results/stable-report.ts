/**
 * The committed reports are rerun now and then; times are rounded to whole milliseconds so that a
 * rerun's diff is mostly the lines whose time really moved (the report stays valid against
 * spec/report.schema.json: no field is dropped).
 */
import type { SuiteResult } from "../../conformance/verdict.ts";

export function stableReport(report: SuiteResult): SuiteResult {
  return {
    ...report,
    durationMs: Math.round(report.durationMs),
    cases: report.cases.map((v) => ({ ...v, timeMs: Math.round(v.timeMs) })),
    properties: report.properties.map((p) => (p.timeMs === undefined ? p : { ...p, timeMs: Math.round(p.timeMs) })),
  };
}
