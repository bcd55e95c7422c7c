/**
 * The routes out of Keras whose corpus results the README's route table shows (spec/porting.md §17),
 * in the table's order: each a converter engine of conformance/engines/converters/ run through the
 * real CLI, its JSON report in results/routes/<route>.json and its per-case lowering, evidence and
 * timings in results/routes/<route>.evidence.jsonl. Shared by scripts/route-table.ts (which runs
 * them) and its test (which re-renders the README block from the committed files).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../conformance/package-paths.ts";
import { fromJsonReport } from "../../conformance/reports/json.ts";
import { GRADIENTS_FEATURE } from "../../conformance/features.ts";
import { countStatuses, type SuiteResult } from "../../conformance/verdict.ts";

export const RESULTS_DIR = "results/routes";
export const ENGINE = "conformance/engines/converters/engine.py";
/** The converter venv's script (scripts/requirements-converters.txt); it installs the venv on first use. */
export const ENV_SCRIPT = "scripts/converters-env.sh";

/** What a converter does instead of Keras's meaning, for the failing cases under `pattern` (an id prefix). */
export interface Divergence {
  readonly pattern: string;
  readonly instead: string;
}

export interface Route {
  /** The engine's route name (engine.py <name>), the row label and the files' names. */
  readonly name: string;
  /** The route in a porter's words. */
  readonly what: string;
  /** What the wrapper needed to run the converter at all. */
  readonly needed: string;
  /** The control: the wrapper with the conversion switched off. Its results gate the others'. */
  readonly control?: boolean;
  /** In CI's sample (`scripts/route-table.ts --sample`): one route per converter; its variants (dynamic batch, a setting) only in the full run. */
  readonly sample?: boolean;
  readonly divergences: readonly Divergence[];
  /** The control whose passes make this route's failures the converter's (default keras-model). */
  readonly controlledBy?: string;
  /** Why the committed run is a shard of the corpus (`--shard`), when it is one. */
  readonly partial?: string;
}

const STATEFUL_FROZEN =
  "tf2onnx freezes the stateful layer's state variables into constants (zeros) and removes the state writes (AssignVariableOp), with warnings only: every call starts from zeros";

export const ROUTES: readonly Route[] = [
  {
    name: "keras-model",
    sample: true,
    control: true,
    what: "control: the wrapper's functional model (x, mask and initial states as inputs) run by Keras itself, no conversion",
    needed: "nothing beyond Keras; each case's model is built anew, so a stateful case starts from zeros",
    divergences: [],
  },
  {
    name: "keras-model-tf-keras",
    control: true,
    what: "control for the tf_keras-built routes: every case's model built by tf_keras and run by it, no conversion",
    partial: "the shard tflite-tf-keras ran: building a tf_keras model is the slowest step of this wrapper on the shared machine",
    needed: "Keras 3 configs translated for tf_keras (dtype policy to a string; initializers, regularizers, constraints and seed dropped: the weights are set); cases whose meaning tf_keras changes (hard_sigmoid, the Masking mask with initial_state) unsupported",
    divergences: [],
  },
  {
    name: "tf2onnx-ort",
    sample: true,
    what: "`tf2onnx.convert.from_keras` (opset 15, static batch) → ONNX Runtime (CPU)",
    needed: "an input signature naming x, mask, h0, c0 (`tf.TensorSpec` per model input)",
    divergences: [{ pattern: "", instead: STATEFUL_FROZEN }],
  },
  {
    name: "tf2onnx-ort-dynamic",
    what: "`tf2onnx.convert.from_keras` with the batch dimension `None` → ONNX Runtime",
    needed: "as tf2onnx-ort; a stateful layer keeps its fixed batch (Keras requires one)",
    divergences: [{ pattern: "", instead: STATEFUL_FROZEN }],
  },
  {
    name: "keras-export-onnx",
    sample: true,
    what: 'Keras 3 `model.export(path, format="onnx")` (tf2onnx from the model\'s concrete function, batch as declared: dynamic) → ONNX Runtime',
    needed: "`input_signature` passed explicitly: export_onnx refuses a model that has never been called, and calling it would move a stateful layer's state",
    divergences: [{ pattern: "", instead: STATEFUL_FROZEN.replace("tf2onnx freezes", "model.export (tf2onnx inside) freezes") }],
  },
  {
    name: "onnx-openvino",
    what: "tf2onnx's ONNX file (the tf2onnx-ort file itself) → OpenVINO's ONNX frontend → CPU plugin, default settings",
    needed: "nothing; the file is the one tf2onnx-ort ran (cached), so its convert time is OpenVINO's import and compile only",
    divergences: [
      { pattern: "", instead: "OpenVINO's CPU plugin computes in bfloat16 by default on a CPU with BF16 instructions (INFERENCE_PRECISION_HINT), whatever the file's float32 says: errors of about 1e-3; stateful cases also start every call from the zeros tf2onnx froze" },
    ],
  },
  {
    name: "onnx-openvino-f32",
    sample: true,
    what: "the same, compiled with `INFERENCE_PRECISION_HINT: f32`: OpenVINO's import of the file, without its precision default",
    needed: "the precision hint",
    divergences: [
      {
        pattern: "bidirectional/backward_layer/lstm_activation_relu",
        instead:
          'tf2onnx writes one bidirectional ONNX LSTM node with per-direction activations ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Relu", "Relu"] (read from the file); OpenVINO\'s LSTMSequence has one activation list for both directions, and the backward layer is computed with tanh instead of relu',
      },
      { pattern: "", instead: STATEFUL_FROZEN },
    ],
  },
  {
    name: "onnx-onnx2torch",
    sample: true,
    what: "tf2onnx's ONNX file → `onnx2torch.convert` → a torch.fx module",
    needed: "a separate process without TensorFlow (torch beside TF 2.21 crashed) and a torchvision stub: PyPI's torchvision is the CUDA build and cannot load beside the CPU torch",
    divergences: [],
  },
  {
    name: "tflite-keras3",
    sample: true,
    what: "`tf.lite.TFLiteConverter.from_keras_model` (default settings, static batch) on the Keras 3 model → LiteRT interpreter (ai-edge-litert)",
    needed: "the signature runner (outputs output_0, output_1, … in the model's order); one interpreter per case, so variables live as long as the case",
    divergences: [],
  },
  {
    name: "tflite-keras3-dynamic",
    what: "the same converter with the batch dimension `None`",
    needed: "as tflite-keras3",
    divergences: [],
  },
  {
    name: "tflite-tf-keras",
    sample: true,
    what: "`tf.lite.TFLiteConverter.from_keras_model` (default settings) on the model built by tf_keras → LiteRT",
    needed: "as keras-model-tf-keras for the model; the signature's outputs named after the model's outputs (`model.output_names`)",
    controlledBy: "keras-model-tf-keras",
    partial: "the TFLite converter took 10–30 s per tf_keras model on the shared 2-core machine (about 5× a Keras 3 model), so the committed run is a quarter; `npm run routes` runs it whole",
    divergences: [],
  },
  {
    name: "keras-export-litert",
    sample: true,
    what: 'Keras 3 `model.export(path, format="litert")` (SavedModel → TFLite converter with SELECT_TF_OPS and resource variables) → LiteRT',
    needed: "`input_signature` passed explicitly, as for keras-export-onnx",
    divergences: [],
  },
];

