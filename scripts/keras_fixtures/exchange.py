"""Arrays between the canonical process and a second-backend subprocess, as one .npz (issue 2:
the Keras backend is fixed at import, so JAX runs in its own process)."""
from __future__ import annotations

import numpy as np

from .materialize import WEIGHTED

DIRECTION_CODES = ("forward", "backward")  # a Bidirectional layer's step records (spec/fixture-format.md §3.2)


def pack_mats(mats_list: list[dict], weights_list: list[list]) -> dict[str, np.ndarray]:
    """Inputs of every case plus the canonical run's weights (so the other backend uses the same ones)."""
    arrays: dict[str, np.ndarray] = {}
    for k, (mats, weights) in enumerate(zip(mats_list, weights_list)):
        for li, ws in enumerate(weights):
            if ws is not None:
                for j, w in enumerate(ws):
                    arrays[f"c{k}_w{li}_{j}"] = w
        for n, call in enumerate(mats["calls"]):
            arrays[f"c{k}_call{n}_x"] = call["x"]
            if "mask" in call:
                arrays[f"c{k}_call{n}_mask"] = call["mask"]
            for j, state in enumerate(call.get("initial_state", [])):
                arrays[f"c{k}_call{n}_s{j}"] = state  # [h0, c0] (LSTM) or [h0] (GRU, SimpleRNN)
    return arrays


def unpack_mats(arrays, k: int, spec: dict) -> dict:
    weights = []
    for li, layer in enumerate(spec["layers"]):
        if layer["class_name"] not in WEIGHTED:
            weights.append(None)
            continue
        ws, j = [], 0
        while f"c{k}_w{li}_{j}" in arrays:
            ws.append(arrays[f"c{k}_w{li}_{j}"])
            j += 1
        weights.append(ws)
    calls = []
    for n in range(spec.get("calls", 1)):
        call = {"x": arrays[f"c{k}_call{n}_x"]}
        if f"c{k}_call{n}_mask" in arrays:
            call["mask"] = arrays[f"c{k}_call{n}_mask"]
        states, j = [], 0
        while f"c{k}_call{n}_s{j}" in arrays:
            states.append(arrays[f"c{k}_call{n}_s{j}"])
            j += 1
        if states:
            call["initial_state"] = states
        calls.append(call)
    return {"weights": weights, "calls": calls}


def pack_result(arrays: dict, k: int, result: dict) -> None:
    for n, call in enumerate(result["calls"]):
        for j, o in enumerate(call["outputs"]):
            arrays[f"c{k}_call{n}_out{j}"] = o
        for s_i, s in enumerate(call["steps"]):
            arrays[f"c{k}_call{n}_step{s_i}_h"] = s["h"]
            if "c" in s:  # LSTM only
                arrays[f"c{k}_call{n}_step{s_i}_c"] = s["c"]
            arrays[f"c{k}_call{n}_step{s_i}_layer"] = np.array(s["layer"])
            if "direction" in s:
                arrays[f"c{k}_call{n}_step{s_i}_dir"] = np.array(DIRECTION_CODES.index(s["direction"]))


def unpack_result(arrays, k: int, n_calls: int) -> dict:
    calls = []
    for n in range(n_calls):
        outs, j = [], 0
        while f"c{k}_call{n}_out{j}" in arrays:
            outs.append(arrays[f"c{k}_call{n}_out{j}"])
            j += 1
        steps, s_i = [], 0
        while f"c{k}_call{n}_step{s_i}_h" in arrays:
            step = {"layer": int(arrays[f"c{k}_call{n}_step{s_i}_layer"]), "h": arrays[f"c{k}_call{n}_step{s_i}_h"]}
            if f"c{k}_call{n}_step{s_i}_c" in arrays:
                step["c"] = arrays[f"c{k}_call{n}_step{s_i}_c"]
            if f"c{k}_call{n}_step{s_i}_dir" in arrays:
                step["direction"] = DIRECTION_CODES[int(arrays[f"c{k}_call{n}_step{s_i}_dir"])]
            steps.append(step)
            s_i += 1
        calls.append({"outputs": outs, "steps": steps})
    return {"calls": calls}
