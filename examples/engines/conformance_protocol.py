"""The engine side of the keras-rnn-conformance JSON-lines protocol, version 1 (spec/adapter.md §8).

Shared by the example engines; copy it into your own engine if you like (it needs numpy only).
An engine calls ``serve(name, version, capabilities, run_case)``; ``run_case`` receives a ``Case``
and returns, per call, the list of output arrays in Keras's order ([output] or [output, h, c]).
"""
from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

PROTOCOL_VERSION = 1


def array_from_wire(t: dict) -> np.ndarray:
    """spec/fixture-format.md §3.3: a flat row-major list plus a shape."""
    dtype = np.bool_ if t["dtype"] == "bool" else np.float32
    return np.asarray(t["data"], dtype=dtype).reshape(t["shape"])


def _wire_float(v: float):
    # JSON has no literal for non-finite numbers; the protocol sends them as strings (§8.6).
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def array_to_wire(a) -> dict:
    a = np.asarray(a, dtype=np.float32)
    data = a.ravel().tolist()  # exact: every float32 is a binary64
    if not np.isfinite(a).all():
        data = [_wire_float(v) for v in data]
    return {"dtype": "float32", "shape": list(a.shape), "data": data}


@dataclass
class Layer:
    class_name: str
    config: dict
    weights: dict = field(default_factory=dict)  # name -> float32 array, Keras layout
    # A Bidirectional's two recurrent layers, each with its config as Keras built it (spec/bidirectional.md); None otherwise.
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


def layer_from_wire(l: dict) -> Layer:
    if l["class_name"] == "Bidirectional":  # its layers travel as "forward" and "backward" (spec/adapter.md §8)
        return Layer("Bidirectional", l["config"], {}, layer_from_wire(l["forward"]), layer_from_wire(l["backward"]))
    return Layer(l["class_name"], l["config"], {w["name"]: array_from_wire(w) for w in l.get("weights", [])})


def case_from_message(m: dict) -> Case:
    layers = [layer_from_wire(l) for l in m["layers"]]
    calls = [
        Call(
            array_from_wire(c["x"]),
            array_from_wire(c["mask"]) if "mask" in c else None,
            [array_from_wire(s) for s in c["initial_state"]] if "initial_state" in c else None,
        )
        for c in m["calls"]
    ]
    return Case(m["id"], m["dialect"], layers, calls)


def raise_as_error(send, case_id: str, e: Exception) -> None:
    send({"type": "error", "id": case_id, "message": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()})


class Unsupported(Exception):
    """Raise for a case the engine cannot compute; it becomes an "error" message naming the reason."""


def serve(name: str, version: str, capabilities: list, run_case: Callable[[Case], list],
          gradients_case: Optional[Callable[[Case, list], list]] = None) -> None:
    """With ``gradients_case(case, cotangents)`` — per call, the gradients in the fixture's encoding
    (spec/gradients.md §5.2, §7.3) — the engine speaks protocol 3 and declares ``gradients``."""
    # stdout is the protocol channel: anything a library prints goes to stderr instead (§8.1).
    out = sys.stdout
    sys.stdout = sys.stderr

    def send(message: dict) -> None:
        out.write(json.dumps(message, allow_nan=False) + "\n")
        out.flush()

    # spec/gradients.md §7.3: the gradient messages are protocol 3's (which keeps run/result as they are)
    protocol, declared = (3, [*capabilities, "gradients"]) if gradients_case else (PROTOCOL_VERSION, capabilities)
    send({"type": "hello", "protocol": protocol, "engine": {"name": name, "version": version, "language": "python"},
          "capabilities": declared})
    for line in sys.stdin:  # EOF on stdin ends the engine too (§8.5)
        if not line.strip():
            continue
        message = json.loads(line)
        if message["type"] == "shutdown":
            break
        case_id = message.get("id", "?")
        try:
            if message["type"] == "gradients" and gradients_case:
                cotangents = [[array_from_wire(t) for t in call] for call in message["cotangents"]]
                send({"type": "gradients_result", "id": case_id, "gradients": gradients_case(case_from_message(message), cotangents)})
                continue
            outputs = run_case(case_from_message(message))
            send({"type": "result", "id": case_id, "outputs": [[array_to_wire(t) for t in call] for call in outputs]})
        except Unsupported as e:
            if protocol < 2:
                raise_as_error(send, case_id, e)
            else:  # protocol 2: a case the engine cannot express (§8.4)
                send({"type": "unsupported", "id": case_id, "reason": str(e)})
        except Exception as e:  # one case's failure must not end the engine
            send({"type": "error", "id": case_id, "message": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()})
