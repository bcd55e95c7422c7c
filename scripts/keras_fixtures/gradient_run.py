"""Run a gradient case on real Keras (the backend fixed at import): spec/gradients.md §2, §4.

Per call n, the scalar L_n = sum_k <cotangent_k, output_k> over every tensor the model returned, and its
gradient w.r.t. every recurrent layer's weights (get_weights() order), the call's x and — when the first
recurrent layer starts from a given or carried state — that state. TensorFlow: `tf.GradientTape` over the
eager call (canonical). JAX: `jax.vjp` of the same calls made stateless (`keras.StatelessScope` maps the
layers' variables to traced values). The model is called layer by layer as the forward generator does
(run.py): the first recurrent layer gets `mask=` and `initial_state=`, Keras propagates the rest.
"""
from __future__ import annotations

import os

import numpy as np

from .materialize import RECURRENT
from .run import GenerationError, _is_recurrent, _make_layers, state_names


def _state_count(class_name: str) -> int:
    return 2 if class_name == "LSTM" else 1


def output_shapes(spec: dict) -> list[tuple[int, ...]]:
    """What the model returns (spec/lstm.md §3.2): the last recurrent layer's [output] or [output, *states]."""
    B, T, _ = spec["shape"]
    last = [l for l in spec["layers"] if l["class_name"] in RECURRENT][-1]
    cfg = last["config"]
    u = int(cfg["units"])
    shapes: list[tuple[int, ...]] = [(B, T, u) if cfg.get("return_sequences") else (B, u)]
    if cfg.get("return_state"):
        shapes += [(B, u)] * _state_count(last["class_name"])
    return shapes


def draw_cotangents(spec: dict) -> list[list[np.ndarray]]:
    """spec/gradients.md §2.1: standard normal float32, one per returned tensor and call, from the case's own
    seed stream [seed, 1] (independent of the weights and inputs materialize.py draws from seed)."""
    rng = np.random.default_rng([int(spec["seed"]), 1])
    return [[rng.standard_normal(s).astype(np.float32) for s in output_shapes(spec)] for _ in range(spec.get("calls", 1))]


def _forward(km, layers: list, x, call: dict, initial_state):
    out_list: list = []
    cur, first = x, True
    for layer in layers:
        if not _is_recurrent(km, layer):
            cur = layer(cur)
            continue
        kwargs = {}
        if first and "mask" in call:
            kwargs["mask"] = call["mask"]
        if first and initial_state is not None:
            kwargs["initial_state"] = list(initial_state)
        out = layer(cur, **kwargs)
        out_list = list(out) if isinstance(out, (list, tuple)) else [out]
        cur, first = out_list[0], False
    return out_list


def _build(km, spec: dict, mats: dict, zero_init: bool) -> tuple[list, list]:
    km.utils.set_random_seed(int(spec["seed"]))
    layers = _make_layers(km, spec, zero_init)
    B, T, D = spec["shape"]
    in_dim, weights_out = D, []
    for layer, given in zip(layers, mats["weights"]):
        if _is_recurrent(km, layer):
            layer.build((B, T, in_dim))
            if given is not None:
                layer.set_weights([np.asarray(w, np.float32) for w in given])
            weights_out.append([np.asarray(w, np.float32) for w in layer.get_weights()])
            if len(layer.trainable_weights) != len(weights_out[-1]):
                raise GenerationError(f"{spec['id']}: trainable_weights and get_weights() differ in length")
            in_dim = layer.cell.units
        else:
            weights_out.append(None)
    return layers, weights_out


