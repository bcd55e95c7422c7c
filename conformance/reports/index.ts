/** The report formats (spec/adapter.md §6): each a pure function from a `SuiteResult` to text. */
import type { SuiteResult } from "../verdict.ts";
import { toBadgeJson } from "./badge.ts";
import { formatConsoleReport } from "./console.ts";
import { toJsonReport } from "./json.ts";
import { toJunitXml } from "./junit.ts";
import { toMarkdown } from "./markdown.ts";

export const REPORT_FORMATS = ["json", "junit", "markdown", "badge", "console"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(s: string): s is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(s);
}

export function renderReport(format: ReportFormat, result: SuiteResult): string {
  switch (format) {
    case "json":
      return toJsonReport(result);
    case "junit":
      return toJunitXml(result);
    case "markdown":
      return toMarkdown(result);
    case "badge":
      return toBadgeJson(result);
    case "console":
      return `${formatConsoleReport(result)}\n`;
  }
}

/**
 * Every format `--report` takes: the text formats above, and `html` (spec/adapter.md §6.4), which
 * renders charts asynchronously and needs the optional vega packages (reports/html/charts.ts).
 */
export const CLI_REPORT_FORMATS = [...REPORT_FORMATS, "html"] as const;
export type CliReportFormat = (typeof CLI_REPORT_FORMATS)[number];

export function isCliReportFormat(s: string): s is CliReportFormat {
  return (CLI_REPORT_FORMATS as readonly string[]).includes(s);
}

/** Any `--report` format; `html` is loaded only when asked for. */
export async function renderAnyReport(format: CliReportFormat, result: SuiteResult): Promise<string> {
  if (format !== "html") return renderReport(format, result);
  const { toHtmlReport } = await import("./html/report.ts");
  return toHtmlReport(result);
}

export { toBadge, toBadgeJson, type ShieldsEndpoint } from "./badge.ts";
export { formatConsoleReport, formatProgress, formatVerdict } from "./console.ts";
export { fromJsonReport, toJsonReport, REPORT_VERSION, type JsonReport } from "./json.ts";
export { toJunitXml } from "./junit.ts";
export { toMarkdown } from "./markdown.ts";
export { mergeResults } from "./merge.ts";
