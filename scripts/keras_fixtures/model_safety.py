"""What in a saved model's config would make Keras run code from the file, checked before Keras loads it.

Keras rebuilds a model by deserialising every `{"class_name", "config", "module"?, "registered_name"?}`
object of its config (keras/src/saving/serialization_lib.py `deserialize_keras_object`; tf-keras:
tf_keras/src/saving/legacy/serialization.py). Keras 3's `safe_mode` refuses Python lambdas in a `.keras`
file, but tf-keras's legacy `.h5` loader has no safe mode at all: it unmarshals a `Lambda` layer's bytecode
and calls it while it rebuilds the model. So the config is read here first (a `.keras` zip's `config.json`,
an `.h5` file's `model_config` attribute: exactly what the loaders read) and the model is refused when any
object of it, nested models, wrappers and RNN cells included, is

- a `Lambda` layer, or one of Keras's own layers that runs what the file names (`CODE_LAYERS`);
- a serialised function (`"class_name": "function"`: Keras saves its own functions by name) or lambda
  (`__lambda__`, tf-keras `function_type: "lambda"`);
- of a class from outside Keras: a `module` that is not keras/tf_keras, a `registered_name` of a custom
  package, or (`known`) a class name the installed Keras does not have.

The same rules, less the last (it needs Keras), are conformance/models/model-code.ts, which the `fixture
--keras` command applies before it starts Python. An entry's `"unsafe": true` skips this check and loads a
`.keras` file with `safe_mode=False`: Keras then runs whatever code the file holds.
"""
from __future__ import annotations

import functools
import json
import zipfile

# Keras's own layers that run what their config names (code, or a path to code); refused like Lambda.
CODE_LAYERS = {
    "Lambda": "its function is Python code stored in the file, which Keras runs when it rebuilds the model",
    "TFOpLambda": "calls the TensorFlow function the file names",
    "SlicingOpLambda": "calls the TensorFlow function the file names",
    "TensorFlowOpLayer": "runs the TensorFlow op (NodeDef) stored in the file",
    "TFSMLayer": "loads and runs the TensorFlow SavedModel at a path the file names",
    "TorchModuleWrapper": "unpickles a PyTorch module stored in the file (unpickling runs code)",
    "JaxLayer": "calls functions stored in the file",
    "FlaxLayer": "calls functions stored in the file",
}
# Serialised values that are data, not objects (serialization_lib.py special cases).
DATA_MARKERS = {"__keras_tensor__", "__tensor__", "__numpy__", "__bytes__", "__ellipsis__", "__slice__"}
# tf-keras Lambda-style keys saying how a function was saved; "lambda" is marshalled bytecode.
FUNCTION_TYPE_KEYS = ("function_type", "output_shape_type", "mask_type")
# Config keys holding a whole layer (wrappers, RNN cells) or a list of them (models, stacked cells).
LAYER_KEYS = {"layer", "backward_layer", "forward_layer", "cell"}
LAYER_LIST_KEYS = {"layers", "cells"}
# An object's identity, not values Keras deserialises.
IDENTITY_KEYS = {"class_name", "module", "registered_name", "config"}
# A config.json is a few KiB per layer; the same limit as conformance/models/read-model.ts.
CONFIG_LIMIT = 16 << 20


class UnreadableConfig(Exception):
    pass


def read_config(path: str) -> dict:
    """The model config the loader will read: a `.keras` zip's `config.json` (Python's zipfile, as Keras reads
    it), otherwise the HDF5 file's `model_config` attribute."""
    if path.lower().endswith(".keras"):
        try:
            with zipfile.ZipFile(path) as zf:
                infos = [i for i in zf.infolist() if i.filename == "config.json"]
                if len(infos) != 1:
                    raise UnreadableConfig(f"the archive has {len(infos)} members named config.json, not one")
                if infos[0].file_size > CONFIG_LIMIT:
                    raise UnreadableConfig(f"config.json declares {infos[0].file_size} bytes, over the {CONFIG_LIMIT} limit")
                with zf.open(infos[0]) as f:
                    text = f.read(CONFIG_LIMIT + 1)  # the declared size is the archive's word only
        except (zipfile.BadZipFile, OSError) as e:
            raise UnreadableConfig(f"not a readable zip archive ({e})") from None
        if len(text) > CONFIG_LIMIT:
            raise UnreadableConfig(f"config.json inflates past the {CONFIG_LIMIT} byte limit")
    else:
        import h5py
        with h5py.File(path, "r") as f:
            text = f.attrs.get("model_config")
        if text is None:
            raise UnreadableConfig("no model_config attribute: not a whole model saved in the legacy HDF5 format")
    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (ValueError, UnicodeDecodeError) as e:
        raise UnreadableConfig(f"the model config is not valid JSON ({e})") from None


