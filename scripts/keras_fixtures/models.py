"""fixtures/models/: model files saved by Keras itself, and models.json (spec/fixture-format.md §8).

Saved files carry timestamps (zip entries, HDF5 object times), so a rewrite changes their bytes. `generate`
therefore keeps an existing file when loading it gives the same configs, weights and outputs as the model
it would save, and rewrites it otherwise.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np

from . import encode

SEED = 11000


def _inputs(shape: tuple) -> np.ndarray:
    return np.random.default_rng(SEED + sum(shape)).standard_normal(shape).astype(np.float32)


def _scaled_weights(model, seed: int) -> None:
    """Random weights, a different scale per gate block, for every LSTM weight in the model."""
    from .materialize import random_lstm_weights
    rng = np.random.default_rng(seed)
    new = []
    for w in model.get_weights():
        new.append(w)
    ws = model.get_weights()
    out, k = [], 0
    while k < len(ws):
        kernel = ws[k]
        units = kernel.shape[1] // 4
        triple = random_lstm_weights(rng, kernel.shape[0], units, True, "scaled")
        out += triple
        k += 3
    model.set_weights(out)


def keras3_models():
    import keras
    keras.utils.set_random_seed(SEED)
    stacked = keras.Sequential([
        keras.Input(shape=(5, 3), name="x"),
        keras.layers.LSTM(4, return_sequences=True, name="lstm"),
        keras.layers.LSTM(3, name="lstm_1"),
    ], name="stacked_lstm")
    _scaled_weights(stacked, SEED + 1)
    inp = keras.Input(shape=(6, 2), name="x")
    out = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True, name="lstm"), name="bidirectional")(inp)
    bidi = keras.Model(inp, out, name="bidirectional_lstm")
    _scaled_weights(bidi, SEED + 2)
    return [("keras3-stacked-lstm.keras", stacked, (2, 5, 3)), ("keras3-bidirectional-lstm.keras", bidi, (2, 6, 2))]


def tf_keras_models():
    import tf_keras
    tf_keras.utils.set_random_seed(SEED)
    stacked = tf_keras.Sequential([
        tf_keras.layers.LSTM(4, return_sequences=True, input_shape=(5, 3), name="lstm"),
        tf_keras.layers.LSTM(3, name="lstm_1"),
    ], name="stacked_lstm")
    _scaled_weights(stacked, SEED + 3)
    inp = tf_keras.Input(shape=(6, 2), name="x")
    out = tf_keras.layers.Bidirectional(tf_keras.layers.LSTM(3, return_sequences=True, name="lstm"), name="bidirectional")(inp)
    bidi = tf_keras.Model(inp, out, name="bidirectional_lstm")
    _scaled_weights(bidi, SEED + 4)
    return [("tf-keras-stacked-lstm.h5", stacked, (2, 5, 3)), ("tf-keras-bidirectional-lstm.h5", bidi, (2, 6, 2))]


def _scaled_cell_weights(model, seed: int) -> None:
    """Random per-block-scaled weights (materialize.py) for every LSTM, GRU and SimpleRNN of the model, the
    halves of a Bidirectional included, in get_weights() order (forward half first)."""
    from .materialize import random_weights
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        leaves = [layer.forward_layer, layer.backward_layer] if type(layer).__name__ == "Bidirectional" else [layer]
        for leaf in leaves:
            name = type(leaf).__name__
            if name not in ("LSTM", "GRU", "SimpleRNN"):
                continue
            cfg = leaf.get_config()
            leaf.set_weights(random_weights(rng, name, int(leaf.get_weights()[0].shape[0]), cfg, "scaled"))


def keras3_cell_models():
    """GRU and SimpleRNN model files (issue 12): a stacked GRU with both reset_after conventions, a
    Bidirectional GRU, and a SimpleRNN feeding a GRU."""
    import keras
    keras.utils.set_random_seed(SEED + 10)
    stacked = keras.Sequential([
        keras.Input(shape=(5, 3), name="x"),
        keras.layers.GRU(4, return_sequences=True, name="gru"),
        keras.layers.GRU(3, reset_after=False, name="gru_1"),
    ], name="stacked_gru")
    _scaled_cell_weights(stacked, SEED + 11)
    inp = keras.Input(shape=(6, 2), name="x")
    out = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True, name="gru"), name="bidirectional")(inp)
    bidi = keras.Model(inp, out, name="bidirectional_gru")
    _scaled_cell_weights(bidi, SEED + 12)
    srnn = keras.Sequential([
        keras.Input(shape=(4, 3), name="x"),
        keras.layers.SimpleRNN(4, return_sequences=True, name="simple_rnn"),
        keras.layers.GRU(2, name="gru"),
    ], name="simple_rnn_gru")
    _scaled_cell_weights(srnn, SEED + 13)
    return [("keras3-stacked-gru.keras", stacked, (2, 5, 3)), ("keras3-bidirectional-gru.keras", bidi, (2, 6, 2)),
            ("keras3-simple-rnn-gru.keras", srnn, (2, 4, 3))]


def tf_keras_cell_models():
    """tf-keras .h5 files: GRU (reset_after=True) feeding tf.compat.v1's GRU (hard_sigmoid, reset_after=False),
    a Bidirectional GRU, and a stacked SimpleRNN."""
    import tf_keras
    from tf_keras.api._v1.keras import layers as v1_layers
    tf_keras.utils.set_random_seed(SEED + 10)
    stacked = tf_keras.Sequential([
        tf_keras.layers.GRU(4, return_sequences=True, input_shape=(5, 3), name="gru"),
        v1_layers.GRU(3, name="gru_1"),
    ], name="stacked_gru")
    _scaled_cell_weights(stacked, SEED + 14)
    inp = tf_keras.Input(shape=(6, 2), name="x")
    out = tf_keras.layers.Bidirectional(tf_keras.layers.GRU(3, return_sequences=True, name="gru"), name="bidirectional")(inp)
    bidi = tf_keras.Model(inp, out, name="bidirectional_gru")
    _scaled_cell_weights(bidi, SEED + 15)
    srnn = tf_keras.Sequential([
        tf_keras.layers.SimpleRNN(4, return_sequences=True, input_shape=(4, 3), name="simple_rnn"),
        tf_keras.layers.SimpleRNN(3, name="simple_rnn_1"),
    ], name="stacked_simple_rnn")
    _scaled_cell_weights(srnn, SEED + 16)
    return [("tf-keras-stacked-gru.h5", stacked, (2, 5, 3)), ("tf-keras-bidirectional-gru.h5", bidi, (2, 6, 2)),
            ("tf-keras-stacked-simple-rnn.h5", srnn, (2, 4, 3))]


def _load(path: str):
    if path.endswith(".h5"):
        import tf_keras
        return tf_keras.models.load_model(path, compile=False)
    import keras
    return keras.saving.load_model(path, compile=False)


def _outputs(model, x: np.ndarray) -> list[np.ndarray]:
    y = model(x)
    ys = list(y) if isinstance(y, (list, tuple)) else [y]
    return [np.asarray(v.numpy() if hasattr(v, "numpy") else v, np.float32) for v in ys]


def _same(model_a, model_b, x: np.ndarray) -> bool:
    wa, wb = model_a.get_weights(), model_b.get_weights()
    if len(wa) != len(wb) or any(a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(wa, wb)):
        return False
    oa, ob = _outputs(model_a, x), _outputs(model_b, x)
    return all(np.array_equal(a, b) for a, b in zip(oa, ob))


def _recurrent_layers(model) -> list[dict]:
    out = []
    for layer in model.layers:
        name = type(layer).__name__
        if name in ("LSTM", "Bidirectional", "GRU", "SimpleRNN"):
            out.append({"name": layer.name, "class_name": name, "config": encode.to_plain(layer.get_config())})
    return out


def model_entries(root: str, write: bool) -> tuple[list[dict], list[str]]:
    entries, log = [], []
    # LSTM files first, in their original order (models.json keeps its earlier entries where they were)
    models = ([("keras", m) for m in keras3_models()] + [("tf_keras", m) for m in tf_keras_models()]
              + [("keras", m) for m in keras3_cell_models()] + [("tf_keras", m) for m in tf_keras_cell_models()])
    for package, (fname, model, shape) in models:
        path = os.path.join(root, fname)
        x = _inputs(shape)
        if write:
            keep = os.path.exists(path) and _same(_load(path), model, x)
            if not keep:
                os.makedirs(root, exist_ok=True)
                model.save(path) if fname.endswith(".keras") else model.save(path, save_format="h5")
            log.append(f"models/{fname} ({'kept: same content' if keep else 'written'})")
        # The suite's own model-file check (model_safety.py) must accept every shipped file as code-free.
        from .model_safety import code_in_config, known_classes, read_config
        problems = code_in_config(read_config(path), known_classes(package))
        if problems:
            from .run import GenerationError
            raise GenerationError(f"models/{fname}: model_safety.py refuses it: {'; '.join(problems)}")
        loaded = _load(path)
        outputs = _outputs(loaded, x)
        with open(path, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        entries.append({
            "path": fname, "sha256": sha, "keras_package": package,
            "format": "keras" if fname.endswith(".keras") else "h5",
            "model_class": type(loaded).__name__,
            "recurrent_layers": _recurrent_layers(loaded),
            "input": encode.float_tensor(x),
            "outputs": [encode.float_tensor(o) for o in outputs],
        })
    return entries, log


def models_json_text(entries: list[dict]) -> str:
    doc = {"format_version": 1,
           "description": "Model files saved by Keras 3.15.1 (.keras) and tf-keras 2.21 (.h5), with an input and the outputs Keras computed after loading them.",
           "models": entries}
    return encode.dumps_file(doc, "models")


def _existing_entries(root: str) -> dict[str, tuple[dict, str]]:
    """models.json as written (one model per line, encode.dumps_file): path -> (entry, its exact text)."""
    import json
    path = os.path.join(root, "models.json")
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = line.rstrip("\n").rstrip(",")
            if text.startswith('{"path":'):
                entry = json.loads(text)
                out[entry["path"]] = (entry, text)
    return out


def _keep_entry(old: dict, new: dict) -> bool:
    """An unchanged file keeps its entry when the outputs recomputed here agree within the regeneration noise
    bound of spec/tolerance.md §6 (another CPU may round the last bits differently), as `verify` accepts it."""
    import json
    from .verify import Diff, compare_json
    if old.get("sha256") != new["sha256"]:
        return False
    d = Diff()
    compare_json(json.loads(encode.dumps(new)), old, "", d)
    return not d.exact


def write_models(root: str) -> list[str]:
    existing = _existing_entries(root)
    entries, log = model_entries(root, write=True)
    kept = []
    for e in entries:
        old = existing.get(e["path"])
        kept.append(encode.RawJson(old[1]) if old is not None and _keep_entry(old[0], e) else e)
    with open(os.path.join(root, "models.json"), "w", encoding="utf-8") as f:
        f.write(models_json_text(kept))
    return log + ["models/models.json"]
