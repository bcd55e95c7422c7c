/**
 * The engines whose corpus results the README shows, in the README's order, and where their
 * committed JSON reports live. Shared by `scripts/engine-results.ts` (which runs them) and its test
 * (which re-renders the README block from the committed reports).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../conformance/package-paths.ts";
import { fromJsonReport } from "../../conformance/reports/json.ts";
import type { EngineResult } from "./render.ts";

/** The venv the Python example engines run in (examples/engines/README.md), relative to the package root. */
export const PYTHON = ".venv/bin/python";

export interface EngineRun {
  /** The row label and the report's file name. */
  readonly name: string;
  /** How the CLI selects it: a built-in engine name or a protocol command (run from the package root). */
  readonly engine: { readonly builtIn: string } | { readonly command: string };
  /** Its expectations file (known failures, each with a reason), relative to the package root. */
  readonly expectations?: string;
  /** Why the engine cannot express some cases, said once above its list. */
  readonly note?: string;
}

const python = (dir: string): EngineRun["engine"] => ({ command: `${PYTHON} examples/engines/${dir}/engine.py` });

export const ENGINE_RUNS: readonly EngineRun[] = [
  { name: "reference", engine: { builtIn: "reference" }, note: "The suite's float64 TypeScript reference (`reference/`), the yardstick for the others." },
  {
    name: "tfjs",
    engine: { builtIn: "tfjs" },
    expectations: "conformance/engines/tfjs.expectations",
    note:
      "`tf.layers.lstm`, `tf.layers.gru` and `tf.layers.simpleRNN` (CPU backend) have no `zero_output_for_mask` option, and `tf.layers.gru` is the reset-before GRU only: it throws on `resetAfter: true`, Keras's default GRU, so those cases are unsupported — core GRU cases among them, which is why the run is not conformant. `tf.layers.bidirectional` makes its backward layer itself, the forward one with `goBackwards` toggled (no `backward_layer` argument: other backward layers are unsupported), and does not force `zero_output_for_mask` (masked Bidirectionals with `return_sequences` are unsupported).",
  },
  {
    name: "onnxruntime",
    engine: { builtIn: "onnxruntime" },
    expectations: "conformance/engines/onnxruntime.expectations",
    note:
      "One ONNX node per layer — `LSTM`, `GRU` (`linear_before_reset` 1 for `reset_after=True`, 0 for `False`), `RNN` for a SimpleRNN; a mask can only become `sequence_lens`, i.e. right padding, and ONNX's RNN operators lack some Keras activations. A Bidirectional is one node with `direction=\"bidirectional\"` and the ops of its merge; one node has one operator and one `hidden_size`, so a backward layer of another cell or size is unsupported.",
  },
  {
    name: "python-numpy",
    engine: python("python-numpy"),
    note: "LSTM, GRU (both reset conventions) and SimpleRNN layers written from spec/lstm.md, spec/gru.md and spec/simple-rnn.md in numpy (float64): a layer engine over the JSON-lines protocol (the suite composes Bidirectional from its layer calls).",
  },
  {
    name: "python-torch",
    engine: python("python-torch"),
    note:
      "`torch.nn.LSTM`, `nn.GRU` and `nn.RNN` as a layer engine: `nn.LSTM` and `nn.GRU` have tanh/sigmoid built in (`nn.RNN` tanh or relu), `nn.GRU` is Keras's `reset_after=True` GRU only (its r, z, n blocks reordered, `b_hn` inside the reset product), and the example implements no masking (`pack_padded_sequence` could express right padding only). Bidirectional is composed by the suite from its layer calls.",
  },
  { name: "python-keras", engine: python("python-keras"), note: "Real Keras (Keras 3 for `keras3` cases, tf_keras for `tf-keras` cases) over the protocol, `keras.layers.Bidirectional` with the case's backward layer: the corpus checked against the Keras that made it." },
];

export const RESULTS_DIR = "results/engines";

export function reportFile(name: string): string {
  return join(packageRoot(), RESULTS_DIR, `${name}.json`);
}

/** The committed report of every engine in ENGINE_RUNS, ready to render; a missing or unreadable one is an error naming the file. */
export function loadCommittedReports(): EngineResult[] {
  return ENGINE_RUNS.map((run) => {
    const file = reportFile(run.name);
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx tsx scripts/engine-results.ts --only ${run.name}\``);
    return { name: run.name, report: fromJsonReport(readFileSync(file, "utf8"), file), expectations: run.expectations, note: run.note };
  });
}
