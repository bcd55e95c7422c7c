/**
 * Reads the recurrent layers of a model file saved by Keras (spec/porting.md §9, §16): LSTM, GRU and
 * SimpleRNN layers — their configs and weights, stacked layers, mixed stacks and `Bidirectional` of
 * any of them (forward and backward halves named and kept apart).
 *
 * - Keras 3 `.keras` (keras/src/saving/saving_lib.py): a zip with `config.json`, `metadata.json` and
 *   `model.weights.h5`. A layer's variables sit at `layers/<snake_case(class)>[_k]/…/vars/<n>` — the path
 *   comes from the class name and a per-class counter in `model.layers` order, never from the layer's
 *   name (`_save_container_state`: "Do NOT address the saveable via `saveable.name`"); recent Keras also
 *   writes the layer's name as a `name` attribute of its `vars` group, which we check. An LSTM's
 *   variables belong to its cell: `cell/vars/0, 1, 2` = kernel, recurrent_kernel, bias, the order
 *   `LSTMCell.build` creates them (keras/src/layers/rnn/lstm.py); a GRU's and a SimpleRNN's likewise
 *   (`GRUCell.build`, `SimpleRNNCell.build`: kernel, recurrent_kernel, bias; spec/gru.md §1.1,
 *   spec/simple-rnn.md §1.1). `Bidirectional` keeps `forward_layer/` and `backward_layer/` groups.
 * - tf-keras / Keras 2 legacy `.h5` (tf_keras/saving/legacy/hdf5_format.py `save_weights_to_hdf5_group`):
 *   the `model_config` attribute (JSON), and `model_weights/<layer name>` with a `weight_names` attribute
 *   listing `<layer>/<…>/kernel:0` etc. in `layer.weights` order; `Bidirectional` lists the forward
 *   layer's weights, then the backward layer's (`forward_<name>/…`, `backward_<name>/…`).
 *
 * Nothing in the file is evaluated. What Keras would run from it when loading it is listed in `code`
 * (model-code.ts), and a recurrent layer of a class that is not Keras's own is skipped, not read as the
 * Keras layer its name says. Sizes are bounded (`ModelFileLimits`): only the three members Keras reads are
 * inflated from a `.keras` archive, each under a limit (zip.ts), and no weight array larger than the weights
 * limit is read from either format.
 */
import { readFileSync } from "node:fs";
import type { Dialect, GruLayer, LstmLayer, RecurrentLayer, SimpleRnnLayer } from "../case.ts";
import { CELLS, isCellClassName, type CellClassName } from "../cells.ts";
import type { Tensor } from "../tensor.ts";
import { ModelFileError, h5Group, h5Has, h5StringAttr, h5Tensor, withH5File, type H5File } from "./h5.ts";
import { codeInModelConfig, notKerasOwn, type CodeInModel } from "./model-code.ts";
import { readZipMember, zipMembers } from "./zip.ts";

/** One recurrent layer (or Bidirectional half) of cell `L` as read from a file: ready to put in a `LayerCase`. */
export interface ModelCell<L extends RecurrentLayer = RecurrentLayer> {
  /** The Keras layer name (for a Bidirectional half, Keras's `forward_<name>` / `backward_<name>`). */
  readonly name: string;
  /** The cell (Keras's class name). */
  readonly className: L["className"];
  readonly config: L["config"];
  readonly weights: L["weights"];
  /** Where in the file the weights were read, for messages. */
  readonly source: string;
}

/** One LSTM as read from a file. */
export type ModelLstm = ModelCell<LstmLayer>;

export type ModelRecurrentLayer =
  | { readonly className: "LSTM"; readonly name: string; readonly lstm: ModelLstm; readonly cell: ModelLstm }
  | { readonly className: "GRU"; readonly name: string; readonly cell: ModelCell<GruLayer> }
  | { readonly className: "SimpleRNN"; readonly name: string; readonly cell: ModelCell<SimpleRnnLayer> }
  | { readonly className: "Bidirectional"; readonly name: string; readonly mergeMode: string | null; readonly forward: ModelCell; readonly backward: ModelCell };

/** The layer as a case's layer (its cell's class, config and weights). */
export function asLayer(m: ModelCell): RecurrentLayer {
  return { className: m.className, config: m.config, weights: m.weights } as RecurrentLayer;
}

