"""Run a case spec on real Keras (the backend fixed at import) and step the layer's own cell.

spec/fixture-format.md §3.2: outputs exactly as the model returned them; `steps` from the layer's own
cell (LSTMCell, GRUCell, SimpleRNNCell) stepped in processing order, a masked step holding the previous state.
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


# Keras's automatic layer names (snake_case of the class name, then _1, _2, ... per class).
LAYER_NAMES = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}


def _layer_class(km, l: dict):
    """The Keras class of a case layer. `"api": "v1"` (tf_keras only): tf-keras's tf.compat.v1.keras.layers
    class (tf_keras.api._v1.keras.layers), whose defaults differ (spec/gru.md); the fixture keeps its config."""
    if l.get("api") == "v1":
        if km.__name__ != "tf_keras":
            raise GenerationError('"api": "v1" layers exist only in tf_keras')
        from tf_keras.api._v1.keras import layers as v1_layers
        return getattr(v1_layers, l["class_name"])
    return getattr(km.layers, l["class_name"])


def _is_recurrent(km, layer) -> bool:
    return isinstance(layer, km.layers.RNN)


def _auto_name(counts: dict, base: str) -> str:
    n = counts.get(base, 0)
    counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def _make_layers(km, spec: dict, zero_init: bool) -> list:
    layers, counts = [], {}
    for idx, l in enumerate(spec["layers"]):
        cfg = dict(l["config"])
        if l["class_name"] == "Masking":
            layers.append(km.layers.Masking(name="masking", **cfg))
            continue
        if l["class_name"] == "Bidirectional":
            # spec/bidirectional.md §1: Keras clones the wrapped layer (and, without backward_layer, a
            # go_backwards copy of it); the names follow Keras's automatic ones (bidirectional, forward_lstm, ...)
            inner = [_recurrent_layer(km, spec, idx, sub, _auto_name(counts, LAYER_NAMES[sub["class_name"]]), zero_init)
                     for sub in (l["layer"], l.get("backward_layer")) if sub is not None]
            layers.append(km.layers.Bidirectional(inner[0], backward_layer=inner[1] if len(inner) > 1 else None,
                                                  name=_auto_name(counts, "bidirectional"), **cfg))
            continue
        layers.append(_recurrent_layer(km, spec, idx, l, _auto_name(counts, LAYER_NAMES[l["class_name"]]), zero_init))
    return layers


def _recurrent_layer(km, spec: dict, idx: int, l: dict, name: str, zero_init: bool):
    cfg = dict(l["config"])
    if l.get("weights", "scaled") == "keras":
        s = int(spec["seed"]) * 10 + idx * 3
        cfg["kernel_initializer"] = _seeded_initializer(km, cfg.get("kernel_initializer", "glorot_uniform"), s)
        cfg["recurrent_initializer"] = _seeded_initializer(km, cfg.get("recurrent_initializer", "orthogonal"), s + 1)
        cfg["bias_initializer"] = _seeded_initializer(km, cfg.get("bias_initializer", "zeros"), s + 2)
    if zero_init:
        # weights are set right after build: skip the costly random/orthogonal draws (second backend)
        cfg.update(kernel_initializer="zeros", recurrent_initializer="zeros", bias_initializer="zeros")
    return _layer_class(km, l)(name=name, **cfg)


def _keras_mask(t: object) -> np.ndarray | None:
    m = getattr(t, "_keras_mask", None)
    if m is None:
        try:
            from keras.src import backend as kb  # Keras 3 keeps masks outside some tensor types
            m = kb.get_keras_mask(t)
        except Exception:  # noqa: BLE001 - tf_keras or no mask support: no mask
            m = None
    return None if m is None else _np(m).astype(bool)


def step_cell(km_is_tf_keras: bool, cell, seq: np.ndarray, mask: np.ndarray | None, states0: list[np.ndarray],
              go_backwards: bool) -> list[np.ndarray]:
    """Every state after every step, in processing order, from the layer's own cell: [h, c] for an LSTMCell,
    [h] for a GRUCell or SimpleRNNCell, each (B, T, units). A masked step keeps the previous states."""
    B, T, _ = seq.shape
    order = range(T - 1, -1, -1) if go_backwards else range(T)
    states = [s.astype(np.float32) for s in states0]
    per_step: list[list[np.ndarray]] = [[] for _ in states]
    if km_is_tf_keras:
        import tensorflow as tf
        conv = tf.constant
    else:
        conv = lambda a: a  # noqa: E731 - Keras 3 cells take numpy arrays on every backend
    for t in order:
        _, new_states = _cell_call(cell, conv(seq[:, t]), [conv(s) for s in states])
        new_states = [_np(s).astype(np.float32) for s in new_states]
        if len(new_states) != len(states):
            raise GenerationError(f"the cell returned {len(new_states)} states, not {len(states)}")
        if mask is not None:
            keep = mask[:, t][:, None]
            new_states = [np.where(keep, n, o) for n, o in zip(new_states, states)]
        states = new_states
        for acc, s_ in zip(per_step, states):
            acc.append(s_)
    return [np.stack(acc, axis=1) for acc in per_step]


def state_names(layer) -> tuple[str, ...]:
    """The names of a recurrent layer's states, in Keras's order: LSTM [h, c], GRU and SimpleRNN [h]."""
    size = layer.cell.state_size
    n = len(size) if isinstance(size, (list, tuple)) else 1
    if n not in (1, 2):
        raise GenerationError(f"{type(layer).__name__}: {n} states; only LSTM (2), GRU and SimpleRNN (1) are supported")
    return ("h", "c")[:n]


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
        if _is_recurrent(km, layer):
            layer.build((B, T, in_dim))
            out.append([np.asarray(w, np.float32) for w in layer.get_weights()])
            in_dim = layer.cell.units
        else:
            out.append(None)
    return out


def _initial_states(spec: dict, li: int, layer, given: list | None, B: int) -> list[np.ndarray]:
    """The states a recurrent (sub-)layer starts a call from: given, carried by a stateful layer, or zeros."""
    names = state_names(layer)
    if given is not None:
        if len(given) != len(names):
            raise GenerationError(f"{spec['id']}: initial_state has {len(given)} tensors, the layer {len(names)} states")
        return list(given)
    if layer.stateful and getattr(layer, "states", None) is not None:
        return [_np(s) for s in layer.states]
    return [np.zeros((B, layer.cell.units), np.float32) for _ in names]


def step_and_check(is_tf_keras: bool, spec: dict, label: str, layer, seq_in: np.ndarray, in_mask: np.ndarray | None,
                   states0: list[np.ndarray], returned: list | None) -> dict:
    """Step a recurrent layer's own cell (spec/fixture-format.md §3.2) and check its last step against the
    states Keras returned (`returned`, with return_state) and those a stateful layer stored."""
    names = state_names(layer)
    stepped_all = step_cell(is_tf_keras, layer.cell, seq_in, in_mask, states0, layer.go_backwards)
    if returned is not None:
        if len(returned) != len(names):
            raise GenerationError(f"{spec['id']}: {label} returned {len(returned)} states, expected {len(names)}")
        for name, stepped, got in zip(names, (s[:, -1] for s in stepped_all), returned):
            diff = float(np.max(np.abs(stepped - _np(got)))) if stepped.size else 0.0
            if not diff <= STEP_CHECK_ATOL:
                raise GenerationError(f"{spec['id']}: {label}: stepped cell's last {name} differs from the "
                                      f"returned state by {diff:g} (> {STEP_CHECK_ATOL:g})")
    if layer.stateful and getattr(layer, "states", None) is not None:
        for name, stepped, held in zip(names, (s[:, -1] for s in stepped_all), layer.states):
            diff = float(np.max(np.abs(stepped - _np(held))))
            if not diff <= STEP_CHECK_ATOL:
                raise GenerationError(f"{spec['id']}: {label}: stepped cell's last {name} differs from the "
                                      f"layer's stored state by {diff:g}")
    return dict(zip(names, stepped_all))


def run_case(km, spec: dict, mats: dict, zero_init: bool = False) -> dict:
    """Build the model, set the weights, run every call. Returns numpy arrays only."""
    from . import bidirectional
    is_tf_keras = km.__name__ == "tf_keras"
    km.utils.set_random_seed(int(spec["seed"]))
    layers = _make_layers(km, spec, zero_init)
    B, T, D = spec["shape"]
    in_dim = D
    weights_out: list = []
    configs: list = []
    for layer, given in zip(layers, mats["weights"]):
        if bidirectional.is_bidirectional(km, layer):
            ws, in_dim = bidirectional.build(spec, layer, (B, T, in_dim), given)
            weights_out.append(ws)
            configs.append(bidirectional.configs(layer))
            continue
        if _is_recurrent(km, layer):
            layer.build((B, T, in_dim))
            if given is not None:
                layer.set_weights([np.asarray(w, np.float32) for w in given])
            weights_out.append([np.asarray(w, np.float32) for w in layer.get_weights()])
            in_dim = layer.cell.units
        else:
            weights_out.append(None)
        configs.append(layer.get_config())
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
            bidi = bidirectional.is_bidirectional(km, layer)
            if not bidi and not _is_recurrent(km, layer):
                cur = layer(cur)
                continue
            kwargs = {}
            in_mask = _keras_mask(cur)
            given = None
            if first and "mask" in call:
                kwargs["mask"] = conv(call["mask"])
                in_mask = call["mask"]
            if first and "initial_state" in call:
                kwargs["initial_state"] = [conv(a) for a in call["initial_state"]]
                given = list(call["initial_state"])
                if "mask" not in call and not is_tf_keras:
                    # Keras 3.15.1 Layer.__call__ (layers/layer.py, "Populate mask argument(s)") fills `mask`
                    # from the input's attached mask only when the call has exactly one tensor argument;
                    # with initial_state tensors it does not, so a Masking layer's mask is dropped.
                    in_mask = None
            seq_in = _np(cur).astype(np.float32)
            if bidi:
                out, records = bidirectional.call(is_tf_keras, spec, li, layer, cur, kwargs, seq_in, in_mask, given, B)
                steps.extend(records)
                cur = out[0]
                first = False
                continue
            states0 = _initial_states(spec, li, layer, given, B)
            out = layer(cur, **kwargs)
            out_list = list(out) if isinstance(out, (list, tuple)) else [out]
            names = state_names(layer)
            if layer.return_state and len(out_list) != 1 + len(names):
                raise GenerationError(f"{spec['id']}: layer {li} returned {len(out_list)} tensors, expected 1 + {len(names)} states")
            steps.append({"layer": li, **step_and_check(is_tf_keras, spec, f"layer {li}", layer, seq_in, in_mask, states0,
                                                        out_list[1:] if layer.return_state else None)})
            cur = out_list[0]
            first = False
        outputs = [_np(o).astype(np.float32) for o in (list(out) if isinstance(out, (list, tuple)) else [out])]
        for o in outputs + [s[k] for s in steps for k in ("h", "c") if k in s]:
            if not np.all(np.isfinite(o)):
                raise GenerationError(f"{spec['id']}: Keras produced NaN or infinity; the case is refused")
        calls_out.append({"outputs": outputs, "steps": steps})
    return {"configs": configs, "weights": weights_out, "calls": calls_out}