export function reportFile(name: string): string {
  return join(packageRoot(), RESULTS_DIR, `${name}.json`);
}

export function evidenceFile(name: string): string {
  return join(packageRoot(), RESULTS_DIR, `${name}.evidence.jsonl`);
}

/** One case's record in an evidence file (conformance/engines/converters/route.py `write_evidence`). */
export interface CaseEvidence {
  readonly case: string;
  readonly lowering: string;
  readonly evidence: readonly string[];
  readonly build_s: number;
  readonly convert_s: number;
  readonly run_s: number;
}

/**
 * The first record of each case: the runner reruns a failing case with return_sequences to find its
 * first divergence (spec/adapter.md §4.2), and those reruns append records of a model that is not the case's.
 */
export function readEvidence(text: string, file: string): Map<string, CaseEvidence> {
  const byCase = new Map<string, CaseEvidence>();
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let r: Partial<CaseEvidence>;
    try {
      r = JSON.parse(line) as Partial<CaseEvidence>;
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
    }
    for (const k of ["case", "lowering"] as const) if (typeof r[k] !== "string") throw new Error(`${file}:${i + 1}: field ${k} is not a string`);
    for (const k of ["build_s", "convert_s", "run_s"] as const) if (typeof r[k] !== "number") throw new Error(`${file}:${i + 1}: field ${k} is not a number`);
    if (!Array.isArray(r.evidence)) throw new Error(`${file}:${i + 1}: field evidence is not a list`);
    if (!byCase.has(r.case!)) byCase.set(r.case!, r as CaseEvidence);
  });
  return byCase;
}

export interface RouteResult {
  readonly route: Route;
  readonly report: SuiteResult;
  readonly evidence: Map<string, CaseEvidence>;
}

/**
 * The report without the gradient cases (spec/gradients.md): a converted model runs inference only, so
 * they are outside every route's scope — a route engine does not declare `gradients` — and counting
 * their unsupported verdicts would only blur the rows.
 */
export function inferenceOnly(report: SuiteResult): SuiteResult {
  const cases = report.cases.filter((v) => !v.features.includes(GRADIENTS_FEATURE));
  return { ...report, cases, counts: countStatuses(cases) };
}

/** Every route's committed report (inference cases) and evidence; a missing or unreadable one is an error naming the file. */
export function loadCommittedRoutes(): RouteResult[] {
  return ROUTES.map((route) => {
    const file = reportFile(route.name);
    const ev = evidenceFile(route.name);
    for (const f of [file, ev]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npx tsx scripts/route-table.ts --only ${route.name}\``);
    return { route, report: inferenceOnly(fromJsonReport(readFileSync(file, "utf8"), file)), evidence: readEvidence(readFileSync(ev, "utf8"), ev) };
  });
}
