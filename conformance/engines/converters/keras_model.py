"""A case as one functional Keras model — what a porter hands a converter (spec/porting.md §17).

The model takes `x`, and `mask` and the initial states as inputs of their own where the case has
them (they go to the first recurrent layer, as the fixture generator calls it); every layer of the
case is rebuilt from its get_config() and given the case's weights with set_weights(). The same
model serves the control route (plain Keras, no conversion) and every converter route, so a
converter's failure is the converter's and not this wrapper's.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Optional

import numpy as np

from keras_rnn_conformance import Case, Unsupported

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
_STATE_NAMES = {"LSTM": ("h0", "c0"), "GRU": ("h0",), "SimpleRNN": ("h0",)}

_tf_keras = None


def keras_module(builder: str):
    """The Keras that builds the model: "keras3" or "tf-keras" (tf_keras imported on first use: it costs seconds)."""
    global _tf_keras
    if builder == "keras3":
        import keras
        return keras
    if builder == "tf-keras":
        if _tf_keras is None:
            import tf_keras
            _tf_keras = tf_keras
        return _tf_keras
    raise ValueError(f"unknown builder {builder!r}")


@dataclass(frozen=True)
class ModelInputs:
    """What the model takes besides x, read from the case's calls (every call must agree)."""
    mask: bool
    states: tuple  # input names of the initial states, in Keras's order ([h0, c0] or [h0])


def first_recurrent(case: Case):
    for layer in case.layers:
        if layer.class_name in RECURRENT:
            return layer
    raise Unsupported("the case has no recurrent layer")


def model_inputs(case: Case) -> ModelInputs:
    masks = {c.mask is not None for c in case.calls}
    states = {c.initial_state is not None for c in case.calls}
    if len(masks) > 1 or len(states) > 1:
        # One model has one input signature; a case whose calls differ would need two models.
        raise Unsupported("the case's calls differ in whether they pass a mask or an initial state: one converted model has one signature")
    has_states = states == {True}
    names = _STATE_NAMES[first_recurrent(case).class_name] if has_states else ()
    if has_states and len(case.calls[0].initial_state) != len(names):
        raise ValueError(f"case {case.id}: initial_state has {len(case.calls[0].initial_state)} tensors, a {first_recurrent(case).class_name} takes {len(names)}")
    return ModelInputs(mask=masks == {True}, states=names)


def is_stateful(case: Case) -> bool:
    return any(bool(l.config.get("stateful")) for l in case.layers if l.class_name in RECURRENT)


def check_layers(case: Case) -> None:
    for layer in case.layers:
        if layer.class_name == "Bidirectional":
            raise Unsupported("Bidirectional: not yet in the converter routes (its fixtures were not committed when they were built)")
        if layer.class_name not in RECURRENT and layer.class_name != "Masking":
            raise Unsupported(f"layer class {layer.class_name}")


# What a tf_keras layer reads from a Keras 3 config: its initializers, regularizers, constraints and
# seed only shape training (the weights are set), and Keras 3's dtype is a DTypePolicy dict.
_TF_KERAS_KEYS = ("name", "trainable", "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask",
                  "units", "activation", "recurrent_activation", "use_bias", "dropout", "recurrent_dropout", "reset_after", "mask_value")


def layer_config(layer, builder: str, dialect: str) -> dict:
    if builder == "tf-keras" and dialect == "keras3":
        return {**{k: v for k, v in layer.config.items() if k in _TF_KERAS_KEYS}, "dtype": "float32"}
    return dict(layer.config)


def build_model(case: Case, builder: str, batch: Optional[int]):
    """The case as a functional model of `builder`'s Keras; `batch` None leaves the batch dimension dynamic.
    A stateful layer needs a fixed batch (Keras refuses otherwise), so a stateful case always gets one."""
    check_layers(case)
    k = keras_module(builder)
    x0 = case.calls[0].x
    if any(c.x.shape != x0.shape for c in case.calls):
        raise Unsupported("the case's calls have different input shapes: one converted model has one signature")
    if is_stateful(case):
        batch = x0.shape[0]
    spec = model_inputs(case)
    x = k.Input(batch_shape=(batch, x0.shape[1], x0.shape[2]), name="x", dtype="float32")
    inputs = [x]
    mask = None
    if spec.mask:
        mask = k.Input(batch_shape=(batch, x0.shape[1]), name="mask", dtype="bool")
        inputs.append(mask)
    states = []
    if spec.states:
        units = first_recurrent(case).config["units"]
        states = [k.Input(batch_shape=(batch, units), name=n, dtype="float32") for n in spec.states]
        inputs.extend(states)
    y = x
    first = True
    built = []
    for layer in case.layers:
        cls = {"LSTM": k.layers.LSTM, "GRU": k.layers.GRU, "SimpleRNN": k.layers.SimpleRNN, "Masking": k.layers.Masking}[layer.class_name]
        keras_layer = cls.from_config(layer_config(layer, builder, case.dialect))
        kwargs = {}
        if layer.class_name in RECURRENT and first:
            if mask is not None:
                kwargs["mask"] = mask
            if states:
                kwargs["initial_state"] = states
            first = False
        if isinstance(y, (list, tuple)):
            raise ValueError(f"case {case.id}: a layer after one that returns its state (return_state) is not a stack the corpus has")
        y = keras_layer(y, **kwargs)
        built.append((layer, keras_layer))
    outputs = list(y) if isinstance(y, (list, tuple)) else [y]
    model = k.Model(inputs=inputs, outputs=outputs)
    for layer, keras_layer in built:
        if layer.class_name in RECURRENT:
            keras_layer.set_weights(layer.weight_list())
    return model, spec


def call_feeds(case: Case, spec: ModelInputs) -> list:
    """Per call, the model's inputs by name, as numpy arrays in the dtypes the model declares."""
    feeds = []
    for call in case.calls:
        f = {"x": np.ascontiguousarray(call.x, np.float32)}
        if spec.mask:
            f["mask"] = np.ascontiguousarray(call.mask, np.bool_)
        for name, s in zip(spec.states, call.initial_state or []):
            f[name] = np.ascontiguousarray(s, np.float32)
        feeds.append(f)
    return feeds


def case_key(case: Case, route: str, batch: Optional[int]) -> str:
    """A stable key for a converted artefact: the case's layers and input signature, not its input values."""
    first = case.calls[0]
    spec = model_inputs(case)
    payload = {
        "route": route, "batch": batch, "dialect": case.dialect, "x": list(first.x.shape), "mask": spec.mask, "states": list(spec.states),
        "layers": [{"class_name": l.class_name, "config": l.config,
                    "weights": {n: hashlib.sha256(np.ascontiguousarray(w).tobytes()).hexdigest() + str(w.shape) for n, w in l.weights.items()}}
                   for l in case.layers],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]
