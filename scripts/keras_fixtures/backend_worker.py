"""Runs cases on the backend named by KERAS_BACKEND (set by the parent before this process imported Keras)."""
from __future__ import annotations

import json
import os
import sys

import numpy as np

from .exchange import pack_result, unpack_mats
from .run import run_case


def main(workdir: str) -> int:
    import keras

    with open(os.path.join(workdir, "specs.json"), encoding="utf-8") as f:
        specs = json.load(f)
    arrays = dict(np.load(os.path.join(workdir, "inputs.npz")))
    out: dict = {}
    errors: dict = {}
    for k, spec in enumerate(specs):
        try:
            result = run_case(keras, spec, unpack_mats(arrays, k, spec), zero_init=True)
            pack_result(out, k, result)
        except Exception as e:  # noqa: BLE001 - reported to the parent per case, the run goes on
            errors[str(k)] = f"{type(e).__name__}: {e}"
    np.savez(os.path.join(workdir, "outputs.npz"), **out)
    with open(os.path.join(workdir, "errors.json"), "w", encoding="utf-8") as f:
        json.dump({"backend": keras.backend.backend(), "errors": errors}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