export interface KerasModelFile {
  readonly file: string;
  /** `keras`: a Keras 3 `.keras` archive; `h5`: the legacy HDF5 format. */
  readonly format: "keras" | "h5";
  /** Which Keras wrote it, hence what `hard_sigmoid` means (spec/lstm.md §2). */
  readonly dialect: Dialect;
  readonly kerasVersion: string;
  /** Every top-level layer, in the config's order. */
  readonly layers: readonly { readonly name: string; readonly className: string }[];
  /** The LSTM, GRU and SimpleRNN layers and Bidirectional of them, in order. */
  readonly recurrent: readonly ModelRecurrentLayer[];
  /** Recurrent layers found but not read (ConvLSTM, CuDNNLSTM, a custom cell, …), with why. */
  readonly skipped: readonly { readonly name: string; readonly className: string; readonly reason: string }[];
  /**
   * What Keras would run from the file, or take from outside Keras, if it loaded the model (Lambda layers,
   * custom classes, serialised functions: model-code.ts). Never evaluated here; `fixture --keras` refuses
   * a file that has any unless given `--unsafe`.
   */
  readonly code: readonly CodeInModel[];
}

/** Byte limits on what is read from a model file, so a small file cannot make the reader allocate gigabytes. */
export interface ModelFileLimits {
  /** `config.json` of a `.keras` archive (uncompressed). */
  readonly configJson: number;
  /** `metadata.json` of a `.keras` archive (uncompressed). */
  readonly metadataJson: number;
  /** `model.weights.h5` of a `.keras` archive (uncompressed), and any one weight array (HDF5 dataset) of either format. */
  readonly weights: number;
}

/**
 * A `config.json` is a few KiB per layer (a thousand-layer model stays under 16 MiB); `metadata.json` holds
 * two version strings and a date; 1 GiB of float32 weights is 268 million parameters, far past any LSTM
 * this suite is for, and still fits in memory twice (archive member, then the arrays read from it).
 */
export const DEFAULT_MODEL_FILE_LIMITS: ModelFileLimits = { configJson: 16 << 20, metadataJson: 1 << 20, weights: 1 << 30 };

export interface ReadModelOptions {
  readonly limits?: Partial<ModelFileLimits>;
}

interface RawLayerConfig {
  readonly class_name: string;
  readonly config: Record<string, unknown> & { readonly name?: string };
}

const RECURRENT_CLASSES = new Set(["LSTM", "GRU", "SimpleRNN", "RNN", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Bidirectional"]);

/** Keras's `naming.to_snake_case` (keras/src/utils/naming.py), which names the `.keras` weight groups. */
export function toSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, "");
  s = s.replace(/(.)([A-Z][a-z]+)/g, "$1_$2");
  s = s.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return s;
}

/** Reads a `.keras` or legacy `.h5` model file. Throws a `ModelFileError` naming the file and what is wrong. */
export async function readKerasModel(file: string, options: ReadModelOptions = {}): Promise<KerasModelFile> {
  const limits = { ...DEFAULT_MODEL_FILE_LIMITS, ...options.limits };
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ModelFileError(file, `cannot read (${(e as Error).message})`);
  }
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  return isZip ? readKerasArchive(file, bytes, limits) : readLegacyH5(file, limits);
}

function parseJson(file: string, what: string, text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ModelFileError(file, `${what} is not valid JSON (${(e as Error).message})`);
  }
}

/** The top-level layers of a model config (Functional or Sequential), or of a bare layer config. */
function modelLayers(file: string, config: Record<string, unknown>): RawLayerConfig[] {
  const inner = config["config"] as Record<string, unknown> | undefined;
  const layers = inner?.["layers"];
  if (Array.isArray(layers)) return layers as RawLayerConfig[];
  if (typeof config["class_name"] === "string" && inner) return [config as unknown as RawLayerConfig];
  throw new ModelFileError(file, "model config has no `config.layers` list");
}

/**
 * A recurrent layer's config with the keys the suite needs checked (those fixture.schema.json requires
 * of the cell). A GRU config without `reset_after` is from Keras 2.0.0–2.1.4, which had only the
 * reset-before GRU: it MUST be read as `reset_after=False` (spec/gru.md §6 Q9).
 */
