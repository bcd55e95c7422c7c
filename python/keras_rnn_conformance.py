"""keras-rnn-conformance for engines written in Python: the JSON-lines protocol, version 2, or 3
when the engine computes gradients (spec/adapter.md §8, spec/gradients.md §7.3). Needs numpy only. It ships with the npm package (python/), and the runner
puts this folder on the PYTHONPATH of ``--engine-cmd``, so ``import keras_rnn_conformance`` works
without installing anything (or copy the file next to your engine).

A layer engine (§8.9) computes one call of one recurrent layer; the suite composes the model around
it (the Masking layer, stacks — mixed ones too — the mask passed down, stateful calls, what is returned)::

    from keras_rnn_conformance import serve_layer

    def lstm(call):  # call.config, call.weights["kernel"], call.x, call.mask, call.initial_state, call.dialect
        ...
        return sequence, h, c  # every step's output (batch, timesteps, units) in processing order, final h, c

    serve_layer("my-lstm", "1.0.0", ["mask", "go_backwards", "activation:tanh", "recurrent_activation:sigmoid"], lstm)

A GRU or a SimpleRNN layer has one state (spec/gru.md §3.2): ``gru(call)`` and ``simple_rnn(call)``
return ``(sequence, h)``. Pass the functions the engine has — ``serve_layer(name, version, capabilities,
lstm, gru=gru, simple_rnn=simple_rnn)``, any of them, at least one — and the helper declares their
cells (``cell:lstm``, ``cell:gru``, ``cell:simple_rnn``, spec/adapter.md §2); with ``lstm`` alone it
declares none, which means the LSTM only, as before GRU and SimpleRNN.

A model engine (§8.3) computes whole cases: ``serve(name, version, capabilities, run_case)``, where
``run_case(case)`` returns, per call, ``[output]`` or ``[output, h, c]`` in Keras's order.

Gradients (spec/gradients.md §7): a layer engine passes ``lstm_gradients=``, ``gru_gradients=``,
``simple_rnn_gradients=`` to ``serve_layer``; each gets the layer call with ``call.cotangents`` —
``{"output", "h", "c"}`` (no ``c`` for GRU and SimpleRNN), the cotangents of what the layer returned,
``output`` shaped as the layer's output as Keras returns it — and returns
``{"kernel", "recurrent_kernel", "bias"?, "x", "initial_state"?}`` in Keras's shapes (``initial_state``:
a list, required when ``call.initial_state`` is given). The suite runs the forward with the layer
functions and composes the model's backward. A model engine passes ``gradients=`` to ``serve``: it
gets the case with ``case.cotangents`` (per call, one array per returned tensor) and returns, per
call, ``{"layers": [{"layer": i, "kernel", "recurrent_kernel", "bias"?}], "x", "initial_state"?}``.
Only then does the hello say protocol 3 and declare ``gradients``; without them it is unchanged.

In either, raise ``Unsupported(reason)`` (or any ``NotImplementedError``) for a case the engine
cannot express: the case is reported *unsupported* with that reason. ``note(text)`` attaches a short
note (e.g. which kernel ran) to the reply; the runner keeps it with the case.
"""
from __future__ import annotations

import json
import math
import sys
import traceback
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

PROTOCOL_VERSION = 2
# The gradient messages (spec/gradients.md §7.3); a hello says it only when gradient functions are given.
GRADIENTS_PROTOCOL_VERSION = 3


def array_from_wire(t: dict) -> np.ndarray:
    """spec/fixture-format.md §3.3: a flat row-major list plus a shape; masks are bool (True = valid)."""
    dtype = np.bool_ if t["dtype"] == "bool" else np.float32
    return np.asarray(t["data"], dtype=dtype).reshape(t["shape"])


def _wire_float(v: float):
    # JSON has no literal for non-finite numbers; the protocol sends them as strings (§8.6).
    if math.isnan(v):
        return "NaN"
    return "Infinity" if v > 0 else "-Infinity"


def array_to_wire(a) -> dict:
    a = np.asarray(a, dtype=np.float32)
    data = a.ravel().tolist()  # exact: every float32 is a binary64
    if not np.isfinite(a).all():
        data = [v if math.isfinite(v) else _wire_float(v) for v in data]
    return {"dtype": "float32", "shape": list(a.shape), "data": data}


