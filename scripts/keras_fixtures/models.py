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
    for package, (fname, model, shape) in [("keras", m) for m in keras3_models()] + [("tf_keras", m) for m in tf_keras_models()]:
        path = os.path.join(root, fname)
        x = _inputs(shape)
        if write:
            keep = os.path.exists(path) and _same(_load(path), model, x)
            if not keep:
                os.makedirs(root, exist_ok=True)
                model.save(path) if fname.endswith(".keras") else model.save(path, save_format="h5")
            log.append(f"models/{fname} ({'kept: same content' if keep else 'written'})")
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


def write_models(root: str) -> list[str]:
    entries, log = model_entries(root, write=True)
    with open(os.path.join(root, "models.json"), "w", encoding="utf-8") as f:
        f.write(models_json_text(entries))
    return log + ["models/models.json"]