function cellConfig(file: string, where: string, className: CellClassName, raw: Record<string, unknown>): Record<string, unknown> {
  const config = className === "GRU" && raw["reset_after"] === undefined ? { ...raw, reset_after: false } : raw;
  const keys = ["units", "activation", ...(className === "SimpleRNN" ? [] : ["recurrent_activation"]), "use_bias", "return_sequences", "return_state", "go_backwards", "stateful"];
  for (const key of keys) {
    if (config[key] === undefined) throw new ModelFileError(file, `${where}: ${className} config has no "${key}"`);
  }
  return config;
}

/** The `[kernel, recurrent_kernel, bias?]` of one recurrent layer, checked against its cell's layout (conformance/cells.ts) and config. */
function cellWeights(file: string, where: string, className: CellClassName, config: Record<string, unknown>, tensors: readonly Tensor[]): RecurrentLayer["weights"] {
  const cell = CELLS[className];
  const useBias = config["use_bias"] === true;
  const expected = useBias ? 3 : 2;
  if (tensors.length !== expected) throw new ModelFileError(file, `${where}: ${tensors.length} weight arrays, expected ${expected} (kernel, recurrent_kernel${useBias ? ", bias" : ""})`);
  const [kernel, recurrent_kernel, bias] = tensors as [Tensor, Tensor, Tensor | undefined];
  const units = config["units"] as number;
  const shapes = cell.weights({ units, use_bias: useBias, reset_after: config["reset_after"] as boolean | undefined }, kernel.shape[0] ?? 0);
  [kernel, recurrent_kernel, bias].forEach((t, k) => {
    if (t === undefined) return;
    const want = shapes[k]!.shape;
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      const of = `${className}(units=${units}${className === "GRU" ? `, reset_after=${String(config["reset_after"])}` : ""})`;
      throw new ModelFileError(file, `${where}: ${shapes[k]!.name} has shape (${t.shape.join(", ")}), ${of} needs (${want.join(", ")}) (${cell.chapter} §1.1)`);
    }
  });
  return bias ? { kernel, recurrent_kernel, bias } : { kernel, recurrent_kernel };
}

/** One layer (or half) of a recurrent class read: config and weights checked. */
function modelCell(file: string, where: string, name: string, className: CellClassName, raw: Record<string, unknown>, tensors: readonly Tensor[], source: string): ModelCell {
  const config = cellConfig(file, where, className, raw);
  return { name, className, config, weights: cellWeights(file, where, className, config, tensors), source } as ModelCell;
}

/** A plain recurrent layer as the reader lists it. */
function singleLayer(cell: ModelCell, name: string): ModelRecurrentLayer {
  if (cell.className === "LSTM") return { className: "LSTM", name, lstm: cell as ModelLstm, cell: cell as ModelLstm };
  return { className: cell.className, name, cell } as ModelRecurrentLayer;
}

/** spec/porting.md §9: Bidirectional forces zero_output_for_mask = return_sequences on both halves (bidirectional.py `force_zero_output_for_mask`). */
function bidirectionalHalf(config: Record<string, unknown>): Record<string, unknown> {
  return { ...config, zero_output_for_mask: config["return_sequences"] === true };
}

function backwardConfigFor(layer: RawLayerConfig, forward: Record<string, unknown>, bareName: string): Record<string, unknown> {
  const given = layer.config["backward_layer"] as RawLayerConfig | undefined;
  if (given?.config) return { ...given.config, name: `backward_${String(given.config["name"] ?? bareName).replace(/^backward_/, "")}` };
  // tf-keras `_recreate_layer_from_config(layer, go_backwards=True)`: the same config, go_backwards flipped.
  return { ...forward, go_backwards: !(forward["go_backwards"] === true), name: `backward_${bareName}` };
}

function innerLayer(layer: RawLayerConfig): RawLayerConfig | undefined {
  return layer.config["layer"] as RawLayerConfig | undefined;
}

type SkippedLayer = KerasModelFile["skipped"][number];

/** A recurrent layer this reader does not read, and why (both file formats say it the same way). */
function skippedLayer(name: string, layer: RawLayerConfig): SkippedLayer {
  const reason = layer.class_name === "Bidirectional" ? `wraps ${innerLayer(layer)?.class_name ?? "an unknown layer"}, only LSTM, GRU and SimpleRNN are read` : "only LSTM, GRU and SimpleRNN layers are read";
  return { name, className: layer.class_name, reason };
}

