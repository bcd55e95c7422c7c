/**
 * What in a Keras model config would make Keras run code from the file, or use a class that is not
 * Keras's own, when it loads the model (spec/porting.md §9 "Code in a model file").
 *
 * Keras rebuilds a model by deserialising every `{ "class_name", "config", "module"?, "registered_name"? }`
 * object of its config (keras/src/saving/serialization_lib.py `deserialize_keras_object`; tf-keras:
 * tf_keras/src/saving/legacy/serialization.py). A `Lambda` layer carries Python bytecode (tf-keras
 * `function_type: "lambda"`, Keras 3 `__lambda__`) that the legacy `.h5` loader runs with no safe mode; a
 * `"function"` object or a class from another module is resolved from whatever Python code is importable;
 * a few of Keras's own layers run what the file names (TensorFlow ops, SavedModels, pickled torch modules).
 *
 * This reader never evaluates any of it: it reads weights and configs only. The list is for the commands
 * that hand the file to Keras (`fixture --keras`), which refuse such a file unless told `--unsafe`. The
 * generator (scripts/keras_fixtures/model_safety.py) applies the same rules before it loads a model, and
 * also refuses class names the installed Keras does not know, which needs Keras itself.
 */

export interface CodeInModel {
  /** The layer it belongs to (a nested model's layers by their own names). */
  readonly layer: string;
  readonly className: string;
  /** The config key inside that layer, when the object is not the layer itself (`activation`). */
  readonly key?: string;
  readonly why: string;
}

/**
 * Keras's own layers that run what their config names. They are refused like `Lambda`: each is code, or
 * a path to code, chosen by whoever wrote the file.
 */
export const CODE_LAYERS: Readonly<Record<string, string>> = {
  Lambda: "its function is Python code stored in the file, which Keras runs when it rebuilds the model",
  TFOpLambda: "calls the TensorFlow function the file names",
  SlicingOpLambda: "calls the TensorFlow function the file names",
  TensorFlowOpLayer: "runs the TensorFlow op (NodeDef) stored in the file",
  TFSMLayer: "loads and runs the TensorFlow SavedModel at a path the file names",
  TorchModuleWrapper: "unpickles a PyTorch module stored in the file (unpickling runs code)",
  JaxLayer: "calls functions stored in the file",
  FlaxLayer: "calls functions stored in the file",
};

/** Serialised values that are data, not code (serialization_lib.py special cases). */
const DATA_MARKERS = new Set(["__keras_tensor__", "__tensor__", "__numpy__", "__bytes__", "__ellipsis__", "__slice__"]);

/** tf-keras `Lambda`-style keys that say how a function was saved; "lambda" is marshalled bytecode. */
const FUNCTION_TYPE_KEYS = ["function_type", "output_shape_type", "mask_type"];

/** Config keys that hold a whole layer (wrappers, RNN cells) or a list of them (models, stacked cells). */
const LAYER_KEYS = new Set(["layer", "backward_layer", "forward_layer", "cell"]);
const LAYER_LIST_KEYS = new Set(["layers", "cells"]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Keras's own packages: `keras`, `keras.*`, `tf_keras`, `tf_keras.*` (not `keras_hub` and the like). */
export function isKerasModule(module: string): boolean {
  return ["keras", "tf_keras"].some((p) => module === p || module.startsWith(`${p}.`));
}

/**
 * Why a serialised object is not one of Keras's own plain objects, or undefined. `module` and
 * `registered_name` are what Keras 3 resolves a class by; Keras's built-ins have no registered name
 * (`_assert_no_registered_name_for_builtin`) or their class name.
 */
export function notKerasOwn(obj: Json): string | undefined {
  const className = obj["class_name"];
  if (className === "__lambda__") return "a serialised Python lambda (bytecode stored in the file)";
  if (className === "function") return `a serialised function ${JSON.stringify(obj["config"])} of module ${JSON.stringify(obj["module"] ?? null)}, not one of Keras's own (they are saved by name)`;
  if (typeof className === "string" && CODE_LAYERS[className]) return CODE_LAYERS[className];
  const module = obj["module"];
  if (typeof module === "string" && !isKerasModule(module)) return `its class comes from module "${module}", not from Keras`;
  if (module !== undefined && module !== null && typeof module !== "string") return `its "module" is not a string`;
  const registered = obj["registered_name"];
  if (typeof registered === "string" && registered !== className) return `registered_name "${registered}": a custom object${registered.includes(">") ? ` of package "${registered.split(">")[0]}"` : ""}, not Keras's own`;
  const config = obj["config"];
  if (isObject(config)) {
    const key = FUNCTION_TYPE_KEYS.find((k) => config[k] === "lambda");
    if (key) return `${key} "lambda": a Python lambda stored in the file`;
  }
  return undefined;
}

/** Keys of a serialised object that are its identity, not values Keras deserialises. */
const IDENTITY_KEYS = new Set(["class_name", "module", "registered_name", "config"]);

/** Every object of a model config that would run code from the file, or is not Keras's own, in config order. */
export function codeInModelConfig(config: unknown): CodeInModel[] {
  const found: CodeInModel[] = [];
  type Layer = { readonly name: string; readonly className: string };
  const walk = (node: unknown, layer: Layer, key: string | undefined, top: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((v) => walk(v, layer, key, false));
      return;
    }
    if (!isObject(node)) return;
    const className = node["class_name"];
    if (typeof className !== "string") {
      for (const [k, v] of Object.entries(node)) walk(v, layer, key ?? k, false);
      return;
    }
    const inner = node["config"];
    // An object in a layer position names itself; anything else is reported under its layer and key.
    const here: Layer = key === undefined ? { name: isObject(inner) && typeof inner["name"] === "string" ? inner["name"] : String(node["name"] ?? "?"), className } : layer;
    const why = DATA_MARKERS.has(className) ? undefined : notKerasOwn(node);
    if (why) found.push(key === undefined ? { layer: here.name, className, why } : { layer: here.name, className: here.className, key, why: `${className}: ${why}` });
    // A Keras 2.0 Sequential config is the bare list of its layers.
    const children: Json = Array.isArray(inner) ? { layers: inner } : isObject(inner) ? inner : {};
    for (const [k, v] of Object.entries(children)) {
      if (key === undefined && LAYER_LIST_KEYS.has(k) && Array.isArray(v)) v.forEach((l) => walk(l, here, undefined, false));
      else if (key === undefined && LAYER_KEYS.has(k) && isObject(v)) walk(v, here, undefined, false);
      else walk(v, here, key ?? k, false);
    }
    // Besides `config`, Keras deserialises a layer's inbound_nodes (call arguments), build_config and
    // compile_config; saving_lib.py `_model_from_config` drops only the top-level compile_config (compile=False).
    for (const [k, v] of Object.entries(node)) {
      if (IDENTITY_KEYS.has(k) || (top && k === "compile_config")) continue;
      walk(v, here, key ?? k, false);
    }
  };
  walk(config, { name: "?", className: "?" }, undefined, true);
  return found;
}

/** `layer "evil" (Lambda): …` / `layer "enc" (LSTM), activation: …`, the form the generator prints too. */
export function describeCode(c: CodeInModel): string {
  return `layer "${c.layer}" (${c.className})${c.key ? `, ${c.key}` : ""}: ${c.why}`;
}
