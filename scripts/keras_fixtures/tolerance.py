"""The tolerance policy every case's `tolerance` field is written from (spec/tolerance.md §4)."""
from __future__ import annotations

# spec/tolerance.md §4: atol = rtol = 1e-5 for up to MEASURED_STEPS processed steps (timesteps x calls);
# beyond the measured range the bound grows with sqrt(steps / MEASURED_STEPS), capped at CAP.
BASE = 1e-5
MEASURED_STEPS = 1000
CAP = 1e-3  # far below the 1e-2 bound of the schema

REL_FLOOR = 1e-3  # max_rel is taken over |expected| >= REL_FLOOR (spec/tolerance.md §2)


def processed_steps(spec: dict) -> int:
    return int(spec["shape"][1]) * int(spec.get("calls", 1))


def policy(spec: dict) -> dict:
    value = min(CAP, BASE * max(1.0, (processed_steps(spec) / MEASURED_STEPS) ** 0.5))
    value = float(f"{value:.3g}")
    return {"atol": value, "rtol": value, "source": "policy"}