@dataclass
class Layer:
    class_name: str
    config: dict
    weights: dict = field(default_factory=dict)  # name -> float32 array, Keras layout
    # A Bidirectional's two recurrent layers (spec/bidirectional.md); None for any other layer.
    forward: Optional["Layer"] = None
    backward: Optional["Layer"] = None

    def weight_list(self) -> list:
        """Keras's get_weights() order: kernel, recurrent_kernel[, bias]."""
        return [self.weights[n] for n in ("kernel", "recurrent_kernel", "bias") if n in self.weights]


@dataclass
class Call:
    x: np.ndarray
    mask: Optional[np.ndarray] = None
    initial_state: Optional[list] = None


@dataclass
class Case:
    id: str
    dialect: str
    layers: list
    calls: list
    # A gradient request (protocol 3): per call, one float32 array per tensor the model returns.
    cotangents: Optional[list] = None


@dataclass
class LayerCall:
    """One call of one recurrent layer (§8.9). ``x`` is (batch, timesteps, input_dim) float32; ``mask``
    (batch, timesteps) bool, True = valid, in original time order even with go_backwards;
    ``initial_state`` the cell's states — [h0, c0] for an LSTM, [h0] for a GRU or SimpleRNN — or None;
    ``class_name`` the cell ("LSTM", "GRU", "SimpleRNN")."""
    config: dict
    weights: dict  # "kernel", "recurrent_kernel"[, "bias"] -> float32 array, Keras layout
    x: np.ndarray
    mask: Optional[np.ndarray]
    initial_state: Optional[list]
    dialect: str
    case_id: str
    layer_index: int
    call_index: int
    class_name: str = "LSTM"
    direction: Optional[str] = None  # "forward" / "backward" for a Bidirectional's two layers, which share layer_index
    # A layer_gradients message (protocol 3): {"output", "h"[, "c"]} -> float32 array; None for a layer_call.
    cotangents: Optional[dict] = None


def _layer_from_wire(m: dict) -> Layer:
    if m["class_name"] == "Bidirectional":
        return Layer("Bidirectional", m["config"], {}, _layer_from_wire(m["forward"]), _layer_from_wire(m["backward"]))
    return Layer(m["class_name"], m["config"], {w["name"]: array_from_wire(w) for w in m.get("weights", [])})


def case_from_message(m: dict) -> Case:
    calls = [
        Call(
            array_from_wire(c["x"]),
            array_from_wire(c["mask"]) if "mask" in c else None,
            [array_from_wire(s) for s in c["initial_state"]] if "initial_state" in c else None,
        )
        for c in m["calls"]
    ]
    cotangents = [[array_from_wire(t) for t in call] for call in m["cotangents"]] if "cotangents" in m else None
    return Case(m["id"], m["dialect"], [_layer_from_wire(l) for l in m["layers"]], calls, cotangents)


def layer_call_from_message(m: dict) -> LayerCall:
    layer = _layer_from_wire(m["layer"])
    return LayerCall(
        layer.config,
        layer.weights,
        array_from_wire(m["x"]),
        array_from_wire(m["mask"]) if "mask" in m else None,
        [array_from_wire(s) for s in m["initial_state"]] if "initial_state" in m else None,
        m["dialect"],
        m["case"],
        m["layer_index"],
        m["call_index"],
        layer.class_name,
        m.get("direction"),
        {k: array_from_wire(v) for k, v in m["cotangents"].items()} if "cotangents" in m else None,
    )


class Unsupported(NotImplementedError):
    """Raise for a case (or layer call) the engine cannot express; it is reported *unsupported* with this reason."""


_notes: list = []


def note(text: str) -> None:
    """Attaches a short note to the reply being computed (§8.4); the runner keeps it with the case."""
    _notes.append(str(text))


def _weights_to_wire(g: dict) -> list:
    """Weight gradients as named tensors (spec/gradients.md §5.2): kernel, recurrent_kernel[, bias]."""
    missing = [n for n in ("kernel", "recurrent_kernel") if n not in g]
    if missing:
        raise ValueError(f"gradients need {', '.join(missing)} (spec/gradients.md §7.2)")
    return [{**array_to_wire(g[n]), "name": n} for n in ("kernel", "recurrent_kernel", "bias") if g.get(n) is not None]


