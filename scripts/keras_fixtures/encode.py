"""Tensor encoding and deterministic JSON output (spec/fixture-format.md §3.3)."""
from __future__ import annotations

import json
import math

import numpy as np


class RawJson:
    """A JSON fragment already encoded (float arrays whose text is fixed by §3.3)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def float32_texts(values: np.ndarray) -> list[str]:
    """Shortest float32 decimal for every value, checked to survive float64 parsing then float32 rounding.

    spec/fixture-format.md §3.3: numpy's shortest float32 repr; where parsing it as binary64 and rounding
    to float32 does not give the same bits (double rounding), the exact binary64 repr is written instead.
    """
    flat = np.ascontiguousarray(values, dtype=np.float32).ravel()
    if not np.all(np.isfinite(flat)):
        raise ValueError("NaN or infinity in a tensor: a fixture cannot hold it (spec/fixture-format.md §3.3)")
    texts = [str(v) for v in flat]
    back = np.array([float(t) for t in texts], dtype=np.float64).astype(np.float32)
    bad = np.nonzero(back.view(np.uint32) != flat.view(np.uint32))[0]
    for k in bad:
        texts[k] = repr(float(flat[k]))
        if np.float32(float(texts[k])).view(np.uint32) != flat[k].view(np.uint32):
            raise AssertionError(f"float32 {flat[k]!r} does not round-trip even as binary64")
    return texts


def float_tensor(values: np.ndarray, name: str | None = None) -> dict:
    arr = np.asarray(values, dtype=np.float32)
    out: dict = {}
    if name is not None:
        out["name"] = name
    out["dtype"] = "float32"
    out["shape"] = [int(d) for d in arr.shape]
    out["data"] = RawJson("[" + ",".join(float32_texts(arr)) + "]")
    return out


def bool_tensor(values: np.ndarray) -> dict:
    arr = np.asarray(values, dtype=bool)
    return {
        "dtype": "bool",
        "shape": [int(d) for d in arr.shape],
        "data": RawJson("[" + ",".join("true" if v else "false" for v in arr.ravel()) + "]"),
    }


def decode_tensor(t: dict) -> np.ndarray:
    """Parse a tensor written by float_tensor/bool_tensor (after json.loads)."""
    if t["dtype"] == "bool":
        return np.array(t["data"], dtype=bool).reshape(t["shape"])
    return np.array(t["data"], dtype=np.float64).astype(np.float32).reshape(t["shape"])


def dumps(obj: object) -> str:
    """Compact JSON, keys in insertion order (the generator builds dicts in a fixed order)."""
    if isinstance(obj, RawJson):
        return obj.text
    if isinstance(obj, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + dumps(v) for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in obj) + "]"
    if isinstance(obj, bool) or obj is None:
        return json.dumps(obj)
    if isinstance(obj, (int, np.integer)):
        return str(int(obj))
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        if not math.isfinite(f):
            raise ValueError("NaN or infinity cannot be written to JSON")
        return repr(f)
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def dumps_file(top: dict, list_key: str | None) -> str:
    """A file with one top-level field per line and, for list_key, one element (one case) per line."""
    lines = ["{"]
    items = list(top.items())
    for n, (k, v) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        if k == list_key and isinstance(v, list):
            lines.append(json.dumps(k) + ":[")
            for m, el in enumerate(v):
                lines.append(dumps(el) + ("," if m < len(v) - 1 else ""))
            lines.append("]" + comma)
        else:
            lines.append(json.dumps(k) + ":" + dumps(v) + comma)
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_plain(obj: object) -> object:
    """Config values from Keras (tuples, numpy scalars) as plain JSON values."""
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
