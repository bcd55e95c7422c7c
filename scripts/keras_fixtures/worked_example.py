"""fixtures/keras3/worked-example.json: every intermediate of the worked example, by Keras ops.

Not a fixture family (no schema): per step t, z (pre-activations, gate order i, f, c, o), i, f, g, o, c, h,
computed with keras.ops.matmul and keras.activations on the layer's own weights; the generator asserts that
these h and c equal what the LSTM layer returned (spec/lstm.md worked example).
"""
from __future__ import annotations

import numpy as np

from . import encode
from .families import BASE_SEEDS, family_cases
from .pipeline import prepare, provenance
from .run import GenerationError, run_case

CHECK_ATOL = 1e-6


def worked_example_text() -> str:
    import keras
    from keras import ops

    spec = family_cases("worked_example")[0]
    mats = prepare([spec])[0]
    result = run_case(keras, spec, mats)
    kernel, recurrent, bias = (np.asarray(w) for w in result["weights"][0])
    cfg = result["configs"][0]
    act = keras.activations.get(cfg["activation"])
    ract = keras.activations.get(cfg["recurrent_activation"])
    u = int(cfg["units"])
    x = mats["calls"][0]["x"]
    h = np.zeros((1, u), np.float32)
    c = np.zeros((1, u), np.float32)
    steps = []
    for t in range(x.shape[1]):
        z = ops.add(ops.add(ops.matmul(x[:, t], kernel), ops.matmul(h, recurrent)), bias)
        zi, zf, zc, zo = (z[:, k * u:(k + 1) * u] for k in range(4))
        i, f, g, o = ract(zi), ract(zf), act(zc), ract(zo)
        c = ops.add(ops.multiply(f, c), ops.multiply(i, g))
        h = ops.multiply(o, act(c))
        named = {"z": z, "i": i, "f": f, "g": g, "o": o, "c": c, "h": h}
        steps.append({"t": t, **{k: encode.float_tensor(np.asarray(v)) for k, v in named.items()}})
        h, c = np.asarray(h), np.asarray(c)
    seq, h_out, c_out = result["calls"][0]["outputs"]
    for name, mine, keras_value in (("h", h, h_out), ("c", c, c_out)):
        if not np.max(np.abs(mine - keras_value)) <= CHECK_ATOL:
            raise GenerationError(f"worked example: {name} by Keras ops differs from the layer's output")
    doc = {
        "format": "keras-rnn-conformance worked example, version 1",
        "description": ("LSTM(2, return_sequences=True, return_state=True) on one sequence of 3 steps of 2 features; "
                        "per step: z = x_t W + h_{t-1} U + b (blocks i, f, c, o), i = sigma(z_i), f = sigma(z_f), "
                        "g = tanh(z_c), o = sigma(z_o), c_t = f c_{t-1} + i g, h_t = o tanh(c_t); computed with "
                        "keras.ops and keras.activations and checked against the layer's outputs."),
        "case_id": spec["id"],
        "provenance": provenance("keras", BASE_SEEDS["worked_example"], False),
        "config": encode.to_plain(cfg),
        "weights": [encode.float_tensor(w, n) for w, n in zip((kernel, recurrent, bias), ("kernel", "recurrent_kernel", "bias"))],
        "x": encode.float_tensor(x),
        "steps": steps,
        "outputs": [encode.float_tensor(o) for o in (seq, h_out, c_out)],
    }
    return encode.dumps_file(doc, "steps")
