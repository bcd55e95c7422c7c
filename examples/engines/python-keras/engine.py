"""Real Keras as a keras-rnn-conformance protocol engine (spec/adapter.md §8): each case's layers —
LSTM, GRU, SimpleRNN, mixed stacks, Masking, Bidirectional — are built by Keras itself from their get_config(), given
the case's weights with set_weights() and called eagerly; Keras composes the model (the mask passed
down, initial_state, stateful state). Cases of dialect "keras3" run on Keras 3 (backend from KERAS_BACKEND, default
tensorflow); cases of dialect "tf-keras" run on tf_keras, so one Keras can be checked against
another and the property suite against Keras rather than only the reference."""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402

if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    # Tiny matrices: thread pools only add overhead (and the suite may run engines side by side).
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)

sys.dont_write_bytecode = True  # no __pycache__ beside the examples
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from conformance_protocol import Unsupported, array_to_wire, serve  # noqa: E402

_tf_keras = None

RECURRENT = ("LSTM", "GRU", "SimpleRNN")


def keras_module(dialect: str):
    """The Keras package a dialect names (imported on first use: tf_keras costs seconds)."""
    global _tf_keras
    if dialect == "keras3":
        return keras
    if dialect == "tf-keras":
        if _tf_keras is None:
            import tf_keras
            _tf_keras = tf_keras
        return _tf_keras
    raise Unsupported(f"dialect {dialect!r}")


# Built layers, reused across cases with the same config and input size: building costs far more
# than set_weights (measured: see examples/engines/README.md).
_layers: dict = {}


def built_layer(dialect: str, position: int, layer, input_dim: int, batch: int):
    k = keras_module(dialect)
    stateful = bool(layer.config.get("stateful"))
    # The position is part of the key: two layers of one stack may share config and size, and each needs its own weights.
    key = (dialect, position, layer.class_name, json.dumps(layer.config, sort_keys=True), input_dim, batch if stateful else None)
    built = _layers.get(key)
    if built is None:
        cls = {"LSTM": k.layers.LSTM, "GRU": k.layers.GRU, "SimpleRNN": k.layers.SimpleRNN, "Masking": k.layers.Masking}.get(layer.class_name)
        if cls is None:
            raise Unsupported(f"layer class {layer.class_name}")
        built = cls.from_config(dict(layer.config))
        if layer.class_name in RECURRENT:
            built.build((batch if stateful else None, None, input_dim))
        _layers[key] = built
    return built


def built_bidirectional(dialect: str, position: int, layer, input_dim: int, batch: int):
    """keras.layers.Bidirectional (tf_keras's for tf-keras) of the case's two layers: the backward one is
    passed as backward_layer with the config Keras built it with (go_backwards forced in Keras 3, toggled
    in tf-keras; zero_output_for_mask as the wrapper set it), so Keras neither clones nor toggles again."""
    k = keras_module(dialect)
    f, b = layer.forward, layer.backward
    stateful = bool(f.config.get("stateful"))
    key = (dialect, position, "Bidirectional", json.dumps([layer.config, f.class_name, f.config, b.class_name, b.config], sort_keys=True),
           input_dim, batch if stateful else None)
    built = _layers.get(key)
    if built is None:
        if dialect == "keras3" and stateful and f.config.get("return_state"):
            # Bidirectional.compute_mask multiplies a generator by 2 when the layer has states (spec/bidirectional.md §9).
            raise Unsupported(f"Keras {keras.__version__} cannot call a stateful Bidirectional with return_state "
                              "(Bidirectional.compute_mask: 'generator' * int)")
        classes = {"LSTM": k.layers.LSTM, "GRU": k.layers.GRU, "SimpleRNN": k.layers.SimpleRNN}
        if f.class_name not in classes or b.class_name not in classes:
            raise Unsupported(f"Bidirectional of {f.class_name} and {b.class_name}")
        built = k.layers.Bidirectional(classes[f.class_name].from_config(dict(f.config)),
                                       backward_layer=classes[b.class_name].from_config(dict(b.config)),
                                       merge_mode=layer.config.get("merge_mode", "concat"))
        built.build((batch if stateful else None, None, input_dim))
        _layers[key] = built
    return built


def to_tensor(dialect: str, a):
    # tf_keras refuses numpy arrays as initial_state ("Expected a symbolic tensor instance").
    if dialect == "tf-keras":
        import tensorflow as tf
        return tf.convert_to_tensor(a)
    return keras.ops.convert_to_tensor(a)


def reset_state(layer) -> None:
    if hasattr(layer, "reset_state"):
        layer.reset_state()  # Keras 3
    else:
        layer.reset_states()  # tf_keras


def build_model(case) -> list:
    """The case's layers as Keras layers, given the case's weights: [(class_name, layer)], in order."""
    first_x = case.calls[0].x
    batch = first_x.shape[0]
    model = []
    input_dim = first_x.shape[-1]
    for position, layer in enumerate(case.layers):
        if layer.class_name == "Bidirectional":
            built = built_bidirectional(case.dialect, position, layer, input_dim, batch)
            # Keras made its own copy of the forward layer: the weights go to the layers the wrapper holds.
            for sub, given in ((built.forward_layer, layer.forward), (built.backward_layer, layer.backward)):
                sub.set_weights(given.weight_list())
                if given.config.get("stateful"):
                    reset_state(sub)
            units = (layer.forward.config["units"], layer.backward.config["units"])
            input_dim = sum(units) if layer.config.get("merge_mode", "concat") == "concat" else units[0]
            model.append((layer.class_name, built))
            continue
        built = built_layer(case.dialect, position, layer, input_dim, batch)
        if layer.class_name in RECURRENT:
            built.set_weights(layer.weight_list())
            if layer.config.get("stateful"):
                reset_state(built)  # a reused layer must not carry state from another case
            input_dim = layer.config["units"]
        model.append((layer.class_name, built))
    return model


