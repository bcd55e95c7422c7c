/**
 * `keras-rnn-conformance fixture --model <file> --layer <name> --input <file.json|.npy> [--out case.json]`:
 * turns a porter's own Keras model file, one recurrent layer of it — an LSTM, a GRU or a SimpleRNN,
 * or a Bidirectional half of one — and an input into a fixture file (spec/fixture-format.md) they can
 * run their engine on (spec/porting.md §11, §16).
 *
 * By default the expected outputs are computed by the suite's float64 reference, NOT by Keras: the
 * file says so in its description, `provenance.generator`/`backend` and every case's
 * `tolerance.source`. With `--keras`, the Keras fixture generator (scripts/generate_fixtures.py
 * `cases`, saved-model entry) computes them with real Keras instead, when its Python environment is available.
 * Loading a model with Keras can run code stored in it (a Lambda layer's bytecode, custom classes); `--keras`
 * refuses such a file unless `--unsafe` is given (spec/porting.md §11), and the generator checks it again.
 * Exit code 0 on success, 2 on a usage error or a file that cannot be read.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runModel, type ModelLayer } from "../../reference/index.ts";
import type { BoolTensor, Tensor } from "../tensor.ts";
import { formatShape, sizeOf } from "../tensor.ts";
import { float32Text } from "../models/float32-text.ts";
import { parseNpy } from "../models/npy.ts";
import { describeCode } from "../models/model-code.ts";
import { CELLS, initialStateNames } from "../cells.ts";
import { DEFAULT_MODEL_FILE_LIMITS as LIMITS, readKerasModel, selectRecurrent, type KerasModelFile, type ModelCell } from "../models/read-model.ts";
import { formatBytes } from "../models/sizes.ts";
import { policyTolerance } from "../tolerance-policy.ts";

const EXIT_OK = 0;
const EXIT_USAGE = 2;

export const HELP = `Usage: keras-rnn-conformance fixture --model <model.keras|model.h5> --layer <name> --input <x.json|x.npy> [--out <case.json>] [--keras [--jax] [--unsafe]]

Makes a fixture file (spec/fixture-format.md) from one recurrent layer (LSTM, GRU or SimpleRNN) of your
own Keras model, so you can run your engine on your model's weights:
keras-rnn-conformance --engine <...> --fixtures <case.json>.

  --model <file>   a .keras (Keras 3) or legacy .h5 (tf-keras / Keras 2) file saved by Keras; read
                   within limits (uncompressed): config.json ${formatBytes(LIMITS.configJson)}, metadata.json ${formatBytes(LIMITS.metadataJson)},
                   model.weights.h5 and each weight array ${formatBytes(LIMITS.weights)}; past them it is refused
  --layer <name>   the LSTM, GRU or SimpleRNN layer; for a Bidirectional layer <name>/forward or
                   <name>/backward
  --input <file>   x, (batch, timesteps, input_dim) or (timesteps, input_dim): a .npy file, or JSON —
                   a tensor { "shape", "data" }, a nested array, or { "x", "mask"?, "initial_state"? }
                   (initial_state: [h0, c0] for an LSTM, [h0] for a GRU or a SimpleRNN)
  --out <file>     where to write (default: stdout)
  --keras          compute the outputs with REAL Keras: the layer is rebuilt from its get_config() and
                   get_weights() and run by scripts/generate_fixtures.py cases (saved-model entry) in the
                   pinned venv of scripts/keras-env.sh — .keras files on Keras 3 (TensorFlow backend),
                   tf-keras-written .h5 files on tf_keras. Needs a checkout of the repository and
                   Python 3 (the first run installs .venv, minutes; then ~10 s a call). The file's
                   provenance is the generator's. Without --keras the outputs are REFERENCE-COMPUTED
                   by the suite's float64 reference and marked so in the file.
  --jax            with --keras and a Keras 3 model: also run on the JAX backend and record the spread
                   in the case's backends.jax
  --unsafe         with --keras: let Keras load a model whose config holds code or classes that are not
                   Keras's own — Lambda layers, custom (registered or imported) classes, serialised
                   functions, layers that run TensorFlow ops, SavedModels or pickles the file names. Keras
                   then RUNS THAT CODE on this machine, with your permissions (a legacy .h5 as tf-keras
                   loads it, a .keras with safe_mode=False). Without --unsafe such a file is refused
                   (exit 2, naming each layer and class) and nothing of it runs. Only for a file you
                   trust as you would a program. Without --keras nothing from the file ever runs.
  -h, --help       this text
`;

class UsageError extends Error {}

interface Inputs {
  readonly x: Tensor;
  readonly mask?: BoolTensor;
  readonly initialState?: readonly Tensor[];
}

function toTensor(file: string, what: string, raw: unknown): Tensor {
  if (Array.isArray(raw)) {
    const shape: number[] = [];
    for (let level: unknown = raw; Array.isArray(level); level = level[0]) shape.push(level.length);
    const data = (raw as unknown[]).flat(Infinity) as unknown[];
    // a mask may be written as true/false
    if (data.length !== sizeOf(shape) || !data.every((v) => typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)))) throw new UsageError(`${file}: ${what} is not a rectangular array of finite numbers (or true/false)`);
    return { shape, data: Float32Array.from(data as (number | boolean)[], Number) };
  }
  const t = raw as { shape?: unknown; data?: unknown };
  if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data)) throw new UsageError(`${file}: ${what} needs "shape" and "data" (or a nested array)`);
  if (t.data.length !== sizeOf(t.shape as number[])) throw new UsageError(`${file}: ${what} of shape ${formatShape(t.shape as number[])} needs ${sizeOf(t.shape as number[])} values, has ${t.data.length}`);
  return { shape: [...(t.shape as number[])], data: Float32Array.from(t.data as number[], (v) => (typeof v === "boolean" ? Number(v) : v)) };
}

function readInputs(file: string): Inputs {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  if (file.endsWith(".npy")) return { x: parseNpy(readFileSync(file), file) };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const obj = json as Record<string, unknown>;
  if (!Array.isArray(json) && obj && typeof obj === "object" && "x" in obj) {
    const mask = obj["mask"] === undefined ? undefined : toTensor(file, "mask", obj["mask"]);
    const init = obj["initial_state"];
    // how many tensors the layer's cell takes is checked with the layer (checkInputs)
    if (init !== undefined && (!Array.isArray(init) || init.length === 0)) throw new UsageError(`${file}: initial_state must be a list of tensors: [h0, c0] for an LSTM, [h0] for a GRU or a SimpleRNN`);
    return {
      x: toTensor(file, "x", obj["x"]),
      ...(mask ? { mask: { shape: mask.shape, data: Uint8Array.from(mask.data, (v) => (v ? 1 : 0)) } } : {}),
      ...(init ? { initialState: (init as unknown[]).map((t, k) => toTensor(file, `initial_state[${k}]`, t)) } : {}),
    };
  }
  return { x: toTensor(file, "x", json) };
}

/** (T, D) becomes (1, T, D); the width must be the layer's input width, the initial state the cell's states. */
function checkInputs(file: string, inputs: Inputs, layer: ModelCell): Inputs {
  let x = inputs.x;
  if (x.shape.length === 2) x = { shape: [1, ...x.shape], data: x.data };
  const inputDim = layer.weights.kernel.shape[0]!;
  const units = layer.config.units;
  if (x.shape.length !== 3 || x.shape[2] !== inputDim) throw new UsageError(`${file}: x has shape ${formatShape(inputs.x.shape)}, layer "${layer.name}" needs (batch, timesteps, ${inputDim})`);
  const cell = CELLS[layer.className];
  // spec/lstm.md §3.4, spec/gru.md §3.4: the cell's states, in order
  if (inputs.initialState && inputs.initialState.length !== cell.states.length) {
    throw new UsageError(`${file}: initial_state has ${inputs.initialState.length} tensor(s); layer "${layer.name}" is a ${layer.className}, whose initial_state is ${initialStateNames(cell)} (${cell.chapter} §3.4)`);
  }
  const [b, t] = x.shape as [number, number, number];
  if (inputs.mask && (inputs.mask.shape.length !== 2 || inputs.mask.shape[0] !== b || inputs.mask.shape[1] !== t)) throw new UsageError(`${file}: mask has shape ${formatShape(inputs.mask.shape)}, expected (${b}, ${t})`);
  inputs.initialState?.forEach((s, k) => {
    if (s.shape.length !== 2 || s.shape[0] !== b || s.shape[1] !== units) throw new UsageError(`${file}: initial_state[${k}] has shape ${formatShape(s.shape)}, expected (${b}, ${units})`);
  });
  return { ...inputs, x };
}

