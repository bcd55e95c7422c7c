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

import keras_rnn_conformance
from keras_rnn_conformance import Case, Layer, Unsupported, array_from_wire

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
BIDIRECTIONAL = "Bidirectional"
_STATE_NAMES = {"LSTM": ("h0", "c0"), "GRU": ("h0",), "SimpleRNN": ("h0",)}


def case_from_wire(m: dict) -> Case:
    """The helper's case, with each Bidirectional layer's two recurrent layers kept (spec/fixture-format.md
    §3.1: `forward` and `backward`, each a class name, a config and weights), which the helper drops."""
    case = keras_rnn_conformance_case_from_message(m)
    for layer, wire in zip(case.layers, m["layers"]):
        if layer.class_name == BIDIRECTIONAL:
            for direction in ("forward", "backward"):
                sub = wire[direction]
                setattr(layer, direction, Layer(sub["class_name"], sub["config"], {w["name"]: array_from_wire(w) for w in sub.get("weights", [])}))
    return case


keras_rnn_conformance_case_from_message = keras_rnn_conformance.case_from_message


def directions(layer) -> list:
    """The recurrent layers of a case layer: itself, or a Bidirectional's forward and backward."""
    return [layer.forward, layer.backward] if layer.class_name == BIDIRECTIONAL else [layer]


def cell_config(layer) -> dict:
    """The recurrent config a layer's states and units follow (a Bidirectional's: its forward layer's)."""
    return directions(layer)[0].config

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
        if layer.class_name in RECURRENT or layer.class_name == BIDIRECTIONAL:
            return layer
    raise Unsupported("the case has no recurrent layer")


def model_inputs(case: Case) -> ModelInputs:
    masks = {c.mask is not None for c in case.calls}
    states = {c.initial_state is not None for c in case.calls}
    if len(masks) > 1 or len(states) > 1:
        # One model has one input signature; a case whose calls differ would need two models.
        raise Unsupported("the case's calls differ in whether they pass a mask or an initial state: one converted model has one signature")
    has_states = states == {True}
    first = first_recurrent(case)
    # A Bidirectional takes Keras's flat list: the forward layer's states, then the backward layer's (spec/bidirectional.md).
    names = tuple(f"{n}{suffix}" for d, suffix in zip(directions(first), ("", "_backward") if first.class_name == BIDIRECTIONAL else ("",))
                  for n in _STATE_NAMES[d.class_name]) if has_states else ()
    if has_states and len(case.calls[0].initial_state) != len(names):
        raise ValueError(f"case {case.id}: initial_state has {len(case.calls[0].initial_state)} tensors, a {first.class_name} takes {len(names)}")
    return ModelInputs(mask=masks == {True}, states=names)


def is_stateful(case: Case) -> bool:
    return any(bool(d.config.get("stateful")) for l in case.layers if l.class_name != "Masking" for d in directions(l))


def check_layers(case: Case) -> None:
    for layer in case.layers:
        if layer.class_name == BIDIRECTIONAL and getattr(layer, "forward", None) is None:
            raise ValueError(f"case {case.id}: a Bidirectional layer without its forward and backward layers (read the case with case_from_wire)")
        if layer.class_name == BIDIRECTIONAL and layer.forward.config.get("return_state") and \
                len(_STATE_NAMES[layer.forward.class_name]) != len(_STATE_NAMES[layer.backward.class_name]):
            # Keras 3.15.1 builds the symbolic outputs as if both layers had the forward's states: its
            # functional Model then refuses the call ("Output with path `4` is not connected to `inputs`").
            raise Unsupported("a Bidirectional returning the states of two cells with different state counts: Keras 3.15.1's functional Model refuses to call it "
                              "(\"Output with path `4` is not connected to `inputs`\"), so no route can start from such a model")
        if layer.class_name not in RECURRENT and layer.class_name not in ("Masking", BIDIRECTIONAL):
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
        units = cell_config(first_recurrent(case))["units"]
        states = [k.Input(batch_shape=(batch, units), name=n, dtype="float32") for n in spec.states]
        inputs.extend(states)
    y = x
    first = True
    built = []
    classes = {"LSTM": k.layers.LSTM, "GRU": k.layers.GRU, "SimpleRNN": k.layers.SimpleRNN, "Masking": k.layers.Masking}
    for layer in case.layers:
        if layer.class_name == BIDIRECTIONAL:
            # Keras's own wrapper around the two layers Keras built (their configs say go_backwards etc.).
            forward, backward = (classes[d.class_name].from_config(layer_config(d, builder, case.dialect)) for d in directions(layer))
            keras_layer = k.layers.Bidirectional(forward, backward_layer=backward, merge_mode=layer.config.get("merge_mode"), name=layer.config.get("name"))
        else:
            keras_layer = classes[layer.class_name].from_config(layer_config(layer, builder, case.dialect))
        kwargs = {}
        if layer.class_name != "Masking" and first:
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
        if layer.class_name != "Masking":
            # Bidirectional.get_weights() is the forward layer's, then the backward layer's.
            keras_layer.set_weights([w for d in directions(layer) for w in d.weight_list()])
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
        "layers": [[{"class_name": d.class_name, "config": d.config,
                     "weights": {n: hashlib.sha256(np.ascontiguousarray(w).tobytes()).hexdigest() + str(w.shape) for n, w in d.weights.items()}}
                    for d in ([l, *directions(l)] if l.class_name == BIDIRECTIONAL else [l])]
                   for l in case.layers],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]