def _states_to_wire(g: dict) -> dict:
    states = g.get("initial_state")
    return {} if states is None else {"initial_state": [array_to_wire(s) for s in states]}


def _serve(name: str, version: str, capabilities: list, kind: str, answer: Callable[[dict], dict], protocol: int = PROTOCOL_VERSION) -> None:
    # stdout is the protocol channel: anything a library prints goes to stderr instead (§8.1).
    out = sys.stdout
    sys.stdout = sys.stderr

    def send(message: dict) -> None:
        out.write(json.dumps(message, allow_nan=False) + "\n")
        out.flush()

    send({"type": "hello", "protocol": protocol, "kind": kind,
          "engine": {"name": name, "version": version, "language": "python"}, "capabilities": list(capabilities)})
    for line in sys.stdin:  # EOF on stdin ends the engine too (§8.5)
        if not line.strip():
            continue
        message = json.loads(line)
        if message["type"] == "shutdown":
            break
        _notes.clear()
        try:
            reply = answer(message)
        except NotImplementedError as e:
            reply = {"type": "unsupported", "reason": str(e) or type(e).__name__}
        except Exception as e:  # one case's failure must not end the engine
            reply = {"type": "error", "message": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
        send({**reply, "id": message.get("id", "?"), **({"notes": list(_notes)} if _notes else {})})


def serve(name: str, version: str, capabilities: list, run_case: Callable[[Case], list],
          gradients: Optional[Callable[[Case], list]] = None) -> None:
    """A model engine (§8.3): ``run_case(case)`` returns, per call, [output] or [output, h, c].
    With ``gradients`` (spec/gradients.md §7.2): ``gradients(case)`` — ``case.cotangents`` set — returns,
    per call, ``{"layers": [{"layer", "kernel", "recurrent_kernel", "bias"?}], "x", "initial_state"?}``;
    the hello then says protocol 3 and declares ``gradients``."""
    def answer(m: dict) -> dict:
        if m["type"] == "gradients" and gradients is not None:
            answers = gradients(case_from_message(m))
            return {"type": "gradients_result", "gradients": [
                {"layers": [{"layer": int(l["layer"]), "weights": _weights_to_wire(l)} for l in a["layers"]],
                 "x": array_to_wire(a["x"]), **_states_to_wire(a)}
                for a in answers]}
        if m["type"] != "run":
            raise ValueError(f"a model engine answers run{' and gradients' if gradients else ''} messages, got {m['type']!r}")
        outputs = run_case(case_from_message(m))
        return {"type": "result", "outputs": [[array_to_wire(t) for t in call] for call in outputs]}

    if gradients is None:
        _serve(name, version, capabilities, "model", answer)
    else:
        declared = list(capabilities) + ([] if "gradients" in capabilities else ["gradients"])
        _serve(name, version, declared, "model", answer, GRADIENTS_PROTOCOL_VERSION)


# Per cell: its Keras class name, the serve_layer argument that computes it, the feature that declares
# it (spec/adapter.md §2) and what its function returns as a tuple (spec/lstm.md §3.2, spec/gru.md §3.2).
_CELLS = (
    ("LSTM", "lstm", "cell:lstm", ("sequence", "h", "c")),
    ("GRU", "gru", "cell:gru", ("sequence", "h")),
    ("SimpleRNN", "simple_rnn", "cell:simple_rnn", ("sequence", "h")),
)


def serve_layer(name: str, version: str, capabilities: list, lstm: Optional[Callable[[LayerCall], object]] = None, *,
                gru: Optional[Callable[[LayerCall], object]] = None,
                simple_rnn: Optional[Callable[[LayerCall], object]] = None,
                lstm_gradients: Optional[Callable[[LayerCall], dict]] = None,
                gru_gradients: Optional[Callable[[LayerCall], dict]] = None,
                simple_rnn_gradients: Optional[Callable[[LayerCall], dict]] = None) -> None:
    """A layer engine (§8.9): ``lstm(call)`` returns ``(sequence, h, c)`` — every step's output in
    processing order and the final state — or a dict ``{"output": …, "h": …, "c": …}`` with the
    output exactly as Keras returns it; ``gru(call)`` and ``simple_rnn(call)`` return ``(sequence, h)``
    or ``{"output": …, "h": …}`` (one state, spec/gru.md §3.2). Pass at least one; the cells of the
    functions given are declared (none for ``lstm`` alone: the LSTM only, spec/adapter.md §2), and a
    ``cell:*`` capability without its function is refused. ``capabilities`` are the layer's:
    activations, go_backwards, mask, initial_state, zero_output_for_mask, use_bias_false,
    dialect:tf-keras, gru:reset_after_false; the suite adds masking_layer, stacked, stateful,
    return_sequences and return_state. Declare ``stateful`` only if the functions keep stateful layers'
    state themselves: the suite then stops handing the last final state back as ``initial_state``.
    ``lstm_gradients`` etc. (spec/gradients.md §7.2): one layer call's backward, ``call.cotangents`` set,
    returning ``{"kernel", "recurrent_kernel", "bias"?, "x", "initial_state"?}``; each needs its cell's
    forward function. Given any, the hello says protocol 3 and declares ``gradients``."""
    functions = {"LSTM": lstm, "GRU": gru, "SimpleRNN": simple_rnn}
    backward = {"LSTM": lstm_gradients, "GRU": gru_gradients, "SimpleRNN": simple_rnn_gradients}
    for class_name, argument, _, _ in _CELLS:
        if backward[class_name] is not None and functions[class_name] is None:
            raise ValueError(f"{argument}_gradients needs the {argument} function: the suite runs the forward with it (spec/gradients.md §7.2)")
    has_gradients = any(f is not None for f in backward.values())
    if "gradients" in capabilities and not has_gradients:
        raise ValueError("capabilities name gradients but no lstm_gradients, gru_gradients or simple_rnn_gradients is given (spec/gradients.md §7.2)")
    if all(f is None for f in functions.values()):
        raise ValueError("serve_layer needs at least one of lstm, gru, simple_rnn (spec/adapter.md §1.2)")
    for class_name, argument, feature, _ in _CELLS:
        if feature in capabilities and functions[class_name] is None:
            raise ValueError(f"capabilities name {feature} but no {argument} function is given (spec/adapter.md §1.2)")
    cells = [feature for class_name, _, feature, _ in _CELLS if functions[class_name] is not None]
    declared = list(capabilities) + ([] if cells == ["cell:lstm"] else [f for f in cells if f not in capabilities])
    returns = {class_name: (argument, fields) for class_name, argument, _, fields in _CELLS}

    def answer(m: dict) -> dict:
        if m["type"] == "layer_gradients" and has_gradients:
            call = layer_call_from_message(m)
            compute_gradients = backward.get(call.class_name)
            if compute_gradients is None:  # gradients are declared for the engine, not per cell: a cell without a backward declines
                raise Unsupported(f"this engine computes no {call.class_name} gradients")
            g = compute_gradients(call)
            missing = [k for k in ("kernel", "recurrent_kernel", "x") if k not in g]
            if missing:
                raise ValueError(f"gradients of a {call.class_name} layer call need {', '.join(missing)} (spec/gradients.md §7.2)")
            return {"type": "layer_gradients_result", "weights": _weights_to_wire(g), "x": array_to_wire(g["x"]), **_states_to_wire(g)}
        if m["type"] != "layer_call":
            raise ValueError(f"a layer engine answers layer_call{' and layer_gradients' if has_gradients else ''} messages, got {m['type']!r}")
        call = layer_call_from_message(m)
        argument, names = returns.get(call.class_name, (None, ()))
        compute = functions.get(call.class_name)
        if compute is None:  # the runner sends only declared cells; a direct caller may not
            raise Unsupported(f"this engine has no {argument or call.class_name} layer")
        r = compute(call)
        if not isinstance(r, dict) and len(r) != len(names):
            raise ValueError(f"{argument}() returned {len(r)} values; a {call.class_name} layer returns ({', '.join(names)})")
        fields = r if isinstance(r, dict) else dict(zip(names, r))
        return {"type": "layer_result", **{k: array_to_wire(v) for k, v in fields.items()}}

    if has_gradients:
        _serve(name, version, declared + ([] if "gradients" in declared else ["gradients"]), "layer", answer, GRADIENTS_PROTOCOL_VERSION)
    else:
        _serve(name, version, declared, "layer", answer)