const encode = (t: { shape: readonly number[]; data: ArrayLike<number> }, name?: string) => ({
  ...(name ? { name } : {}),
  dtype: "float32",
  shape: [...t.shape],
  data: Array.from(t.data, (v) => float32Text(Math.fround(v))),
});

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "x";
}

const OWN_SOURCE = fileURLToPath(import.meta.url);

/** The fixture file for one layer (any cell) and input, with outputs from the float64 reference. */
export function referenceFixture(model: KerasModelFile, layerName: string, layer: ModelCell, inputs: Inputs): Record<string, unknown> {
  // The cell's class and config belong together (read-model.ts reads them per class).
  const modelLayer = { className: layer.className, config: layer.config, weights: { kernel: layer.weights.kernel.data, recurrent_kernel: layer.weights.recurrent_kernel.data, bias: layer.weights.bias?.data ?? null } } as ModelLayer;
  const [b, t, d] = inputs.x.shape as [number, number, number];
  const [result] = runModel([modelLayer], [{ x: inputs.x.data, shape: [b, t, d], ...(inputs.mask ? { mask: inputs.mask.data } : {}), ...(inputs.initialState ? { initialState: inputs.initialState.map((s) => s.data) } : {}) }], model.dialect);
  const { family, id } = caseNames(model.file, layerName);
  const sourceHash = createHash("sha256").update(readFileSync(OWN_SOURCE)).digest("hex");
  const what = `REFERENCE-COMPUTED (the suite's float64 reference, not Keras): ${layer.className} layer "${layerName}" of ${basename(model.file)} (Keras ${model.kerasVersion}), B=${b} T=${t} input_dim=${d} units=${layer.config.units}`;
  const weights = [encode(layer.weights.kernel, "kernel"), encode(layer.weights.recurrent_kernel, "recurrent_kernel"), ...(layer.weights.bias ? [encode(layer.weights.bias, "bias")] : [])];
  return {
    format_version: 1,
    family,
    description: what,
    provenance: {
      generator: "conformance/commands/fixture.ts (reference-computed; no Keras ran)",
      generator_sha256: sourceHash,
      keras_package: model.dialect === "keras3" ? "keras" : "tf_keras",
      keras: model.kerasVersion,
      backend: "reference",
      tensorflow: null,
      jax: null,
      numpy: "none",
      python: "none",
      seed: 0,
      date: new Date().toISOString().slice(0, 10),
    },
    cases: [
      {
        id,
        description: what,
        seed: 0,
        layers: [{ class_name: layer.className, config: layer.config, weights }],
        calls: [
          {
            inputs: {
              x: encode(inputs.x),
              ...(inputs.mask ? { mask: { dtype: "bool", shape: [...inputs.mask.shape], data: Array.from(inputs.mask.data, (v) => v === 1) } } : {}),
              ...(inputs.initialState ? { initial_state: inputs.initialState.map((s) => encode(s)) } : {}),
            },
            outputs: result!.outputs.map((o) => encode(o)),
            steps: result!.steps.map((s) => ({ layer: s.layer, h: encode(s.h), ...(s.c ? { c: encode(s.c) } : {}) })),
          },
        ],
        tolerance: { ...policyTolerance(inputs.x.shape[1]!), source: "reference-computed: expected values come from the suite's float64 reference, not from Keras; policy atol/rtol" },
        backends: {},
      },
    ],
  };
}