/** The cell of a Bidirectional layer's wrapped layer, when the reader reads it. */
function wrappedCell(layer: RawLayerConfig): CellClassName | undefined {
  const inner = innerLayer(layer)?.class_name;
  return layer.class_name === "Bidirectional" && inner !== undefined && isCellClassName(inner) ? inner : undefined;
}

/**
 * A layer named like one of Keras's (`LSTM`) but of a custom class (another module, a registered name)
 * may compute anything: it is not read as the Keras layer its name says.
 */
function foreignLayer(name: string, layer: RawLayerConfig): SkippedLayer | undefined {
  const raw = layer as unknown as Record<string, unknown>;
  const inner = innerLayer(layer) as unknown as Record<string, unknown> | undefined;
  const why = notKerasOwn(raw) ?? (layer.class_name === "Bidirectional" && inner ? notKerasOwn(inner) : undefined);
  return why === undefined ? undefined : { name, className: layer.class_name, reason: `not Keras's own ${layer.class_name}: ${why}` };
}

// ---- Keras 3 `.keras` -------------------------------------------------------------------------

/**
 * The three members Keras reads (saving_lib.py `_CONFIG_FILENAME`, `_METADATA_FILENAME`, `_VARS_FNAME_H5`), each
 * under its limit; nothing else in the archive is inflated.
 */
function archiveMembers(file: string, bytes: Uint8Array, limits: ModelFileLimits): { config: string; metadata?: string; weights: Uint8Array } {
  const members = zipMembers(bytes, file);
  const member = (name: string) => {
    const found = members.filter((m) => m.name === name);
    // Which copy a zip reader takes differs between readers; a file that has two is not one Keras wrote.
    if (found.length > 1) throw new ModelFileError(file, `archive has ${found.length} members named ${name}`);
    return found[0];
  };
  const [config, metadata, weights] = [member("config.json"), member("metadata.json"), member("model.weights.h5")];
  for (const [name, m] of [["config.json", config], ["model.weights.h5", weights]] as const) {
    if (!m) throw new ModelFileError(file, `archive has no ${name} (members: ${members.map((x) => x.name).join(", ")})`);
  }
  const text = (m: NonNullable<typeof config>, limit: number) => new TextDecoder().decode(readZipMember(bytes, file, m, limit));
  return {
    config: text(config!, limits.configJson),
    ...(metadata ? { metadata: text(metadata, limits.metadataJson) } : {}),
    weights: readZipMember(bytes, file, weights!, limits.weights),
  };
}

async function readKerasArchive(file: string, bytes: Uint8Array, limits: ModelFileLimits): Promise<KerasModelFile> {
  const members = archiveMembers(file, bytes, limits);
  const config = parseJson(file, "config.json", members.config);
  const metadata = members.metadata === undefined ? {} : parseJson(file, "metadata.json", members.metadata);
  const layers = modelLayers(file, config);
  return withH5File(members.weights, `${file}!model.weights.h5`, (h5) => {
    const used = new Map<string, number>();
    const recurrent: ModelRecurrentLayer[] = [];
    const skipped: SkippedLayer[] = [];
    for (const layer of layers) {
      // saving_lib.py `_get_unique_name`: first "lstm", then "lstm_1", "lstm_2", …
      const base = toSnakeCase(layer.class_name);
      const k = used.get(base);
      used.set(base, k === undefined ? 0 : k + 1);
      const group = `layers/${k === undefined ? base : `${base}_${k + 1}`}`;
      const name = String(layer.config.name ?? group);
      if (!RECURRENT_CLASSES.has(layer.class_name)) continue;
      const foreign = foreignLayer(name, layer);
      if (foreign) {
        skipped.push(foreign);
        continue;
      }
      checkVarsName(h5, file, group, name);
      const wrapped = wrappedCell(layer);
      if (isCellClassName(layer.class_name)) {
        // every cell's variables are its cell's: <group>/cell/vars/0, 1, 2 (saving_lib.py; GRUCell/SimpleRNNCell.build)
        const source = `${group}/cell/vars`;
        recurrent.push(singleLayer(modelCell(file, name, name, layer.class_name, layer.config, cellVars(h5, file, source, limits.weights), source), name));
      } else if (wrapped !== undefined) {
        const fwdRaw = innerLayer(layer)!.config;
        const bare = String(fwdRaw["name"] ?? toSnakeCase(wrapped)).replace(/^forward_/, "");
        const halves = (["forward", "backward"] as const).map((dir) => {
          const raw = bidirectionalHalf(dir === "forward" ? { ...fwdRaw, name: `forward_${bare}` } : backwardConfigFor(layer, fwdRaw, bare));
          const path = `${group}/${dir}_layer/cell/vars`;
          return modelCell(file, `${name}/${dir}`, String(raw["name"]), wrapped, raw, cellVars(h5, file, path, limits.weights), path);
        });
        recurrent.push({ className: "Bidirectional", name, mergeMode: (layer.config["merge_mode"] as string | null) ?? null, forward: halves[0]!, backward: halves[1]! });
      } else {
        skipped.push(skippedLayer(name, layer));
      }
    }
    return {
      file,
      format: "keras" as const,
      dialect: "keras3" as const,
      kerasVersion: String(metadata["keras_version"] ?? "unknown"),
      layers: layers.map((l) => ({ name: String(l.config.name ?? ""), className: l.class_name })),
      recurrent,
      skipped,
      code: codeInModelConfig(config),
    };
  });
}

