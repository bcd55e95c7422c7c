#!/usr/bin/env python3
"""Measurements behind spec/tolerance.md (run: bash scripts/keras-env.sh python scripts/measure_tolerance.py).

1. TF-vs-JAX spread of Keras 3.15.1 against the number of timesteps.
2. Distance between an exact-as-possible float64 LSTM (numpy, written here and ONLY here, never used to
   produce expected values) and Keras's float32 results, against the number of timesteps.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from keras_fixtures.compare import spread  # noqa: E402
from keras_fixtures.families import lstm  # noqa: E402
from keras_fixtures.pipeline import BackendRun, keras_module, prepare  # noqa: E402
from keras_fixtures.run import run_case  # noqa: E402

ACT = {"tanh": np.tanh, "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
       "hard_sigmoid": lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0)}


def lstm_float64(x, kernel, recurrent, bias, activation="tanh", recurrent_activation="sigmoid"):
    """Measurement only: float64 LSTM (spec/lstm.md math), returns the h sequence and the final c."""
    x, W, U = (np.asarray(a, np.float64) for a in (x, kernel, recurrent))
    b = np.zeros(W.shape[1]) if bias is None else np.asarray(bias, np.float64)
    B, T, _ = x.shape
    u = U.shape[0]
    h, c = np.zeros((B, u)), np.zeros((B, u))
    act, ract = ACT[activation], ACT[recurrent_activation]
    hs = []
    for t in range(T):
        z = x[:, t] @ W + h @ U + b
        i, f, g, o = ract(z[:, :u]), ract(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), ract(z[:, 3 * u:])
        c = f * c + i * g
        h = o * act(c)
        hs.append(h)
    return np.stack(hs, 1), h, c


def specs_for(T_values, scheme, seeds, input_scale=1.0, recurrent_activation="sigmoid"):
    out = []
    for T in T_values:
        for s in seeds:
            out.append({"id": f"measure/{scheme}/t{T}/{s:03d}", "description": "measure", "family": "measure",
                        "package": "keras", "seed": 50000 + 7 * T + s, "shape": [4, T, 8],
                        "layers": [lstm(16, weights=scheme, return_sequences=True, return_state=True,
                                        recurrent_activation=recurrent_activation)],
                        "mask": None, "initial_state": False, "calls": 1, "input_scale": input_scale})
    return out


def main() -> int:
    import keras
    groups = [
        ("scaled", specs_for([1, 10, 30, 100, 300, 1000], "scaled", [1, 2])),
        ("keras init", specs_for([1, 10, 30, 100, 300, 1000], "keras", [1, 2])),
        ("saturating x10", specs_for([1, 10, 30, 100, 300], "saturating", [1, 2], input_scale=10.0)),
        ("hard_sigmoid", specs_for([10, 100, 300], "scaled", [1, 2], recurrent_activation="hard_sigmoid")),
    ]
    all_specs = [s for _, g in groups for s in g]
    mats = prepare(all_specs)
    # outputs only (steps would only repeat the same numbers): strip the per-step loop by asking run_case
    jax_run = BackendRun("jax", all_specs, mats)
    tf_results = [run_case(keras_module("keras"), s, m) for s, m in zip(all_specs, mats)]
    jax_results = jax_run.results()
    print(f"{'group':16s} {'T':>5s} | {'TF-JAX abs':>10s} {'rel':>9s} | {'f64-TF abs':>10s} {'rel':>9s} | {'f64-JAX abs':>11s} {'rel':>9s}")
    k = 0
    for label, g in groups:
        by_T: dict = {}
        for s in g:
            tf_r, jx_r, m = tf_results[k], jax_results[k], mats[k]
            k += 1
            kernel, rec, bias = m["weights"][0]
            seq64, h64, c64 = lstm_float64(m["calls"][0]["x"], kernel, rec, bias,
                                           recurrent_activation=s["layers"][0]["config"]["recurrent_activation"])
            row = by_T.setdefault(s["shape"][1], [0.0] * 6)
            pairs = [(tf_r, jx_r)]
            for n, (e, a) in enumerate(zip(tf_r["calls"][0]["outputs"], jx_r["calls"][0]["outputs"])):
                ab, rl = spread(e, a)
                row[0], row[1] = max(row[0], ab), max(row[1], rl)
            for base, slot in ((tf_r, 2), (jx_r, 4)):
                outs = base["calls"][0]["outputs"]
                for e64, kv in ((seq64, outs[0]), (h64, outs[1]), (c64, outs[2])):
                    ab, rl = spread(e64, kv)
                    row[slot], row[slot + 1] = max(row[slot], ab), max(row[slot + 1], rl)
            del pairs
        for T, r in sorted(by_T.items()):
            print(f"{label:16s} {T:5d} | {r[0]:10.3g} {r[1]:9.3g} | {r[2]:10.3g} {r[3]:9.3g} | {r[4]:11.3g} {r[5]:9.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
