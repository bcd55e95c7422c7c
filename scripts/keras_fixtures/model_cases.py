"""Case-list entries that name a saved model: `{"model", "layer", "input", "mask"?, "initial_state"?}`.

Issue 6 ("Real Keras files"), issue 12: a porter's own model file + one recurrent layer (LSTM, GRU or
SimpleRNN, or a Bidirectional half of one) + an input become a fixture case computed by real Keras. The named
layer is rebuilt as a standalone layer of its class from its own `get_config()` and `get_weights()` and then
runs through exactly the same path as every corpus case (run.py: outputs, stepped cell, tolerance policy, JAX
comparison for Keras 3). Two stages, so a bad list never reaches Keras:
`check_entry` (static: fields, files, tensors, and the model config read for code, model_safety.py; numpy
and h5py only) and `resolve` (checks the config's classes against the installed Keras, then loads the model).
No model is loaded that would run code from its file unless the entry says `"unsafe": true`.
"""
from __future__ import annotations

import json
import os
import re

import numpy as np

from .model_safety import UnreadableConfig, code_in_config, known_classes, read_config

MODEL_ENTRY_KEYS = {"id", "description", "model", "layer", "input", "mask", "initial_state", "unsafe"}
UNSAFE_HINT = "not loaded (\"unsafe\": true on the entry lets Keras load it and run that code)"
# Keys of a layer's config that describe the enclosing model's input, not the layer's math: a standalone
# layer called on another batch or sequence length must not inherit them.
MODEL_ONLY_CONFIG_KEYS = ("name", "batch_input_shape", "input_shape", "batch_size")
# The recurrent classes a case can be made of, and their states (spec/lstm.md §3.4, spec/gru.md §3.4).
RECURRENT_STATES = {"LSTM": ("h0", "c0"), "GRU": ("h0",), "SimpleRNN": ("h0",)}
LAYER_HELP = "must be the name of a recurrent layer: LSTM, GRU or SimpleRNN (a Bidirectional half: <name>/forward or <name>/backward)"


class EntryError(Exception):
    """One problem of one entry; the message already names the entry index and field."""


def _shape(a: np.ndarray) -> str:
    return "(" + ", ".join(str(d) for d in a.shape) + ")"


def package_for(path: str) -> tuple[str, str]:
    """(keras package, why). `.keras` is Keras 3's format. A legacy `.h5` goes to whoever wrote it, read from
    the file's `keras_version` attribute: Keras 3 can load tf-keras h5 files, but tf_keras is the library
    that wrote them and the dialect (hard_sigmoid, spec/lstm.md) must match the writer."""
    if path.lower().endswith(".keras"):
        return "keras", ".keras file"
    import h5py
    with h5py.File(path, "r") as f:
        version = f.attrs.get("keras_version")
    if isinstance(version, bytes):
        version = version.decode()
    if isinstance(version, str) and version.startswith("3."):
        return "keras", f"h5 written by Keras {version}"
    return "tf_keras", f"h5 written by Keras {version or '(no keras_version attribute)'}"


def _tensor_from_json(raw: object, what: str) -> np.ndarray:
    if isinstance(raw, list):
        try:
            arr = np.array(raw, dtype=np.float64)
        except ValueError:
            raise EntryError(f"{what}: not a rectangular array of numbers") from None
        return arr
    if isinstance(raw, dict) and isinstance(raw.get("shape"), list) and isinstance(raw.get("data"), list):
        shape, data = raw["shape"], raw["data"]
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise EntryError(f"{what}: shape must be a list of non-negative integers")
        if len(data) != int(np.prod(shape, dtype=np.int64)):
            raise EntryError(f"{what}: shape {tuple(shape)} needs {int(np.prod(shape))} values, has {len(data)}")
        if not all(isinstance(v, (int, float)) for v in data):  # bool is an int: masks may be true/false
            raise EntryError(f"{what}: data must hold numbers (or true/false for a mask)")
        return np.array(data, dtype=np.float64).reshape(shape)
    raise EntryError(f"{what}: must be a tensor {{\"dtype\", \"shape\", \"data\"}}, a nested array, or a .json/.npy path")


def load_tensor(value: object, what: str, base: str) -> np.ndarray:
    """A tensor given inline (JSON) or as a path (relative to the case list) to a .json or .npy file."""
    if not isinstance(value, str):
        return _tensor_from_json(value, what)
    path = value if os.path.isabs(value) else os.path.join(base, value)
    if not os.path.isfile(path):
        raise EntryError(f"{what}: no such file: {path}")
    if path.lower().endswith(".npy"):
        try:
            arr = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as e:
            raise EntryError(f"{what}: {path}: not a readable .npy file ({e})") from None
        if arr.dtype.kind not in "biuf":
            raise EntryError(f"{what}: {path}: dtype {arr.dtype} is not numeric")
        return arr.astype(np.float64)
    if not path.lower().endswith(".json"):
        raise EntryError(f"{what}: {path}: must be a .json or .npy file")
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except json.JSONDecodeError as e:
        raise EntryError(f"{what}: {path}: not valid JSON ({e.msg} at line {e.lineno})") from None
    return _tensor_from_json(raw, f"{what} ({path})")


