/**
 * `keras-rnn-conformance convert`: converts the weights of one recurrent layer — LSTM, GRU or
 * SimpleRNN — between framework layouts (spec/porting.md §10, §14, §15). Exit code 0 on success, 2 on a
 * usage error or a file / tensor that does not fit (the message names the file, the tensor and the
 * shape expected), or a conversion the target layout cannot express (a reset-before GRU to PyTorch).
 */
import { parseArgs } from "node:util";
import { CELL_LIST, type CellKind } from "../cells.ts";
import { DEFAULT_MODEL_FILE_LIMITS as LIMITS, readKerasModel, selectRecurrent } from "../models/read-model.ts";
import { formatBytes } from "../models/sizes.ts";
import { readWeightFile, writeWeightFile } from "../models/weight-file.ts";
import type { BiasSplit } from "../porting/gates.ts";
import { WEIGHT_LAYOUTS, inferCell, type CellLayoutOptions, type CellStackLayer, type WeightLayout } from "../porting/layouts.ts";

const EXIT_OK = 0;
const EXIT_USAGE = 2;

const CELL_KINDS: readonly CellKind[] = CELL_LIST.map((d) => d.kind);
const classOf = (cell: CellKind): string => CELL_LIST.find((d) => d.kind === cell)!.className;

function layoutLines(cell: CellKind): string {
  return Object.values(WEIGHT_LAYOUTS[cell]).map((l) => `  ${l.name.padEnd(12)} ${l.description}\n  ${"".padEnd(12)} tensors: ${l.names}`).join("\n");
}

export const HELP = `Usage: keras-rnn-conformance convert --from <layout> --to <layout> --in <file|dir> --out <file.json|dir> [--cell <cell>]
       keras-rnn-conformance convert --in <model.keras|model.h5> --layer <name> --to <layout> --out <file.json|dir>

Converts the weights of one recurrent layer (one or both directions) between layouts (spec/porting.md):
an LSTM, a GRU or a SimpleRNN (--cell lstm | gru | simple_rnn).

LSTM layouts:
${layoutLines("lstm")}

GRU layouts (spec/porting.md §14; pytorch, cudnn and cudnn-layer are reset_after=True only, keras1 and
tf1 reset_after=False only — the other convention is refused):
${layoutLines("gru")}

SimpleRNN layouts (spec/porting.md §15):
${layoutLines("simple_rnn")}

Reading a layout that has two biases where Keras has one sums them (lossy: only the sum is kept; the
command says so): PyTorch, ONNX, cuDNN and CuDNNLSTM for the LSTM; PyTorch and ONNX for the SimpleRNN;
ONNX with linear_before_reset=0 for the GRU. A GRU's two bias rows are never summed.

Files: a JSON weight file { "layout", "cell"?, "reset_after"?, "tensors": { name: { shape, data } } }
(flat row-major data; convert writes "cell" and "reset_after" for a GRU or SimpleRNN), or a
directory holding one <name>.npy per tensor (float32 or float64, C order); a .keras / .h5 model file
saved by Keras is read with --layer (for a Bidirectional layer: <name>/forward, <name>/backward, or
<name> for both directions). Nothing in a model file is run. Of a .keras archive only config.json,
metadata.json and model.weights.h5 are inflated, each within a limit (uncompressed, whatever size the
archive declares): config.json ${formatBytes(LIMITS.configJson)}, metadata.json ${formatBytes(LIMITS.metadataJson)},
model.weights.h5 and each weight array (of a .h5 file too) ${formatBytes(LIMITS.weights)}; past it the file is refused.

Options:
  --from <layout>        layout of --in (default: the JSON file's "layout", or keras for a model file)
  --to <layout>          layout to write
  --in <path>            weight file, .npy directory or Keras model file
  --layer <name>         the layer to read from a model file (its class gives the cell)
  --out <path>           *.json writes JSON; anything else is a directory of .npy files
  --cell <cell>          lstm | gru | simple_rnn (default: the model layer's class, the JSON file's
                         "cell", or what the tensors' names and shapes say — a tf1 kernel/bias pair
                         is read as an LSTMCell's unless --cell simple_rnn; otherwise lstm)
  --reset-after <bool>   GRU: true | false where the tensors do not say it: a GRU without bias, and
                         ONNX's linear_before_reset (a node attribute; default true = 1)
  --bias-split <policy>  input | recurrent | half: where the one Keras bias goes in a two-bias layout
                         (default: input for pytorch, recurrent for cudnn, half for cudnn-layer;
                         onnx always uses Wb = bias, Rb = 0)
  --forget-bias <v>      TF1 LSTM forget_bias added at run time (default 1.0; 0 for BlockLSTMV2)
  --input-dim <n>        TF1: the input width (default: kernel rows - units)
  -h, --help             this text
`;

class UsageError extends Error {}

function layoutNamed(name: string | undefined, flag: string, cell: CellKind): WeightLayout {
  if (name === undefined) throw new UsageError(`${flag} is required`);
  const l = WEIGHT_LAYOUTS[cell][name];
  if (l) return l;
  const elsewhere = CELL_KINDS.filter((c) => WEIGHT_LAYOUTS[c][name] !== undefined).map(classOf);
  if (elsewhere.length > 0) throw new UsageError(`${flag} ${name}: the ${classOf(cell)} has no ${name} layout (it has ${Object.keys(WEIGHT_LAYOUTS[cell]).join(", ")}; ${name} is the ${elsewhere.join(" and ")}'s)`);
  throw new UsageError(`${flag} ${name}: unknown layout (one of ${[...new Set(CELL_KINDS.flatMap((c) => Object.keys(WEIGHT_LAYOUTS[c])))].join(", ")})`);
}

