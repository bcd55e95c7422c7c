"""Runs tf-keras's own weight conversions and TensorFlow 1.x's own recurrent cells on weights from
tfkeras-e2e.test.ts (spec/porting.md §14.3–§14.5, §15.4), so that the GRU and SimpleRNN converters are
checked against the code Keras users' files went through, not against a reading of it.

stdin: {
  "gru_to_cudnn": [{"id", "units", "weights": [kernel, recurrent_kernel, bias (2, 3u)]}],
  "cudnn_to_gru": [{"id", "units", "weights": [kernel, recurrent_kernel, bias (6u)]}],
  "keras1_gru":   [{"id", "units", "weights": [W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h]}],
  "tf1_gru":      [{"id", "units", "weights": [gates/kernel, gates/bias, candidate/kernel, candidate/bias], "x": (B, T, D)}],
  "tf1_rnn":      [{"id", "units", "weights": [kernel, bias], "x": (B, T, D)}]
}   every tensor {shape, data}
stdout: {"<key>": [{"id", "outputs": [tensor, ...]} | {"id", "error"}], "tf_keras": version}
- the conversions are tf_keras/saving/legacy/hdf5_format.py `preprocess_weights_for_loading` (which calls
  `_convert_rnn_weights`) with a real layer of the target class: GRU(reset_after=True), CuDNNGRU,
  GRU(reset_after=False) with original_keras_version "1";
- the cells are tf_keras/layers/rnn/legacy_cells.py `GRUCell` and `BasicRNNCell` (what
  tf.compat.v1.nn.rnn_cell names), stepped over x from a zero state; the outputs are every step's h, (B, T, u).
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402
from tf_keras.src.layers.rnn import legacy_cells  # noqa: E402
from tf_keras.src.layers.rnn.cudnn_gru import CuDNNGRU  # noqa: E402
from tf_keras.src.saving.legacy.hdf5_format import preprocess_weights_for_loading  # noqa: E402


def array(t):
    return np.asarray(t["data"], dtype=np.float32).reshape(t["shape"])


def encode(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def convert(entry, layer, version=None):
    return preprocess_weights_for_loading(layer, [array(w) for w in entry["weights"]], original_keras_version=version)


def run_cell(cell, entry):
    x = array(entry["x"])
    cell.build((None, x.shape[2]))
    cell.set_weights([array(w) for w in entry["weights"]])
    h = tf.zeros((x.shape[0], entry["units"]))
    steps = []
    for t in range(x.shape[1]):
        out, h = cell(tf.constant(x[:, t]), h)
        steps.append(out.numpy())
    return [np.stack(steps, axis=1)]


JOBS = {
    "gru_to_cudnn": lambda e: convert(e, CuDNNGRU(e["units"])),
    "cudnn_to_gru": lambda e: convert(e, tf_keras.layers.GRU(e["units"], reset_after=True)),
    "keras1_gru": lambda e: convert(e, tf_keras.layers.GRU(e["units"], reset_after=False), "1"),
    "tf1_gru": lambda e: run_cell(legacy_cells.GRUCell(e["units"]), e),
    "tf1_rnn": lambda e: run_cell(legacy_cells.BasicRNNCell(e["units"]), e),
}


def main():
    request = json.load(sys.stdin)
    response = {"tf_keras": tf_keras.__version__}
    for key, job in JOBS.items():
        results = []
        for entry in request.get(key, []):
            try:
                results.append({"id": entry["id"], "outputs": [encode(a) for a in job(entry)]})
            except Exception as e:  # reported per entry by the test, never swallowed
                results.append({"id": entry["id"], "error": f"{type(e).__name__}: {e}"})
        response[key] = results
    json.dump(response, sys.stdout)


if __name__ == "__main__":
    main()
