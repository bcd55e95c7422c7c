"""The tolerance policy every gradient case's `tolerance` field is written from (spec/gradients.md §6.3).

Mirrored by conformance/gradients/tolerance.ts: change both together.

A gradient element g matches Keras's e when both are finite and |g - e| <= atol * scale + rtol * |e|, where
`scale` = max(1, max |e| over that gradient tensor). The scale is the tensor's own size: a weight gradient is
a sum of B*T terms, and an element that cancels to near zero carries the rounding of terms the size of the
tensor's largest element (spec/gradients.md §6.2).
"""
from __future__ import annotations

BASE = 1e-5
MEASURED_STEPS = 1000
CAP = 1e-3


def processed_steps(spec: dict) -> int:
    return int(spec["shape"][1]) * int(spec.get("calls", 1))


def policy(spec: dict) -> dict:
    value = min(CAP, BASE * max(1.0, (processed_steps(spec) / MEASURED_STEPS) ** 0.5))
    value = float(f"{value:.3g}")
    return {"atol": value, "rtol": value, "source": "policy"}
