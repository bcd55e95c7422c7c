/**
 * `keras-rnn-conformance convert`: converts LSTM weights between framework layouts (spec/porting.md §10).
 * Exit code 0 on success, 2 on a usage error or a file / tensor that does not fit (the message names
 * the file, the tensor and the shape expected).
 */
import { parseArgs } from "node:util";
import { DEFAULT_MODEL_FILE_LIMITS as LIMITS, readKerasModel, selectLstm } from "../models/read-model.ts";
import { formatBytes } from "../models/sizes.ts";
import { readWeightFile, writeWeightFile } from "../models/weight-file.ts";
import type { BiasSplit } from "../porting/gates.ts";
import { LAYOUTS, type LayoutOptions } from "../porting/layouts.ts";
import type { KerasStackLayer } from "../porting/pytorch.ts";

const EXIT_OK = 0;
const EXIT_USAGE = 2;

export const HELP = `Usage: keras-rnn-conformance convert --from <layout> --to <layout> --in <file|dir> --out <file.json|dir>
       keras-rnn-conformance convert --in <model.keras|model.h5> --layer <name> --to <layout> --out <file.json|dir>

Converts the weights of one LSTM layer (one or both directions) between layouts (spec/porting.md).

Layouts:
${Object.values(LAYOUTS).map((l) => `  ${l.name.padEnd(12)} ${l.description}\n  ${"".padEnd(12)} tensors: ${l.names}${l.lossyToKeras ? "\n  " + "".padEnd(12) + " (reading it sums two biases into Keras's one: the split is lost)" : ""}`).join("\n")}

Files: a JSON weight file { "layout", "tensors": { name: { shape, data } } } (flat row-major data),
or a directory holding one <name>.npy per tensor (float32 or float64, C order); a .keras / .h5
model file saved by Keras is read with --layer (for a Bidirectional layer: <name>/forward,
<name>/backward, or <name> for both directions). Nothing in a model file is run. Of a .keras archive
only config.json, metadata.json and model.weights.h5 are inflated, each within a limit (uncompressed,
whatever size the archive declares): config.json ${formatBytes(LIMITS.configJson)}, metadata.json ${formatBytes(LIMITS.metadataJson)},
model.weights.h5 and each weight array (of a .h5 file too) ${formatBytes(LIMITS.weights)}; past it the file is refused.

Options:
  --from <layout>        layout of --in (default: the JSON file's "layout", or keras for a model file)
  --to <layout>          layout to write
  --in <path>            weight file, .npy directory or Keras model file
  --layer <name>         the layer to read from a model file
  --out <path>           *.json writes JSON; anything else is a directory of .npy files
  --bias-split <policy>  input | recurrent | half: where the one Keras bias goes in a two-bias layout
                         (default: input for pytorch, recurrent for cudnn, half for cudnn-layer;
                         onnx always uses Wb = bias, Rb = 0)
  --forget-bias <v>      TF1 forget_bias added at run time (default 1.0; 0 for BlockLSTMV2)
  --input-dim <n>        TF1: the input width (default: kernel rows - units)
  -h, --help             this text
`;

class UsageError extends Error {}

function layoutNamed(name: string | undefined, flag: string): (typeof LAYOUTS)[string] {
  if (name === undefined) throw new UsageError(`${flag} is required`);
  const l = LAYOUTS[name];
  if (!l) throw new UsageError(`${flag} ${name}: unknown layout (one of ${Object.keys(LAYOUTS).join(", ")})`);
  return l;
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
    const to = layoutNamed(values.to, "--to");
    const split = values["bias-split"];
    if (split !== undefined && !["input", "recurrent", "half"].includes(split)) throw new UsageError(`--bias-split ${split}: expected input, recurrent or half`);
    const forgetBias = numberOption(values["forget-bias"], "--forget-bias");
    const inputDim = numberOption(values["input-dim"], "--input-dim");
    const options: LayoutOptions = {
      ...(split ? { biasSplit: split as BiasSplit } : {}),
      ...(forgetBias === undefined ? {} : { forgetBias }),
      ...(inputDim === undefined ? {} : { inputDim }),
    };

    let layer: KerasStackLayer;
    let fromName: string;
    if (/\.(keras|h5|hdf5)$/i.test(values.in)) {
      if (!values.layer) throw new UsageError(`--layer is required to read a model file (${values.in})`);
      if (values.from && values.from !== "keras") throw new UsageError(`--from ${values.from}: a Keras model file holds Keras weights`);
      const model = await readKerasModel(values.in);
      const bi = model.recurrent.find((r) => r.className === "Bidirectional" && r.name === values.layer);
      layer = bi && bi.className === "Bidirectional" ? { forward: bi.forward.weights, backward: bi.backward.weights } : { forward: selectLstm(model, values.layer).weights };
      fromName = "keras";
    } else {
      const file = readWeightFile(values.in);
      const from = layoutNamed(values.from ?? file.layout, "--from");
      if (values.from && file.layout && file.layout !== values.from) throw new UsageError(`${values.in} says its layout is "${file.layout}", --from says "${values.from}"`);
      layer = from.read(file.tensors, options);
      fromName = from.name;
    }
    const tensors = to.write(layer, options);
    writeWeightFile(values.out, to.name, tensors);
    const lossy = LAYOUTS[fromName]!.lossyToKeras && to.name !== fromName ? "; note: the two biases were summed (lossy: only their sum is kept)" : "";
    process.stderr.write(`converted ${fromName} → ${to.name}: ${Object.keys(tensors).join(", ")} → ${values.out}${lossy}\n`);
    return EXIT_OK;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`keras-rnn-conformance convert: ${message}\n`);
    if (e instanceof UsageError) process.stderr.write("see keras-rnn-conformance convert --help\n");
    return EXIT_USAGE;
  }
}