function checkVarsName(h5: H5File, file: string, group: string, name: string): void {
  if (!h5Has(h5, `${group}/vars`)) throw new ModelFileError(file, `model.weights.h5 has no group "${group}" for layer "${name}"`);
  const recorded = h5StringAttr(h5Group(h5, `${group}/vars`, file), "name");
  if (typeof recorded === "string" && recorded !== name) {
    throw new ModelFileError(file, `model.weights.h5 group "${group}" belongs to layer "${recorded}", the config's layer order puts "${name}" there`);
  }
}

function cellVars(h5: H5File, file: string, path: string, maxBytes: number): Tensor[] {
  const g = h5Group(h5, path, file);
  const keys = g.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
  return keys.map((k) => h5Tensor(h5, `${path}/${k}`, file, maxBytes));
}

// ---- legacy HDF5 `.h5` -------------------------------------------------------------------------

async function readLegacyH5(file: string, limits: ModelFileLimits): Promise<KerasModelFile> {
  return withH5File(file, file, (h5) => {
    const configText = h5StringAttr(h5, "model_config");
    if (typeof configText !== "string") {
      const hint = h5Has(h5, "layers") ? " (this looks like a Keras 3 `.weights.h5`: weights only, no config — read the `.keras` file instead)" : "";
      throw new ModelFileError(file, `no "model_config" attribute: not a whole model saved in the legacy HDF5 format${hint}`);
    }
    const version = h5StringAttr(h5, "keras_version");
    const kerasVersion = typeof version === "string" ? version : "unknown";
    const root = h5Has(h5, "model_weights") ? "model_weights" : "";
    const config = parseJson(file, "model_config", configText);
    const layers = modelLayers(file, config);
    const recurrent: ModelRecurrentLayer[] = [];
    const skipped: SkippedLayer[] = [];
    for (const layer of layers) {
      const name = String(layer.config.name ?? "");
      if (!RECURRENT_CLASSES.has(layer.class_name)) continue;
      const foreign = foreignLayer(name, layer);
      if (foreign) {
        skipped.push(foreign);
        continue;
      }
      const group = root ? `${root}/${name}` : name;
      const names = h5StringAttr(h5Group(h5, group, file), "weight_names");
      if (!Array.isArray(names)) throw new ModelFileError(file, `group "${group}" has no weight_names attribute`);
      const read = (n: string): Tensor => h5Tensor(h5, `${group}/${n}`, file, limits.weights);
      const wrapped = wrappedCell(layer);
      if (isCellClassName(layer.class_name)) {
        recurrent.push(singleLayer(modelCell(file, name, name, layer.class_name, layer.config, orderedWeights(file, group, names, "").map(read), group), name));
      } else if (wrapped !== undefined) {
        const fwdRaw = innerLayer(layer)!.config;
        const bare = String(fwdRaw["name"] ?? toSnakeCase(wrapped));
        const halves = (["forward", "backward"] as const).map((dir) => {
          const raw = bidirectionalHalf(dir === "forward" ? { ...fwdRaw, name: `forward_${bare}` } : backwardConfigFor(layer, fwdRaw, bare));
          return modelCell(file, `${name}/${dir}`, String(raw["name"]), wrapped, raw, orderedWeights(file, group, names, `/${dir}_`).map(read), `${group} (${dir}_*)`);
        });
        recurrent.push({ className: "Bidirectional", name, mergeMode: (layer.config["merge_mode"] as string | null) ?? null, forward: halves[0]!, backward: halves[1]! });
      } else {
        skipped.push(skippedLayer(name, layer));
      }
    }
    return {
      file,
      format: "h5" as const,
      dialect: kerasVersion.startsWith("3.") ? ("keras3" as const) : ("tf-keras" as const),
      kerasVersion,
      layers: layers.map((l) => ({ name: String(l.config.name ?? ""), className: l.class_name })),
      recurrent,
      skipped,
      code: codeInModelConfig(config),
    };
  });
}