def is_keras_module(module: str) -> bool:
    """keras, keras.*, tf_keras, tf_keras.* (keras_hub and the like are other packages)."""
    return any(module == p or module.startswith(p + ".") for p in ("keras", "tf_keras"))


def not_keras_own(obj: dict, known: frozenset[str] | None = None) -> str | None:
    """Why a serialised object is not one of Keras's own plain objects, or None. Built-ins carry no
    registered name, or their class name (serialization_lib.py `_assert_no_registered_name_for_builtin`)."""
    cls = obj.get("class_name")
    if cls == "__lambda__":
        return "a serialised Python lambda (bytecode stored in the file)"
    if cls == "function":
        return (f"a serialised function {json.dumps(obj.get('config'))} of module {json.dumps(obj.get('module'))}, "
                "not one of Keras's own (they are saved by name)")
    if cls in CODE_LAYERS:
        return CODE_LAYERS[cls]
    module = obj.get("module")
    if isinstance(module, str) and not is_keras_module(module):
        return f"its class comes from module \"{module}\", not from Keras"
    if module is not None and not isinstance(module, str):
        return "its \"module\" is not a string"
    registered = obj.get("registered_name")
    if isinstance(registered, str) and registered != cls:
        package = f" of package \"{registered.split('>')[0]}\"" if ">" in registered else ""
        return f"registered_name \"{registered}\": a custom object{package}, not Keras's own"
    config = obj.get("config")
    if isinstance(config, dict):
        for key in FUNCTION_TYPE_KEYS:
            if config.get(key) == "lambda":
                return f"{key} \"lambda\": a Python lambda stored in the file"
    if known is not None and cls not in known:
        return f"{json.dumps(cls)} is not a class the installed Keras has (a custom class)"
    return None


def code_in_config(config: object, known: frozenset[str] | None = None) -> list[str]:
    """Every object of a model config that would run code from the file or is not Keras's own, one line
    each (`layer "evil" (Lambda): ...`, `layer "enc" (LSTM), activation: ...`), in config order."""
    found: list[str] = []

    def walk(node: object, layer: tuple[str, str], key: str | None, top: bool) -> None:
        if isinstance(node, list):
            for v in node:
                walk(v, layer, key, False)
            return
        if not isinstance(node, dict):
            return
        cls = node.get("class_name")
        if not isinstance(cls, str):
            for k, v in node.items():
                walk(v, layer, key or k, False)
            return
        inner = node.get("config")
        # An object in a layer position names itself; anything else is reported under its layer and key.
        if key is None:
            name = inner.get("name") if isinstance(inner, dict) and isinstance(inner.get("name"), str) else node.get("name", "?")
            here = (str(name), cls)
        else:
            here = layer
        why = None if cls in DATA_MARKERS else not_keras_own(node, known)
        if why:
            found.append(f"layer \"{here[0]}\" ({cls}): {why}" if key is None
                         else f"layer \"{here[0]}\" ({here[1]}), {key}: {cls}: {why}")
        # A Keras 2.0 Sequential config is the bare list of its layers.
        children = {"layers": inner} if isinstance(inner, list) else inner if isinstance(inner, dict) else {}
        for k, v in children.items():
            if key is None and k in LAYER_LIST_KEYS and isinstance(v, list):
                for item in v:
                    walk(item, here, None, False)
            elif key is None and k in LAYER_KEYS and isinstance(v, dict):
                walk(v, here, None, False)
            else:
                walk(v, here, key or k, False)
        # Besides `config`, Keras deserialises inbound_nodes (call arguments), build_config and compile_config;
        # saving_lib.py `_model_from_config` drops only the top-level compile_config (compile=False).
        for k, v in node.items():
            if k in IDENTITY_KEYS or (top and k == "compile_config"):
                continue
            walk(v, here, key or k, False)

    walk(config, ("?", "?"), None, True)
    return found


@functools.lru_cache(maxsize=None)
def known_classes(package: str) -> frozenset[str]:
    """The class names the installed Keras (package "keras" or "tf_keras") deserialises as its own: the
    classes of its public layer, initializer, regularizer, constraint, dtype-policy and model namespaces,
    plus `Functional`, which neither package exports by that name."""
    if package == "tf_keras":
        import tf_keras as k
        spaces = [k.layers, k.initializers, k.regularizers, k.constraints, k.mixed_precision, k.models]
    else:
        import keras as k
        spaces = [k.layers, k.initializers, k.regularizers, k.constraints, k.dtype_policies, k.models]
    names = {n for s in spaces for n in dir(s) if not n.startswith("_") and isinstance(getattr(s, n, None), type)}
    return frozenset(names | {"Functional"})
