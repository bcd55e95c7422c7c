"""keras-rnn-conformance for engines written in Python: the JSON-lines protocol, version 2
(spec/adapter.md §8). Needs numpy only. It ships with the npm package (python/), and the runner
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
    return Case(m["id"], m["dialect"], [_layer_from_wire(l) for l in m["layers"]], calls)


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
    )


class Unsupported(NotImplementedError):
    """Raise for a case (or layer call) the engine cannot express; it is reported *unsupported* with this reason."""


_notes: list = []


def note(text: str) -> None:
    """Attaches a short note to the reply being computed (§8.4); the runner keeps it with the case."""
    _notes.append(str(text))


def _serve(name: str, version: str, capabilities: list, kind: str, answer: Callable[[dict], dict]) -> None:
    # stdout is the protocol channel: anything a library prints goes to stderr instead (§8.1).
    out = sys.stdout
    sys.stdout = sys.stderr

    def send(message: dict) -> None:
        out.write(json.dumps(message, allow_nan=False) + "\n")
        out.flush()

    send({"type": "hello", "protocol": PROTOCOL_VERSION, "kind": kind,
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


def serve(name: str, version: str, capabilities: list, run_case: Callable[[Case], list]) -> None:
    """A model engine (§8.3): ``run_case(case)`` returns, per call, [output] or [output, h, c]."""
    def answer(m: dict) -> dict:
        if m["type"] != "run":
            raise ValueError(f"a model engine answers run messages, got {m['type']!r}")
        outputs = run_case(case_from_message(m))
        return {"type": "result", "outputs": [[array_to_wire(t) for t in call] for call in outputs]}

    _serve(name, version, capabilities, "model", answer)


# Per cell: its Keras class name, the serve_layer argument that computes it, the feature that declares
# it (spec/adapter.md §2) and what its function returns as a tuple (spec/lstm.md §3.2, spec/gru.md §3.2).
_CELLS = (
    ("LSTM", "lstm", "cell:lstm", ("sequence", "h", "c")),
    ("GRU", "gru", "cell:gru", ("sequence", "h")),
    ("SimpleRNN", "simple_rnn", "cell:simple_rnn", ("sequence", "h")),
)


def serve_layer(name: str, version: str, capabilities: list, lstm: Optional[Callable[[LayerCall], object]] = None, *,
                gru: Optional[Callable[[LayerCall], object]] = None,
                simple_rnn: Optional[Callable[[LayerCall], object]] = None) -> None:
    """A layer engine (§8.9): ``lstm(call)`` returns ``(sequence, h, c)`` — every step's output in
    processing order and the final state — or a dict ``{"output": …, "h": …, "c": …}`` with the
    output exactly as Keras returns it; ``gru(call)`` and ``simple_rnn(call)`` return ``(sequence, h)``
    or ``{"output": …, "h": …}`` (one state, spec/gru.md §3.2). Pass at least one; the cells of the
    functions given are declared (none for ``lstm`` alone: the LSTM only, spec/adapter.md §2), and a
    ``cell:*`` capability without its function is refused. ``capabilities`` are the layer's:
    activations, go_backwards, mask, initial_state, zero_output_for_mask, use_bias_false,
    dialect:tf-keras, gru:reset_after_false; the suite adds masking_layer, stacked, stateful,
    return_sequences and return_state. Declare ``stateful`` only if the functions keep stateful layers'
    state themselves: the suite then stops handing the last final state back as ``initial_state``."""
    functions = {"LSTM": lstm, "GRU": gru, "SimpleRNN": simple_rnn}
    if all(f is None for f in functions.values()):
        raise ValueError("serve_layer needs at least one of lstm, gru, simple_rnn (spec/adapter.md §1.2)")
    for class_name, argument, feature, _ in _CELLS:
        if feature in capabilities and functions[class_name] is None:
            raise ValueError(f"capabilities name {feature} but no {argument} function is given (spec/adapter.md §1.2)")
    cells = [feature for class_name, _, feature, _ in _CELLS if functions[class_name] is not None]
    declared = list(capabilities) + ([] if cells == ["cell:lstm"] else [f for f in cells if f not in capabilities])
    returns = {class_name: (argument, fields) for class_name, argument, _, fields in _CELLS}

    def answer(m: dict) -> dict:
        if m["type"] != "layer_call":
            raise ValueError(f"a layer engine answers layer_call messages, got {m['type']!r}")
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

    _serve(name, version, declared, "layer", answer)