/**
 * The weight names of one recurrent layer (or one Bidirectional half, selected by `/forward_` or
 * `/backward_` in the name) in kernel, recurrent_kernel, bias order. Matched by the variable's own name
 * rather than by position, so a file that lists them in another order is still read right.
 */
function orderedWeights(file: string, group: string, names: readonly string[], half: string): string[] {
  const mine = half ? names.filter((n) => n.includes(half)) : names;
  const find = (suffix: string): string | undefined => mine.find((n) => n.replace(/:\d+$/, "").split("/").pop() === suffix);
  const kernel = find("kernel");
  const recurrent = find("recurrent_kernel");
  const bias = find("bias");
  if (!kernel || !recurrent) throw new ModelFileError(file, `group "${group}": weight_names ${JSON.stringify(mine)} lack ${kernel ? "recurrent_kernel" : "kernel"}${half ? ` for the ${half.slice(1, -1)} half` : ""}`);
  return bias ? [kernel, recurrent, bias] : [kernel, recurrent];
}

/**
 * Finds one recurrent layer by name, of any cell: a plain layer's name, `<bidirectional>/forward` or
 * `/backward`, or the halves' own Keras names (`forward_<name>`, `backward_<name>`).
 */
export function selectRecurrent(model: KerasModelFile, name: string): ModelCell {
  for (const r of model.recurrent) {
    if (r.className !== "Bidirectional" && r.name === name) return r.cell;
    if (r.className === "Bidirectional") {
      if (name === `${r.name}/forward` || name === r.forward.name) return r.forward;
      if (name === `${r.name}/backward` || name === r.backward.name) return r.backward;
      if (name === r.name) throw new RangeError(`${model.file}: "${name}" is a Bidirectional layer; choose "${name}/forward" or "${name}/backward"`);
    }
  }
  const known = model.recurrent.flatMap((r) => (r.className === "Bidirectional" ? [`${r.name}/forward`, `${r.name}/backward`] : [`${r.name} (${r.className})`]));
  throw new RangeError(`${model.file}: no recurrent layer named "${name}" (recurrent layers: ${known.join(", ") || "none"})`);
}

/** Finds one LSTM by name, as {@link selectRecurrent}; a layer of another cell is refused, naming its class. */
export function selectLstm(model: KerasModelFile, name: string): ModelLstm {
  const named = (r: ModelRecurrentLayer): boolean =>
    r.className === "Bidirectional" ? [r.name, `${r.name}/forward`, `${r.name}/backward`, r.forward.name, r.backward.name].includes(name) : r.name === name;
  if (!model.recurrent.some(named)) {
    const lstms = model.recurrent.flatMap((r) => (r.className === "LSTM" ? [r.name] : r.className === "Bidirectional" && r.forward.className === "LSTM" ? [`${r.name}/forward`, `${r.name}/backward`] : []));
    throw new RangeError(`${model.file}: no LSTM named "${name}" (LSTM layers: ${lstms.join(", ") || "none"})`);
  }
  const found = selectRecurrent(model, name);
  if (found.className !== "LSTM") throw new RangeError(`${model.file}: "${name}" is a ${found.className} layer, not an LSTM`);
  return found as ModelLstm;
}
