/**
 * `keras-rnn-conformance report`: HTML pages from JSON reports (spec/adapter.md §6.4), without
 * running anything again.
 *
 *     report run.json --out report.html                       the HTML report of one run
 *     report --matrix results/engines/*.json --out matrix.html  the engine matrix of several
 *
 * Exit code: 0 written, 2 a usage error, a report that cannot be read, or a page not written.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { fromJsonReport } from "../reports/json.ts";
import { missingChartPackages } from "../reports/html/charts.ts";
import type { SuiteResult } from "../verdict.ts";

const HELP = `Usage: keras-rnn-conformance report <report.json> [--out <file.html>]
       keras-rnn-conformance report --matrix <report.json>... [--out <file.html>]

Turns JSON reports (--report json) into self-contained HTML pages that open from disk:
  one report     the HTML report of that run, as --report html writes it (charts need
                 vega and vega-lite: npm install vega@6.4.0 vega-lite@6.4.3)
  --matrix       the engine matrix: one column per report (engine), one row per family,
                 each cell coloured by its results and linking to what did not pass and why

  --out <file>   where to write the page (default: stdout)

Exit code: 0 written, 2 usage error, a report that cannot be read, or a page not written.
`;

export interface ReportIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: ReportIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function main(argv: string[], io: ReportIO = processIO): Promise<number> {
  const fail = (message: string): number => {
    io.err(`keras-rnn-conformance report: ${message}\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { matrix: { type: "boolean" }, out: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (e) {
    return fail(`${(e as Error).message} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length === 0) return fail("give at least one JSON report (see --help)");
  if (values.matrix !== true && positionals.length > 1) return fail(`${positionals.length} reports given: one makes an HTML report, several need --matrix (shards of one run: merge them first, with merge --report html)`);
  if (values.matrix !== true) {
    const missing = missingChartPackages();
    if (missing !== null) return fail(missing);
  }
  const results: SuiteResult[] = [];
  for (const file of positionals) {
    try {
      results.push(fromJsonReport(readFileSync(file, "utf8"), file));
    } catch (e) {
      return fail(`cannot read report ${file}: ${(e as Error).message}`);
    }
  }
  let html: string;
  if (values.matrix === true) {
    const { toMatrixHtml } = await import("../reports/html/matrix.ts");
    html = toMatrixHtml(results, positionals);
  } else {
    const { toHtmlReport } = await import("../reports/html/report.ts");
    html = await toHtmlReport(results[0]!);
  }
  if (values.out === undefined) {
    io.out(html);
    return 0;
  }
  try {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, html);
  } catch (e) {
    return fail(`cannot write ${values.out}: ${(e as Error).message}`);
  }
  return 0;
}