def check_entry(e: dict, where: str, base: str) -> tuple[dict, list[str]]:
    """Static checks of a model entry. Returns (loaded parts, error lines)."""
    errs: list[str] = []
    for k in e:
        if k not in MODEL_ENTRY_KEYS:
            errs.append(f"{where}.{k}: unknown field for a model entry (known: {', '.join(sorted(MODEL_ENTRY_KEYS))})")
    out: dict = {}
    model = e.get("model")
    if not isinstance(model, str) or not re.search(r"\.(keras|h5|hdf5)$", model, re.I):
        errs.append(f"{where}.model: must be the path of a .keras or .h5 file")
    else:
        path = model if os.path.isabs(model) else os.path.join(base, model)
        if not os.path.isfile(path):
            errs.append(f"{where}.model: no such file: {path}")
        else:
            try:
                out["package"], out["package_reason"] = package_for(path)
                out["model"] = path
            except OSError as err:
                errs.append(f"{where}.model: {path}: not a readable HDF5 file ({err})")
    unsafe = e.get("unsafe", False)
    if not isinstance(unsafe, bool):
        errs.append(f"{where}.unsafe: must be true or false")
    out["unsafe"] = unsafe is True
    if "model" in out and not out["unsafe"]:
        errs += [f"{where}.model: {out['model']}: {p}" for p in model_code_problems(out["model"])]
    if not isinstance(e.get("layer"), str) or not e["layer"]:
        errs.append(f"{where}.layer: {LAYER_HELP}")
    for field in ("input", "mask"):
        if field in e:
            try:
                out[field] = load_tensor(e[field], f"{where}.{field}", base)
            except EntryError as err:
                errs.append(str(err))
    if "input" not in e:
        errs.append(f"{where}.input: required (a .json tensor or .npy file of shape (batch, timesteps, input_dim))")
    if "initial_state" in e:
        init = e["initial_state"]
        # how many the layer takes ([h0, c0] or [h0]) is checked once the model is loaded (resolve)
        if not isinstance(init, list) or len(init) not in (1, 2):
            errs.append(f"{where}.initial_state: must be [h0, c0] for an LSTM or [h0] for a GRU or SimpleRNN (each a tensor or a .json/.npy path)")
        else:
            try:
                out["initial_state"] = [load_tensor(s, f"{where}.initial_state[{k}]", base) for k, s in enumerate(init)]
            except EntryError as err:
                errs.append(str(err))
    if "input" in out:
        x = out["input"]
        if x.ndim == 2:
            out["input"] = x = x[None]  # (T, D) is one sequence, as the TypeScript `fixture` command reads it
        if x.ndim != 3:
            errs.append(f"{where}.input: shape {_shape(x)}; expected (batch, timesteps, input_dim)")
        elif not np.all(np.isfinite(x)):
            errs.append(f"{where}.input: holds NaN or infinity")
        if "mask" in out and x.ndim == 3 and out["mask"].shape != x.shape[:2]:
            errs.append(f"{where}.mask: shape {_shape(out['mask'])}, expected ({x.shape[0]}, {x.shape[1]}) like the input's (batch, timesteps)")
    return out, errs


def model_code_problems(path: str, known: frozenset[str] | None = None) -> list[str]:
    """One line per thing in the model's config that would run code from the file (model_safety.py)."""
    try:
        return [f"{p}; {UNSAFE_HINT}" for p in code_in_config(read_config(path), known)]
    except UnreadableConfig as e:
        return [f"cannot read its model config (to check it for code before Keras loads it): {e}"]


def _kind(layer) -> str:
    """The layer's class name; a class that is not Keras's own (only loaded with "unsafe") keeps its module,
    so a custom `LSTM` is not taken for Keras's."""
    t = type(layer)
    return t.__name__ if t.__module__.split(".")[0] in ("keras", "tf_keras") else f"{t.__module__}.{t.__name__}"


def _walk(layers, prefix: str = ""):
    """Every layer, nested models included (their layers are addressed by their own names)."""
    for layer in layers:
        yield layer
        inner = getattr(layer, "layers", None)
        if isinstance(inner, list) and _kind(layer) in ("Sequential", "Functional", "Model"):
            yield from _walk(inner)


def _recurrent_names(model) -> list[str]:
    names = []
    for layer in _walk(model.layers):
        cls = _kind(layer)
        if cls in RECURRENT_STATES:
            names.append(f"{layer.name} ({cls})")
        elif cls == "Bidirectional" and _kind(layer.forward_layer) in RECURRENT_STATES:
            names += [f"{layer.name}/forward", f"{layer.name}/backward"]
    return names


