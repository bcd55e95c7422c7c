"""Runs gradient cases on the backend named by KERAS_BACKEND (JAX, for the spread; spec/gradients.md §6).

The parent (gradient_corpus.py) writes the specs, inputs, the canonical run's weights and the cotangents
to `<workdir>/in.pickle`; this process writes `<workdir>/out.pickle`: per case its result or its error.
"""
from __future__ import annotations

import os
import pickle
import sys

from .gradient_run import run_gradients


def main(workdir: str) -> int:
    import keras

    with open(os.path.join(workdir, "in.pickle"), "rb") as f:
        jobs = pickle.load(f)
    results, errors = [], {}
    for k, job in enumerate(jobs):
        try:
            results.append(run_gradients(keras, job["spec"], job["mats"], job["cotangents"], zero_init=True))
        except Exception as e:  # noqa: BLE001 - reported to the parent per case, the run goes on
            results.append(None)
            errors[k] = f"{type(e).__name__}: {e}"
    with open(os.path.join(workdir, "out.pickle"), "wb") as f:
        pickle.dump({"backend": keras.backend.backend(), "results": results, "errors": errors}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
