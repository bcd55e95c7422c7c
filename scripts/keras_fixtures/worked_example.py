"""fixtures/keras3/worked-example*.json: every intermediate of the worked examples, by Keras ops.

Not fixture families (no schema). LSTM (worked-example.json): per step t, z (pre-activations, gate order
i, f, c, o), i, f, g, o, c, h. GRU (worked-example-gru.json, reset_after=True; worked-example-gru-reset-before.json,
reset_after=False) and SimpleRNN (worked-example-simple-rnn.json): the intermediates of spec/gru.md §2 and
spec/simple-rnn.md §2. All computed with keras.ops.matmul and keras.activations on the layer's own weights;
the generator asserts that these states equal what the layer returned.
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


def _checked(name: str, mine: np.ndarray, keras_value: np.ndarray) -> None:
    if not np.max(np.abs(np.asarray(mine) - np.asarray(keras_value))) <= CHECK_ATOL:
        raise GenerationError(f"worked example: {name} by Keras ops differs from the layer's output")


def _run(family: str, index: int):
    spec = family_cases(family)[index]
    mats = prepare([spec])[0]
    import keras
    result = run_case(keras, spec, mats)
    return keras, spec, mats, result


def gru_worked_example_text(reset_after: bool = True) -> str:
    from keras import ops

    keras, spec, mats, result = _run("gru/worked_example", 0 if reset_after else 1)
    kernel, recurrent, bias = (np.asarray(w) for w in result["weights"][0])
    cfg = result["configs"][0]
    if bool(cfg["reset_after"]) != reset_after:
        raise GenerationError("worked example: the GRU case's reset_after is not the one asked for")
    act = keras.activations.get(cfg["activation"])
    ract = keras.activations.get(cfg["recurrent_activation"])
    u = int(cfg["units"])
    x = mats["calls"][0]["x"]
    h = np.zeros((1, u), np.float32)
    steps, hs = [], []
    for t in range(x.shape[1]):
        if reset_after:
            xw = ops.add(ops.matmul(x[:, t], kernel), bias[0])          # x_t W + b_in   (blocks z, r, h)
            hu = ops.add(ops.matmul(h, recurrent), bias[1])             # h U + b_rec    (blocks z, r, h)
            z = ract(ops.add(xw[:, :u], hu[:, :u]))
            r = ract(ops.add(xw[:, u:2 * u], hu[:, u:2 * u]))
            hh = act(ops.add(xw[:, 2 * u:], ops.multiply(r, hu[:, 2 * u:])))
            named = {"xw": xw, "hu": hu, "z": z, "r": r, "hh": hh}
        else:
            xw = ops.add(ops.matmul(x[:, t], kernel), bias)              # x_t W + b      (blocks z, r, h)
            hu_zr = ops.matmul(h, recurrent[:, :2 * u])                  # h U_z | h U_r
            z = ract(ops.add(xw[:, :u], hu_zr[:, :u]))
            r = ract(ops.add(xw[:, u:2 * u], hu_zr[:, u:]))
            rh = ops.multiply(r, h)
            rhu = ops.matmul(rh, recurrent[:, 2 * u:])
            hh = act(ops.add(xw[:, 2 * u:], rhu))
            named = {"xw": xw, "hu_zr": hu_zr, "z": z, "r": r, "rh": rh, "rhu": rhu, "hh": hh}
        h_new = ops.add(ops.multiply(z, h), ops.multiply(ops.subtract(1.0, z), hh))
        named["h"] = h_new
        steps.append({"t": t, **{k: encode.float_tensor(np.asarray(v)) for k, v in named.items()}})
        h = np.asarray(h_new)
        hs.append(h)
    seq, h_out = result["calls"][0]["outputs"]
    _checked("h", h, h_out)
    _checked("sequence", np.stack(hs, axis=1), seq)
    if reset_after:
        text = ("GRU(2, return_sequences=True, return_state=True), reset_after=True (the Keras 3 default), on one sequence "
                "of 3 steps of 2 features; per step: xw = x_t W + b[0] and hu = h_{t-1} U + b[1] (blocks z, r, h), "
                "z = sigma(xw_z + hu_z), r = sigma(xw_r + hu_r), hh = tanh(xw_h + r * hu_h), h_t = z * h_{t-1} + (1 - z) * hh; "
                "computed with keras.ops and keras.activations and checked against the layer's outputs.")
    else:
        text = ("GRU(2, reset_after=False, return_sequences=True, return_state=True) on one sequence of 3 steps of 2 "
                "features; per step: xw = x_t W + b (blocks z, r, h), hu_zr = h_{t-1} U[:, :2u], z = sigma(xw_z + hu_z), "
                "r = sigma(xw_r + hu_r), rh = r * h_{t-1}, rhu = rh U[:, 2u:], hh = tanh(xw_h + rhu), "
                "h_t = z * h_{t-1} + (1 - z) * hh; computed with keras.ops and keras.activations and checked against the "
                "layer's outputs.")
    names = ("kernel", "recurrent_kernel", "bias")
    doc = {
        "format": "keras-rnn-conformance worked example, version 1",
        "description": text,
        "case_id": spec["id"],
        "provenance": provenance("keras", BASE_SEEDS["gru/worked_example"], False),
        "config": encode.to_plain(cfg),
        "weights": [encode.float_tensor(w, n) for w, n in zip((kernel, recurrent, bias), names)],
        "x": encode.float_tensor(x),
        "steps": steps,
        "outputs": [encode.float_tensor(o) for o in (seq, h_out)],
    }
    return encode.dumps_file(doc, "steps")


def simple_rnn_worked_example_text() -> str:
    from keras import ops

    keras, spec, mats, result = _run("simple_rnn/worked_example", 0)
    kernel, recurrent, bias = (np.asarray(w) for w in result["weights"][0])
    cfg = result["configs"][0]
    act = keras.activations.get(cfg["activation"])
    u = int(cfg["units"])
    x = mats["calls"][0]["x"]
    h = np.zeros((1, u), np.float32)
    steps, hs = [], []
    for t in range(x.shape[1]):
        xw = ops.add(ops.matmul(x[:, t], kernel), bias)
        hu = ops.matmul(h, recurrent)
        a = ops.add(xw, hu)
        h_new = act(a)
        named = {"xw": xw, "hu": hu, "a": a, "h": h_new}
        steps.append({"t": t, **{k: encode.float_tensor(np.asarray(v)) for k, v in named.items()}})
        h = np.asarray(h_new)
        hs.append(h)
    seq, h_out = result["calls"][0]["outputs"]
    _checked("h", h, h_out)
    _checked("sequence", np.stack(hs, axis=1), seq)
    doc = {
        "format": "keras-rnn-conformance worked example, version 1",
        "description": ("SimpleRNN(2, return_sequences=True, return_state=True) on one sequence of 3 steps of 2 features; "
                        "per step: xw = x_t W + b, hu = h_{t-1} U, a = xw + hu, h_t = tanh(a); computed with keras.ops and "
                        "keras.activations and checked against the layer's outputs."),
        "case_id": spec["id"],
        "provenance": provenance("keras", BASE_SEEDS["simple_rnn/worked_example"], False),
        "config": encode.to_plain(cfg),
        "weights": [encode.float_tensor(w, n) for w, n in zip((kernel, recurrent, bias), ("kernel", "recurrent_kernel", "bias"))],
        "x": encode.float_tensor(x),
        "steps": steps,
        "outputs": [encode.float_tensor(o) for o in (seq, h_out)],
    }
    return encode.dumps_file(doc, "steps")


# file under fixtures/keras3/ -> (the family whose generation writes it, text maker)
WORKED_EXAMPLES = {
    "worked-example.json": ("worked_example", worked_example_text),
    "worked-example-gru.json": ("gru/worked_example", lambda: gru_worked_example_text(True)),
    "worked-example-gru-reset-before.json": ("gru/worked_example", lambda: gru_worked_example_text(False)),
    "worked-example-simple-rnn.json": ("simple_rnn/worked_example", simple_rnn_worked_example_text),
}
