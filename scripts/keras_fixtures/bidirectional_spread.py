"""Why another backend's run of a Bidirectional case differs from TensorFlow's (spec/fixture-format.md §4).

The one known difference is keras-semantics X1 per direction (spec/bidirectional.md §7.5): where a row's
masked steps come before its first valid step *in a direction's processing order* (a fully masked row), JAX
emits that direction's initial h as the output and TensorFlow emits zeros; the states agree. It is named
only for merge_mode None, where each direction's output is its own tensor and the claim can be checked
value by value; anything else stays UNEXPLAINED (and so visible in the file and the summary).
"""
from __future__ import annotations

import numpy as np

from .compare import within
from .materialize import bidirectional_subs

STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}


def explain_bidirectional(spec: dict, canonical: dict, other: dict, failing: list[str], mats: dict, tol: dict) -> str:
    unexplained = "UNEXPLAINED difference between backends in: " + ", ".join(failing)
    last = spec["layers"][-1]
    if (last["class_name"] != "Bidirectional" or len(spec["layers"]) != 1 or last["config"].get("merge_mode", "concat") is not None
            or not all(f.endswith((".outputs[0]", ".outputs[1]")) for f in failing)):
        return unexplained
    n_fwd = STATES[bidirectional_subs(last)[0]["class_name"]]
    for n, call in enumerate(canonical["calls"]):
        given = mats["calls"][n].get("initial_state")
        if given is None:
            return unexplained
        for d, h0 in enumerate((given[0], given[n_fwd])):  # each direction's initial h (its half's first state)
            e, a = call["outputs"][d], other["calls"][n]["outputs"][d]
            diff = ~within(e, a, tol["atol"], tol["rtol"])
            if not np.any(diff):
                continue
            ref = np.broadcast_to(h0[:, None, :], a.shape) if a.ndim == 3 else h0
            if not (np.all(a[diff] == ref[diff]) and np.all(e[diff] == 0.0)):
                return unexplained
    return ("JAX emits each direction's initial h at masked steps before that direction's first valid step (here "
            "fully masked rows); TensorFlow emits zeros there. States agree. TensorFlow is canonical "
            "(spec/bidirectional.md §7.5, spec/lstm.md §3.5.3, keras-semantics X1).")
