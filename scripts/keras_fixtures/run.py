"""Run a case spec on real Keras (the backend fixed at import) and step the layer's own cell.

spec/fixture-format.md §3.2: outputs exactly as the model returned them; `steps` from the layer's own
LSTMCell stepped in processing order, a masked step holding the previous state.
"""
from __future__ import annotations

import os

import numpy as np

STEP_CHECK_ATOL = 1e-6  # issue 2: the last step must equal the returned state within 1e-6


class GenerationError(Exception):
    """A case could not be generated faithfully (refused, never written)."""


def _np(t: object) -> np.ndarray:
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


def _seeded_initializer(km, ident: object, seed: int):
    init = km.initializers.get(ident)
    cfg = init.get_config()
    if "seed" in cfg:
        cfg["seed"] = seed
        init = init.__class__.from_config(cfg)
    return init


def _make_layers(km, spec: dict, zero_init: bool) -> list:
    layers, n_lstm = [], 0
    for idx, l in enumerate(spec["layers"]):
        cfg = dict(l["config"])
        if l["class_name"] == "Masking":
            layers.append(km.layers.Masking(name="masking", **cfg))
            continue
        name = "lstm" if n_lstm == 0 else f"lstm_{n_lstm}"
        n_lstm += 1
        if l.get("weights", "scaled") == "keras":
            s = int(spec["seed"]) * 10 + idx * 3
            cfg["kernel_initializer"] = _seeded_initializer(km, cfg.get("kernel_initializer", "glorot_uniform"), s)
            cfg["recurrent_initializer"] = _seeded_initializer(km, cfg.get("recurrent_initializer", "orthogonal"), s + 1)
            cfg["bias_initializer"] = _seeded_initializer(km, cfg.get("bias_initializer", "zeros"), s + 2)
        if zero_init:
            # weights are set right after build: skip the costly random/orthogonal draws (second backend)
            cfg.update(kernel_initializer="zeros", recurrent_initializer="zeros", bias_initializer="zeros")
        layers.append(km.layers.LSTM(name=name, **cfg))
    return layers


def _keras_mask(t: object) -> np.ndarray | None:
    m = getattr(t, "_keras_mask", None)
    if m is None:
        try:
            from keras.src import backend as kb  # Keras 3 keeps masks outside some tensor types
            m = kb.get_keras_mask(t)
        except Exception:  # noqa: BLE001 - tf_keras or no mask support: no mask
            m = None
    return None if m is None else _np(m).astype(bool)


def step_cell(km_is_tf_keras: bool, cell, seq: np.ndarray, mask: np.ndarray | None, h0: np.ndarray,
              c0: np.ndarray, go_backwards: bool) -> tuple[np.ndarray, np.ndarray]:
    """h and c after every step, in processing order, from the layer's own cell."""
    B, T, _ = seq.shape
    order = range(T - 1, -1, -1) if go_backwards else range(T)
    h, c = h0.astype(np.float32), c0.astype(np.float32)
    hs, cs = [], []
    if km_is_tf_keras:
        import tensorflow as tf
        conv = tf.constant
    else:
        conv = lambda a: a  # noqa: E731 - Keras 3 cells take numpy arrays on every backend
    for t in order:
        _, (h_new, c_new) = _cell_call(cell, conv(seq[:, t]), [conv(h), conv(c)])
        h_new, c_new = _np(h_new).astype(np.float32), _np(c_new).astype(np.float32)
        if mask is not None:
            keep = mask[:, t][:, None]
            h_new, c_new = np.where(keep, h_new, h), np.where(keep, c_new, c)
        h, c = h_new, c_new
        hs.append(h)
        cs.append(c)
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


def _cell_call(cell, x, states):
    if os.environ.get("KERAS_BACKEND") == "jax":
        import jax
        # op by op: compiling a fresh XLA program per shape costs seconds per case on the JAX backend
        with jax.disable_jit():
            return cell(x, states)
    return cell(x, states)


def initial_weights(km, spec: dict) -> list:
    """The weights the case's layers are built with (for the 'keras' scheme: the seeded initialisers)."""
    km.utils.set_random_seed(int(spec["seed"]))
    layers = _make_layers(km, spec, zero_init=False)
    B, T, D = spec["shape"]
    in_dim, out = D, []
    for layer in layers:
        if isinstance(layer, km.layers.LSTM):
            layer.build((B, T, in_dim))
            out.append([np.asarray(w, np.float32) for w in layer.get_weights()])
            in_dim = layer.cell.units
        else:
            out.append(None)
    return out


