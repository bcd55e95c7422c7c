"""numpy_lstm.py's LSTM as a layer engine speaking protocol 2 by hand, with json and numpy only (spec/adapter.md §8.9)."""
import json, math, sys, traceback
import numpy as np
from numpy_lstm import CAPABILITIES, lstm_sequence


def from_wire(t):  # a flat row-major list plus a shape (§8.6)
    return np.asarray(t["data"], np.bool_ if t["dtype"] == "bool" else np.float32).reshape(t["shape"])


def to_wire(a):  # JSON has no NaN or Infinity: they travel as strings (§8.6)
    data = [v if math.isfinite(v) else {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[str(v)] for v in np.ravel(a).astype(np.float32).tolist()]
    return {"dtype": "float32", "shape": list(np.shape(a)), "data": data}


sys.stdout, out = sys.stderr, sys.stdout  # stdout is for protocol messages only: a stray print goes to stderr (§8.1)
send = lambda m: print(json.dumps(m, allow_nan=False), file=out, flush=True)  # noqa: E731
send({"type": "hello", "protocol": 2, "kind": "layer", "engine": {"name": "python-numpy-raw", "version": f"0.1.0 (numpy {np.__version__})"}, "capabilities": CAPABILITIES})
for m in (json.loads(line) for line in sys.stdin if line.strip()):  # EOF on stdin ends the engine too (§8.5)
    if m["type"] == "shutdown":
        break
    try:
        mask, state = from_wire(m["mask"]) if "mask" in m else None, [from_wire(s) for s in m.get("initial_state", [])] or None
        weights = {w["name"]: from_wire(w) for w in m["layer"]["weights"]}
        sequence, h, c = lstm_sequence(m["layer"]["config"], weights, from_wire(m["x"]), mask, state, m["dialect"])
        send({"type": "layer_result", "id": m["id"], "sequence": to_wire(sequence), "h": to_wire(h), "c": to_wire(c)})
    except NotImplementedError as e:  # a case this engine cannot express: unsupported, with the reason (§8.4)
        send({"type": "unsupported", "id": m["id"], "reason": str(e)})
    except Exception as e:  # one case's failure must not end the engine
        send({"type": "error", "id": m["id"], "message": repr(e), "traceback": traceback.format_exc()})
