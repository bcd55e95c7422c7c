/**
 * The `--help` text, kept in one place so the README can quote it verbatim (spec/adapter.md §7).
 */
export const HELP_TEXT = `Usage: keras-rnn-conformance [run] [options]
       keras-rnn-conformance merge <report.json>... [--report <format> --out <file>]...
       keras-rnn-conformance report [--matrix] <report.json>... [--out <file.html>]
       keras-rnn-conformance <smoke|convert|fixture> ...   (see <command> --help)

Runs the Keras LSTM conformance suite against an engine and says whether it is
Keras-compatible, and when not, why.

Engine:
  --engine <name|module>   built-in engine (reference, tfjs, onnxruntime, mutant:<name>)
                           or a .ts/.js module exporting an engine (default: reference);
                           modules, tfjs and onnxruntime run in a worker thread
  --engine-cmd "<command>" an engine in any language speaking the JSON-lines protocol
  --validate-protocol      check every protocol message against its schema

Cases:
  --fixtures <dir|file>    fixture folder or file; repeatable (default: the shipped corpus)
  --filter <id-prefix>     run the cases under this id or id prefix (whole segments); repeatable
  --shard <k/n>            run the k-th of n deterministic parts (by id hash)
  --expectations <file>    known failures and skips: "<id-or-prefix> <fail|skip> <reason>" per line
  --no-strict-expectations an unexpected pass is reported but does not fail the run
  --properties <n>         runs per property-based test (default 100; 0 = none)
  --seed <n>               seed of the property-based tests (default 1)
  --counterexamples <dir>  where failing properties save their counterexamples as fixture
                           files (default: a new folder under the system's temp folder)
  --timeout <ms>           per-case timeout, 1 to 2147481647 (default 10000)
  --no-diagnose            do not look for the mistake that explains a failure
  --level <none|core|full> the level exit code 0 needs (default core); none accepts a
                           run that only meets its expectations file, at no level
  --list                   list the selected cases and their features; run nothing

Reports (repeatable pairs; without --out, to stdout):
  --report <json|junit|markdown|badge|console|html> --out <file>
                           html: one page with charts of each failure that opens from
                           disk (needs npm install vega@6.4.0 vega-lite@6.4.3)

  --help, --version

Exit codes: 0 CONFORMANT at the required level, with evidence (a case ran and passed;
nothing failed, errored or passed unexpectedly); 1 anything else (NOT CONFORMANT,
AS EXPECTED at no level, NO EVIDENCE); 2 usage error or a fixture that did not load.
`;