def find_recurrent(model, name: str, where: str):
    """The named LSTM, GRU or SimpleRNN, or a Bidirectional half addressed `<name>/forward|backward`
    (conformance/models/read-model.ts `selectRecurrent`)."""
    base, _, half = name.partition("/")
    for layer in _walk(model.layers):
        cls = _kind(layer)
        if cls == "Bidirectional" and layer.name in (base, name):
            inner = _kind(layer.forward_layer)
            if inner not in RECURRENT_STATES:
                raise EntryError(f"{where}.layer: \"{layer.name}\" is Bidirectional({inner}); only LSTM, GRU and SimpleRNN layers can be made into a case")
            if half == "forward":
                return layer.forward_layer
            if half == "backward":
                return layer.backward_layer
            raise EntryError(f"{where}.layer: \"{name}\" is a Bidirectional layer; name one half: \"{layer.name}/forward\" or \"{layer.name}/backward\"")
        if layer.name == name and not half:
            if cls not in RECURRENT_STATES:
                raise EntryError(f"{where}.layer: \"{name}\" is a {cls} layer, not an LSTM, GRU or SimpleRNN")
            return layer
        if cls == "Bidirectional" and name in (layer.forward_layer.name, layer.backward_layer.name):
            return layer.forward_layer if name == layer.forward_layer.name else layer.backward_layer
    present = _recurrent_names(model)
    raise EntryError(f"{where}.layer: no layer \"{name}\" in the model; its recurrent layers: {', '.join(present) if present else '(none)'}")


def load_model(path: str, package: str, unsafe: bool = False):
    """Loads with Keras's safe mode on unless `unsafe`. tf-keras ignores `safe_mode` for a legacy .h5 file,
    so its SafeModeScope is entered too: its Lambda layer then refuses bytecode as in a .keras file (a second
    line behind model_safety.py, which has already refused such a file)."""
    if package == "tf_keras":
        import tf_keras
        from tf_keras.src.saving import serialization_lib
        with serialization_lib.SafeModeScope(not unsafe):
            return tf_keras.models.load_model(path, compile=False, safe_mode=not unsafe)
    import keras
    return keras.saving.load_model(path, compile=False, safe_mode=not unsafe)


def resolve(spec: dict, parts: dict, models: dict, where: str) -> dict:
    """The case's standalone recurrent layer (class, config + weights) and inputs, checked against the layer.
    Returns mats."""
    from . import encode
    key = parts["model"]
    if not parts["unsafe"]:
        # Checked for every entry, even when an earlier "unsafe" entry has loaded the same file.
        problems = model_code_problems(key, known_classes(parts["package"]))
        if problems:
            raise EntryError("; ".join(f"{where}.model: {key}: {p}" for p in problems))
    if key not in models:
        try:
            models[key] = load_model(key, parts["package"], parts["unsafe"])
        except Exception as e:  # noqa: BLE001 - Keras's own message, on one line
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise EntryError(f"{where}.model: {key}: {parts['package']} cannot load it: {type(e).__name__}: {msg}") from None
    layer = find_recurrent(models[key], spec["layer"], where)
    cls = _kind(layer)
    cfg = encode.to_plain(layer.get_config())
    for k in MODEL_ONLY_CONFIG_KEYS:
        cfg.pop(k, None)
    weights = [np.asarray(w, np.float32) for w in layer.get_weights()]
    input_dim, units = int(weights[0].shape[0]), int(cfg["units"])
    x = parts["input"].astype(np.float32)
    if x.shape[2] != input_dim:
        raise EntryError(f"{where}.input: shape {_shape(x)}; layer \"{spec['layer']}\" needs (batch, timesteps, {input_dim})")
    B, T, _ = x.shape
    call: dict = {"x": x}
    if "mask" in parts:
        call["mask"] = parts["mask"] != 0
    if "initial_state" in parts:
        states = RECURRENT_STATES[cls]
        if len(parts["initial_state"]) != len(states):
            raise EntryError(f"{where}.initial_state: {len(parts['initial_state'])} tensor(s); layer \"{spec['layer']}\" is a {cls}, "
                             f"whose initial_state is [{', '.join(states)}] (spec/lstm.md §3.4, spec/gru.md §3.4)")
        for k, s in enumerate(parts["initial_state"]):
            if s.shape != (B, units):
                raise EntryError(f"{where}.initial_state[{k}]: shape {_shape(s)}, expected ({B}, {units}) (batch, units)")
        call["initial_state"] = [s.astype(np.float32) for s in parts["initial_state"]]
    spec["layers"] = [{"class_name": cls, "config": cfg, "weights": "given"}]
    spec["shape"] = [int(B), int(T), input_dim]
    spec["mask"] = call["mask"].tolist() if "mask" in call else None
    spec["initial_state"] = "initial_state" in call
    import importlib.metadata as md
    version = md.version("tf-keras" if parts["package"] == "tf_keras" else "keras")
    spec["description"] = spec.get("description") or (
        f"Keras-computed ({parts['package']} {version}): {cls} layer \"{spec['layer']}\" ({layer.name}) of "
        f"{os.path.basename(key)}, B={B} T={T} input_dim={input_dim} units={units}")
    return {"weights": [weights], "calls": [call]}