/** Family and id of the one case, the same for both ways of computing it. */
function caseNames(modelFile: string, layerName: string): { family: string; id: string } {
  const family = `user/${slug(basename(modelFile).replace(/\.(keras|h5|hdf5)$/i, ""))}`;
  return { family, id: `${family}/${slug(layerName)}/001` };
}

const KERAS_ONLY_IN_CHECKOUT =
  "--keras needs the Keras fixture generator (scripts/generate_fixtures.py and scripts/keras-env.sh), which only a checkout of the repository has, not the npm package; run without --keras for a reference-computed fixture";

/**
 * `--keras`: a one-entry case list for the generator's `cases` mode (scripts/README.md "Your own cases",
 * saved-model entry), run in the pinned venv through scripts/keras-env.sh. The inputs go over already
 * normalised ((B, T, D) x, boolean mask, the cell's [h0, c0] or [h0]) so both ways read the user's
 * input file identically.
 */
function kerasFixture(modelFile: string, layerName: string, inputs: Inputs, withJax: boolean, unsafe: boolean): string {
  const repo = join(dirname(OWN_SOURCE), "..", "..");
  const script = join(repo, "scripts", "generate_fixtures.py");
  const envScript = join(repo, "scripts", "keras-env.sh");
  if (!existsSync(script) || !existsSync(envScript)) throw new UsageError(KERAS_ONLY_IN_CHECKOUT);
  const out = mkdtempSync(join(tmpdir(), "krc-fixture-"));
  try {
    const { family, id } = caseNames(modelFile, layerName);
    const tensor = (t: Tensor) => ({ dtype: "float32", shape: [...t.shape], data: Array.from(t.data) });
    writeFileSync(join(out, "x.json"), JSON.stringify(tensor(inputs.x)));
    const entry = {
      id,
      model: resolve(modelFile),
      layer: layerName,
      input: join(out, "x.json"),
      ...(inputs.mask ? { mask: { dtype: "bool", shape: [...inputs.mask.shape], data: Array.from(inputs.mask.data, (v) => v === 1) } } : {}),
      ...(inputs.initialState ? { initial_state: inputs.initialState.map(tensor) } : {}),
      ...(unsafe ? { unsafe: true } : {}),
    };
    const cases = join(out, "cases.json");
    writeFileSync(cases, JSON.stringify({ family, cases: [entry] }));
    const dest = join(out, "out");
    process.stderr.write("running Keras through scripts/keras-env.sh (the first run installs its pinned venv) ...\n");
    const run = spawnSync("bash", [envScript, "python", script, "cases", "--cases", cases, "--out", dest, ...(withJax ? [] : ["--no-jax"])], { encoding: "utf8", maxBuffer: 64 << 20 });
    if (run.error) throw new UsageError(`--keras: cannot run bash ${envScript}: ${run.error.message}`);
    if (run.status !== 0) {
      const said = run.stderr.split("\n").filter((l) => l.startsWith("error: ")).map((l) => l.slice("error: ".length).replace(`${cases}: cases[0]`, "case"));
      if (said.length > 0) throw new UsageError(`--keras: the Keras generator refused the case: ${said.join("; ")}`);
      const tail = (run.stderr || run.stdout).trim().split("\n").slice(-3).join(" | ");
      throw new UsageError(`--keras: the Keras generator did not run (exit ${run.status ?? run.signal}); it needs Python 3 and the pinned packages scripts/keras-env.sh installs into .venv: ${tail}`);
    }
    const file = join(dest, `${family.split("/").pop()!}.json`);
    if (!existsSync(file)) throw new UsageError(`--keras: the generator exited 0 but wrote no ${file}`);
    return readFileSync(file, "utf8");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Before Python starts: a file whose config holds code (model-code.ts) is not handed to Keras. The generator
 * checks again, with Keras's own list of classes, before it loads anything.
 */
function refuseCode(model: KerasModelFile): void {
  if (model.code.length === 0) return;
  throw new UsageError(
    `--keras: refusing to load ${model.file} with Keras, which would run code from the file or use classes that are not Keras's own: ${model.code.map(describeCode).join("; ")}. Nothing was run. If you trust the file as you would a program, --unsafe loads it anyway (and runs that code).`,
  );
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { model: { type: "string" }, layer: { type: "string" }, input: { type: "string" }, out: { type: "string" }, keras: { type: "boolean" }, jax: { type: "boolean" }, unsafe: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return EXIT_OK;
    }
    for (const flag of ["model", "layer", "input"] as const) if (!values[flag]) throw new UsageError(`--${flag} is required`);
    const model = await readKerasModel(values.model!);
    const layer = selectRecurrent(model, values.layer!);
    const inputs = checkInputs(values.input!, readInputs(values.input!), layer);
    if (values.jax && !values.keras) throw new UsageError("--jax only applies with --keras");
    if (values.unsafe && !values.keras) throw new UsageError("--unsafe only applies with --keras (without it no Keras runs, and nothing from the model file is executed)");
    if (values.keras && !values.unsafe) refuseCode(model);
    const text = values.keras ? kerasFixture(values.model!, values.layer!, inputs, values.jax === true, values.unsafe === true) : `${JSON.stringify(referenceFixture(model, values.layer!, layer, inputs))}\n`;
    if (values.out) {
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(values.out, text);
      process.stderr.write(`wrote ${values.out} (${values.keras ? "computed by Keras: provenance scripts/generate_fixtures.py" : "REFERENCE-COMPUTED, not Keras"})\n`);
    } else process.stdout.write(text);
    return EXIT_OK;
  } catch (e) {
    process.stderr.write(`keras-rnn-conformance fixture: ${e instanceof Error ? e.message : String(e)}\n`);
    if (e instanceof UsageError && /required/.test(e.message)) process.stderr.write("see keras-rnn-conformance fixture --help\n");
    return EXIT_USAGE;
  }
}