function cellOption(v: string | undefined, flag: string): CellKind | undefined {
  if (v === undefined) return undefined;
  if (!(CELL_KINDS as readonly string[]).includes(v)) throw new UsageError(`${flag} ${v}: expected ${CELL_KINDS.join(", ")}`);
  return v as CellKind;
}

function booleanOption(v: string | undefined, flag: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v !== "true" && v !== "false") throw new UsageError(`${flag} ${v}: expected true or false`);
  return v === "true";
}

function numberOption(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} ${v}: expected a number`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        in: { type: "string" },
        out: { type: "string" },
        layer: { type: "string" },
        "bias-split": { type: "string" },
        "forget-bias": { type: "string" },
        "input-dim": { type: "string" },
        cell: { type: "string" },
        "reset-after": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return EXIT_OK;
    }
    if (!values.in) throw new UsageError("--in is required");
    if (!values.out) throw new UsageError("--out is required");
    const split = values["bias-split"];
    if (split !== undefined && !["input", "recurrent", "half"].includes(split)) throw new UsageError(`--bias-split ${split}: expected input, recurrent or half`);
    const forgetBias = numberOption(values["forget-bias"], "--forget-bias");
    const inputDim = numberOption(values["input-dim"], "--input-dim");
    const givenCell = cellOption(values.cell, "--cell");
    const resetAfter = booleanOption(values["reset-after"], "--reset-after");
    const options: CellLayoutOptions = {
      ...(split ? { biasSplit: split as BiasSplit } : {}),
      ...(forgetBias === undefined ? {} : { forgetBias }),
      ...(inputDim === undefined ? {} : { inputDim }),
      ...(resetAfter === undefined ? {} : { resetAfter }),
    };

    // an unknown --to is a usage error before any file is read; whether the cell has it, after
    const anyLayout = new Set(CELL_KINDS.flatMap((c) => Object.keys(WEIGHT_LAYOUTS[c])));
    if (values.to === undefined) throw new UsageError("--to is required");
    if (!anyLayout.has(values.to)) throw new UsageError(`--to ${values.to}: unknown layout (one of ${[...anyLayout].join(", ")})`);

    let layer: CellStackLayer;
    let fromName: string;
    if (/\.(keras|h5|hdf5)$/i.test(values.in)) {
      if (!values.layer) throw new UsageError(`--layer is required to read a model file (${values.in})`);
      if (values.from && values.from !== "keras") throw new UsageError(`--from ${values.from}: a Keras model file holds Keras weights`);
      const model = await readKerasModel(values.in);
      const bi = model.recurrent.find((r) => r.className === "Bidirectional" && r.name === values.layer);
      const one = bi && bi.className === "Bidirectional" ? bi.forward : selectRecurrent(model, values.layer);
      const cell = CELL_LIST.find((d) => d.className === one.className)!.kind;
      if (givenCell !== undefined && givenCell !== cell) throw new UsageError(`--cell ${givenCell}: layer "${values.layer}" of ${values.in} is a ${one.className}`);
      const config = one.config as { readonly reset_after?: boolean };
      if (resetAfter !== undefined && config.reset_after !== undefined && resetAfter !== config.reset_after) throw new UsageError(`--reset-after ${String(resetAfter)}: layer "${values.layer}" has reset_after=${String(config.reset_after)}`);
      layer = {
        cell,
        ...(bi && bi.className === "Bidirectional" ? { forward: bi.forward.weights, backward: bi.backward.weights } : { forward: one.weights }),
        ...(cell === "gru" ? { resetAfter: config.reset_after ?? true } : {}),
      };
      fromName = "keras";
    } else {
      const file = readWeightFile(values.in);
      const fromLayout = values.from ?? file.layout;
      if (values.from && file.layout && file.layout !== values.from) throw new UsageError(`${values.in} says its layout is "${file.layout}", --from says "${values.from}"`);
      const fileCell = cellOption(file.cell, `${values.in}: "cell"`);
      if (givenCell !== undefined && fileCell !== undefined && givenCell !== fileCell) throw new UsageError(`--cell ${givenCell}: ${values.in} says its cell is "${fileCell}"`);
      const cell = givenCell ?? fileCell ?? (fromLayout === undefined ? undefined : inferCell(fromLayout, file.tensors)) ?? "lstm";
      const from = layoutNamed(fromLayout, "--from", cell);
      const fileOptions = file.resetAfter === undefined || resetAfter !== undefined ? options : { ...options, resetAfter: file.resetAfter };
      layer = from.read(file.tensors, fileOptions);
      fromName = from.name;
    }
    const to = layoutNamed(values.to, "--to", layer.cell);
    const { tensors, notes } = to.write(layer, options);
    // The LSTM's files stay as they were; a GRU's or SimpleRNN's say their cell (and a GRU its convention) for the way back.
    const meta = layer.cell === "lstm" ? {} : { cell: layer.cell, ...(layer.resetAfter === undefined ? {} : { resetAfter: layer.resetAfter }) };
    writeWeightFile(values.out, to.name, tensors, meta);
    const what = layer.cell === "lstm" ? "" : ` (${classOf(layer.cell)}${layer.resetAfter === undefined ? "" : `, reset_after=${String(layer.resetAfter)}`})`;
    const lossy = layer.summedBiases && to.name !== fromName ? ["the two biases were summed (lossy: only their sum is kept)"] : [];
    const said = [...lossy, ...notes].map((n) => `; note: ${n}`).join("");
    process.stderr.write(`converted ${fromName} → ${to.name}${what}: ${Object.keys(tensors).join(", ")} → ${values.out}${said}\n`);
    return EXIT_OK;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`keras-rnn-conformance convert: ${message}\n`);
    if (e instanceof UsageError) process.stderr.write("see keras-rnn-conformance convert --help\n");
    return EXIT_USAGE;
  }
}