def run_case(km, spec: dict, mats: dict, zero_init: bool = False) -> dict:
    """Build the model, set the weights, run every call. Returns numpy arrays only."""
    is_tf_keras = km.__name__ == "tf_keras"
    km.utils.set_random_seed(int(spec["seed"]))
    layers = _make_layers(km, spec, zero_init)
    B, T, D = spec["shape"]
    in_dim = D
    weights_out: list = []
    for layer, given in zip(layers, mats["weights"]):
        if isinstance(layer, km.layers.LSTM):
            layer.build((B, T, in_dim))
            if given is not None:
                layer.set_weights([np.asarray(w, np.float32) for w in given])
            weights_out.append([np.asarray(w, np.float32) for w in layer.get_weights()])
            in_dim = layer.cell.units
        else:
            weights_out.append(None)
    configs = [layer.get_config() for layer in layers]
    calls_out = []
    if is_tf_keras:
        import tensorflow as tf
        conv = tf.constant  # tf_keras refuses numpy arrays as initial_state
    else:
        conv = lambda a: a  # noqa: E731
    for call in mats["calls"]:
        cur = conv(call["x"])
        first = True
        steps = []
        out = None
        for li, layer in enumerate(layers):
            if not isinstance(layer, km.layers.LSTM):
                cur = layer(cur)
                continue
            kwargs = {}
            in_mask = _keras_mask(cur)
            units = layer.cell.units
            if first and "mask" in call:
                kwargs["mask"] = conv(call["mask"])
                in_mask = call["mask"]
            if first and "initial_state" in call:
                kwargs["initial_state"] = [conv(a) for a in call["initial_state"]]
                h0, c0 = call["initial_state"]
                if "mask" not in call and not is_tf_keras:
                    # Keras 3.15.1 Layer.__call__ (layers/layer.py, "Populate mask argument(s)") fills `mask`
                    # from the input's attached mask only when the call has exactly one tensor argument;
                    # with initial_state tensors it does not, so a Masking layer's mask is dropped.
                    in_mask = None
            elif layer.stateful and getattr(layer, "states", None) is not None:
                h0, c0 = (_np(s) for s in layer.states)
            else:
                h0 = c0 = np.zeros((B, units), np.float32)
            seq_in = _np(cur).astype(np.float32)
            out = layer(cur, **kwargs)
            out_list = list(out) if isinstance(out, (list, tuple)) else [out]
            hs, cs = step_cell(is_tf_keras, layer.cell, seq_in, in_mask, h0, c0, layer.go_backwards)
            if layer.return_state:
                for name, stepped, returned in (("h", hs[:, -1], out_list[1]), ("c", cs[:, -1], out_list[2])):
                    diff = float(np.max(np.abs(stepped - _np(returned)))) if stepped.size else 0.0
                    if not diff <= STEP_CHECK_ATOL:
                        raise GenerationError(f"{spec['id']}: layer {li}: stepped cell's last {name} differs from the "
                                              f"returned state by {diff:g} (> {STEP_CHECK_ATOL:g})")
            if layer.stateful and getattr(layer, "states", None) is not None:
                for name, stepped, held in (("h", hs[:, -1], layer.states[0]), ("c", cs[:, -1], layer.states[1])):
                    diff = float(np.max(np.abs(stepped - _np(held))))
                    if not diff <= STEP_CHECK_ATOL:
                        raise GenerationError(f"{spec['id']}: layer {li}: stepped cell's last {name} differs from the "
                                              f"layer's stored state by {diff:g}")
            steps.append({"layer": li, "h": hs, "c": cs})
            cur = out_list[0]
            first = False
        outputs = [_np(o).astype(np.float32) for o in (list(out) if isinstance(out, (list, tuple)) else [out])]
        for o in outputs + [s[k] for s in steps for k in ("h", "c")]:
            if not np.all(np.isfinite(o)):
                raise GenerationError(f"{spec['id']}: Keras produced NaN or infinity; the case is refused")
        calls_out.append({"outputs": outputs, "steps": steps})
    return {"configs": configs, "weights": weights_out, "calls": calls_out}
