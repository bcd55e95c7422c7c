"""Spread between two runs of the same case (spec/fixture-format.md §4, spec/tolerance.md §2)."""
from __future__ import annotations

import numpy as np

from .tolerance import REL_FLOOR


def flat_arrays(result: dict) -> list[tuple[str, np.ndarray]]:
    out = []
    for n, call in enumerate(result["calls"]):
        for j, o in enumerate(call["outputs"]):
            out.append((f"calls[{n}].outputs[{j}]", o))
        for s in call["steps"]:
            where = f"layer {s['layer']}" + (f" {s['direction']}" if "direction" in s else "")
            out.append((f"calls[{n}].steps[{where}].h", s["h"]))
            if "c" in s:  # LSTM only
                out.append((f"calls[{n}].steps[{where}].c", s["c"]))
    return out


def spread(expected: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    e = np.asarray(expected, np.float64)
    a = np.asarray(actual, np.float64)
    if e.shape != a.shape:
        return float("inf"), float("inf")
    if e.size == 0:
        return 0.0, 0.0
    d = np.abs(a - e)
    d[~np.isfinite(d)] = np.inf
    big = np.abs(e) >= REL_FLOOR
    rel = float(np.max(d[big] / np.abs(e[big]))) if np.any(big) else 0.0
    return float(np.max(d)), rel


def within(expected: np.ndarray, actual: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    """Elementwise NaN-safe |a - e| <= atol + rtol |e| (spec/tolerance.md §1)."""
    e = np.asarray(expected, np.float64)
    a = np.asarray(actual, np.float64)
    ok = np.abs(a - e) <= atol + rtol * np.abs(e)
    return ok & np.isfinite(a) & np.isfinite(e)


def compare_runs(spec: dict, canonical: dict, other: dict, tol: dict, mats: dict) -> dict:
    """{max_abs, max_rel, agrees[, outputs, note]} for another backend's run (fixture-format §4)."""
    max_abs = max_rel = 0.0
    failing = []
    for (name, e), (_, a) in zip(flat_arrays(canonical), flat_arrays(other)):
        ab, rl = spread(e, a)
        max_abs, max_rel = max(max_abs, ab), max(max_rel, rl)
        if e.shape != a.shape or not np.all(within(e, a, tol["atol"], tol["rtol"])):
            failing.append(name)
    entry: dict = {"max_abs": max_abs, "max_rel": max_rel, "agrees": not failing}
    if failing:
        entry["outputs"] = [call["outputs"] for call in other["calls"]]
        entry["note"] = explain_disagreement(spec, canonical, other, failing, mats, tol)
    return entry


def explain_disagreement(spec: dict, canonical: dict, other: dict, failing: list[str], mats: dict, tol: dict) -> str:
    """Name the known backend difference (keras-semantics X1) when it accounts for every differing value."""
    if any(l["class_name"] == "Bidirectional" for l in spec["layers"]):
        from .bidirectional_spread import explain_bidirectional
        return explain_bidirectional(spec, canonical, other, failing, mats, tol)
    recurrent = [l for l in spec["layers"] if l["class_name"] in ("LSTM", "GRU", "SimpleRNN")]
    # A non-zero state before the first step: an initial_state, or (calls after the first) the state a
    # stateful first layer carried over from the previous call.
    carried = bool(recurrent[0]["config"].get("stateful")) and len(canonical["calls"]) > 1
    x1 = (all(f.endswith(".outputs[0]") for f in failing) and (spec.get("initial_state") or carried)
          and not any(l["config"].get("zero_output_for_mask") for l in recurrent))
    if x1:
        for n, call in enumerate(canonical["calls"]):
            e, a = call["outputs"][0], other["calls"][n]["outputs"][0]
            if "initial_state" in mats["calls"][n]:
                h0 = mats["calls"][n]["initial_state"][0]
            elif carried and n > 0:
                h0 = other["calls"][n - 1]["steps"][0]["h"][:, -1]  # that backend's own carried state
            else:
                h0 = np.zeros_like(e[:, 0] if e.ndim == 3 else e)
            diff = ~within(e, a, tol["atol"], tol["rtol"])
            if not np.any(diff):
                continue
            if e.ndim == 3:
                ref = np.broadcast_to(h0[:, None, :], a.shape)
            else:
                ref = h0
            same = (np.all(a[diff] == ref[diff]) if "initial_state" in mats["calls"][n]
                    else np.all(within(ref[diff], a[diff], tol["atol"], tol["rtol"])))  # a stepped-cell copy of the state
            if not (same and np.all(e[diff] == 0.0)):
                x1 = False
    if x1:
        chapter = {"GRU": "spec/gru.md", "SimpleRNN": "spec/simple-rnn.md"}.get(recurrent[0]["class_name"], "spec/lstm.md")
        if not spec.get("initial_state"):
            return ("JAX emits the initial h (the state the stateful layer carried over from the previous call) at masked "
                    "steps before the first valid step of a call (and for fully masked rows); TensorFlow emits zeros there. "
                    f"States agree. TensorFlow is canonical ({chapter}, keras-semantics X1).")
        return ("JAX emits the initial h at masked steps before the first valid step (and for fully masked rows); "
                f"TensorFlow emits zeros there. States agree. TensorFlow is canonical ({chapter}, keras-semantics X1).")
    return "UNEXPLAINED difference between backends in: " + ", ".join(failing)