def run_gradients(km, spec: dict, mats: dict, cotangents: list[list[np.ndarray]], zero_init: bool = False) -> dict:
    """{configs, weights, calls: [{outputs, layers: {index: [grad per weight]}, x, initial_state|None}]}, numpy only."""
    layers, weights_out = _build(km, spec, mats, zero_init)
    rec = [(li, l) for li, l in enumerate(layers) if _is_recurrent(km, l)]
    first = rec[0][1]
    stateful = [l for _, l in rec if l.stateful]
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    calls_out = []
    for n, call in enumerate(mats["calls"]):
        given = call.get("initial_state")
        if given is not None and len(given) != len(state_names(first)):
            raise GenerationError(f"{spec['id']}: initial_state has {len(given)} tensors, the layer {len(state_names(first))} states")
        # spec/gradients.md §3.4: a stateful first layer's carried state is this call's input, differentiated.
        carried = given is None and first.stateful
        step = _tf_call if backend == "tensorflow" else _jax_call
        out = step(km, layers, rec, first, stateful, call, cotangents[n], carried)
        for name, arrays in [("outputs", out["outputs"]), ("x", [out["x"]]), ("initial_state", out["initial_state"] or []),
                             *[(f"layer {li}", g) for li, g in out["layers"].items()]]:
            for a in arrays:
                if not np.all(np.isfinite(a)):
                    raise GenerationError(f"{spec['id']}: Keras produced NaN or infinity in {name} of call {n}; the case is refused")
        calls_out.append(out)
    return {"configs": [l.get_config() for l in layers], "weights": weights_out, "calls": calls_out}


def _f32(t) -> np.ndarray:
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t, np.float32)


def _tf_call(km, layers, rec, first, stateful, call, cots, carried) -> dict:
    import tensorflow as tf
    x = tf.constant(call["x"])
    given = [tf.constant(s) for s in call["initial_state"]] if "initial_state" in call else None
    state_vars = [v.value for v in first.states] if carried else []
    weight_vars = [v.value for _, l in rec for v in l.trainable_weights]
    with tf.GradientTape() as tape:
        tape.watch(x)
        for s in (given or state_vars):
            tape.watch(s)
        outs = _forward(km, layers, x, call, given)
        if len(outs) != len(cots):
            raise GenerationError(f"the model returned {len(outs)} tensors, {len(cots)} cotangents were drawn")
        loss = tf.add_n([tf.reduce_sum(o * tf.constant(c)) for o, c in zip(outs, cots)])
    sources = weight_vars + [x] + (given or state_vars)
    grads = tape.gradient(loss, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return _split(rec, [_f32(o) for o in outs], [_f32(g) for g in grads], given is not None or carried)


def _jax_call(km, layers, rec, first, stateful, call, cots, carried) -> dict:
    import jax
    import jax.numpy as jnp
    weight_vars = [v for _, l in rec for v in l.trainable_weights]
    all_state_vars = [v for l in stateful for v in l.states]
    first_state_vars = list(first.states) if carried else []
    given = "initial_state" in call

    def f(wvals, x, s0):
        mapping = list(zip(weight_vars, wvals))
        mapping += list(zip(first_state_vars, s0)) if carried else []
        mapping += [(v, jnp.asarray(v.value)) for v in all_state_vars if not any(v is w for w in first_state_vars)]
        with km.StatelessScope(state_mapping=mapping) as scope:
            outs = _forward(km, layers, x, call, s0 if given else None)
            new_states = [scope.get_current_value(v) for v in all_state_vars]
        return outs, new_states

    s0 = [jnp.asarray(s) for s in call["initial_state"]] if given else [jnp.asarray(v.value) for v in first_state_vars]
    outs, vjp, new_states = jax.vjp(f, [jnp.asarray(v.value) for v in weight_vars], jnp.asarray(call["x"]), s0, has_aux=True)
    if len(outs) != len(cots):
        raise GenerationError(f"the model returned {len(outs)} tensors, {len(cots)} cotangents were drawn")
    dw, dx, ds0 = vjp([jnp.asarray(c) for c in cots])
    for v, value in zip(all_state_vars, new_states):  # what the stateful layers carry to the next call
        if value is not None:
            v.assign(value)
    return _split(rec, [_f32(o) for o in outs], [_f32(g) for g in [*dw, dx, *ds0]], given or carried)


def _split(rec, outputs: list[np.ndarray], grads: list[np.ndarray], with_state: bool) -> dict:
    layers, k = {}, 0
    for li, l in rec:
        n = len(l.trainable_weights)
        layers[li] = grads[k:k + n]
        k += n
    return {"outputs": outputs, "layers": layers, "x": grads[k], "initial_state": grads[k + 1:] if with_state else None}