def call_model(case, model: list, call, x, initial_state) -> list:
    """One call of the model on x (a tensor) with the call's mask and `initial_state` (tensors or None): what Keras returns."""
    y = x
    first_recurrent = True
    for class_name, built in model:
        kwargs = {}
        if (class_name in RECURRENT or class_name == "Bidirectional") and first_recurrent:
            if call.mask is not None:
                kwargs["mask"] = to_tensor(case.dialect, call.mask)
            if initial_state is not None:
                kwargs["initial_state"] = initial_state
            first_recurrent = False
        # A mask from Masking, or from a recurrent layer with return_sequences, travels on the tensor itself.
        y = built(y, **kwargs)
    return list(y) if isinstance(y, (list, tuple)) else [y]


def run_case(case) -> list:
    model = build_model(case)
    results = []
    for call in case.calls:
        initial = [to_tensor(case.dialect, s) for s in call.initial_state] if call.initial_state is not None else None
        results.append([np.asarray(t) for t in call_model(case, model, call, to_tensor(case.dialect, call.x), initial)])
    return results


WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")  # get_weights() order, as the layer's trainable_weights


def gradients_case(case, cotangents: list) -> list:
    """spec/gradients.md §2, §7.3 — what the gradient fixtures hold, computed as scripts/generate_gradients.py
    does: per call, tf.GradientTape over the eager call, L = Σ⟨cotangent, output⟩, w.r.t. every recurrent
    layer's trainable weights, x and the first layer's starting state (the given initial_state, or a
    stateful layer's state variables, watched: within a call the carried state is an input, §3.4)."""
    if keras.backend.backend() != "tensorflow" and case.dialect == "keras3":
        raise Unsupported(f"gradients by tf.GradientTape need the TensorFlow backend, not {keras.backend.backend()}")
    if any(l.class_name == "Bidirectional" for l in case.layers):
        raise Unsupported("a Bidirectional's gradients are not in gradient format 1 (spec/gradients.md §3.6)")
    import tensorflow as tf

    def raw(v):  # a Keras 3 variable wraps a tf.Variable in .value; tf_keras's are tf.Variables (whose .value is a method)
        inner = getattr(v, "value", v)
        return v if callable(inner) else inner

    model = build_model(case)
    recurrent = [(position, built) for position, (class_name, built) in enumerate(model) if class_name in RECURRENT]
    first = recurrent[0][1]
    answers = []
    for n, call in enumerate(case.calls):
        x = tf.convert_to_tensor(call.x)
        given = [tf.convert_to_tensor(s) for s in call.initial_state] if call.initial_state is not None else None
        carried = [raw(v) for v in first.states] if given is None and first.stateful else []
        weights = [[raw(w) for w in built.trainable_weights] for _, built in recurrent]
        with tf.GradientTape() as tape:
            tape.watch([x, *(given or []), *carried])
            outputs = call_model(case, model, call, x, given)
            loss = tf.add_n([tf.reduce_sum(o * c) for o, c in zip(outputs, cotangents[n])])
        starts = given if given is not None else carried
        sources = [x, *starts, *[w for ws in weights for w in ws]]
        g = tape.gradient(loss, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        dx, dstates, dweights = g[0], g[1:1 + len(starts)], g[1 + len(starts):]
        layers, k = [], 0
        for (position, _), ws in zip(recurrent, weights):
            named = [{**array_to_wire(np.asarray(dweights[k + j])), "name": WEIGHT_NAMES[j]} for j in range(len(ws))]
            k += len(ws)
            layers.append({"layer": position, "weights": named})
        answer = {"layers": layers, "x": array_to_wire(np.asarray(dx))}
        if given is not None or first.stateful:
            answer["initial_state"] = [array_to_wire(np.asarray(s)) for s in dstates]
        answers.append(answer)
    return answers


ACTIVATIONS = ["tanh", "sigmoid", "hard_sigmoid", "linear", "relu", "relu6", "softsign", "softplus", "exponential",
               "elu", "selu", "swish", "silu"]
CAPABILITIES = [
    "cell:lstm", "cell:gru", "cell:simple_rnn", "gru:reset_after_false",
    "return_sequences", "return_state", "go_backwards", "initial_state", "mask", "masking_layer",
    "zero_output_for_mask", "stateful", "stacked", "use_bias_false", "dialect:tf-keras", "bidirectional",
    *[f"activation:{n}" for n in ACTIVATIONS], *[f"recurrent_activation:{n}" for n in ACTIVATIONS],
]

if __name__ == "__main__":
    serve("python-keras", f"keras {keras.__version__} ({keras.backend.backend()})", CAPABILITIES, run_case, gradients_case)
