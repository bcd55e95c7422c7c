"""Spec -> Keras runs (TensorFlow canonical, JAX in a subprocess) -> fixture file dicts (spec/fixture-format.md)."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata

import numpy as np

from . import encode
from .compare import compare_runs, spread, flat_arrays
from .exchange import pack_mats, unpack_result
from .materialize import RECURRENT, materialize
from .run import GenerationError, run_case
from .tolerance import policy

SCRIPTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
GENERATOR = os.path.join(SCRIPTS_DIR, "generate_fixtures.py")
WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")


def generator_sha256() -> str:
    """sha256 over the generator's source: generate_fixtures.py and keras_fixtures/*.py, sorted by path."""
    h = hashlib.sha256()
    files = [GENERATOR] + sorted(
        os.path.join(SCRIPTS_DIR, "keras_fixtures", n)
        for n in os.listdir(os.path.join(SCRIPTS_DIR, "keras_fixtures")) if n.endswith(".py"))
    for path in files:
        h.update(os.path.relpath(path, REPO_ROOT).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    return h.hexdigest()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def provenance(package: str, seed: int, with_jax: bool) -> dict:
    import tensorflow as tf
    return {
        "generator": "scripts/generate_fixtures.py",
        "generator_sha256": generator_sha256(),
        "keras_package": package,
        "keras": _version("tf-keras" if package == "tf_keras" else "keras"),
        "backend": "tensorflow",
        "tensorflow": tf.__version__,
        "jax": _version("jax") if with_jax else None,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "seed": seed,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
    }


def keras_module(package: str):
    if package == "tf_keras":
        import tf_keras
        return tf_keras
    import keras
    return keras


def prepare(specs: list[dict]) -> list[dict]:
    """Inputs and weights of every case; 'keras'-scheme weights come from the layer's own initialisers."""
    from .run import initial_weights
    mats_list = []
    for spec in specs:
        mats = materialize(spec)
        if any(w is None for w, l in zip(mats["weights"], spec["layers"]) if l["class_name"] in RECURRENT):
            built = initial_weights(keras_module(spec["package"]), spec)
            mats["weights"] = [g if g is not None else b for g, b in zip(mats["weights"], built)]
        mats_list.append(mats)
    return mats_list


class BackendRun:
    """The same cases, same weights, on another Keras 3 backend, in a fresh process running beside us."""

    def __init__(self, backend: str, specs: list[dict], mats_list: list[dict]) -> None:
        self.backend, self.specs = backend, specs
        self.tmp = tempfile.TemporaryDirectory(prefix="keras-fixtures-")
        with open(os.path.join(self.tmp.name, "specs.json"), "w", encoding="utf-8") as f:
            json.dump(specs, f)
        np.savez(os.path.join(self.tmp.name, "inputs.npz"), **pack_mats(mats_list, [m["weights"] for m in mats_list]))
        env = dict(os.environ, KERAS_BACKEND=backend, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2",
                   PYTHONPATH=SCRIPTS_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.stderr = open(os.path.join(self.tmp.name, "stderr.txt"), "w+", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "keras_fixtures.backend_worker", self.tmp.name],
                                     env=env, stdout=subprocess.DEVNULL, stderr=self.stderr)

    def abort(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.stderr.close()
        self.tmp.cleanup()

    def results(self) -> list[dict]:
        try:
            code = self.proc.wait()
            self.stderr.seek(0)
            if code != 0:
                raise GenerationError(f"{self.backend} worker failed:\n{self.stderr.read()[-3000:]}")
            with open(os.path.join(self.tmp.name, "errors.json"), encoding="utf-8") as f:
                report = json.load(f)
            if report["backend"] != self.backend:
                raise GenerationError(f"worker ran on {report['backend']}, not {self.backend}")
            for k, msg in report["errors"].items():
                raise GenerationError(f"{self.specs[int(k)]['id']}: {self.backend} run failed: {msg}")
            arrays = dict(np.load(os.path.join(self.tmp.name, "outputs.npz")))
            return [unpack_result(arrays, k, spec.get("calls", 1)) for k, spec in enumerate(self.specs)]
        finally:
            self.stderr.close()
            self.tmp.cleanup()


def assemble_case(spec: dict, mats: dict, result: dict, tol: dict, backends: dict) -> dict:
    def named(ws: list) -> list[dict]:
        return [encode.float_tensor(w, WEIGHT_NAMES[j]) for j, w in enumerate(ws)]

    layers = []
    for l, cfg, ws in zip(spec["layers"], result["configs"], result["weights"]):
        if l["class_name"] == "Bidirectional":
            # spec/fixture-format.md §3.1: one layer, its two sub-layers each in its own layout
            layers.append({"class_name": "Bidirectional", "config": encode.to_plain(cfg["config"]),
                           **{d: {"class_name": cfg[d]["class_name"], "config": encode.to_plain(cfg[d]["config"]),
                                  "weights": named(ws[d])} for d in ("forward", "backward")}})
            continue
        entry: dict = {"class_name": l["class_name"], "config": encode.to_plain(cfg)}
        if ws is not None:
            entry["weights"] = named(ws)
        layers.append(entry)
    calls = []
    for call_in, call_out in zip(mats["calls"], result["calls"]):
        inputs: dict = {"x": encode.float_tensor(call_in["x"])}
        if "mask" in call_in:
            inputs["mask"] = encode.bool_tensor(call_in["mask"])
        if "initial_state" in call_in:
            inputs["initial_state"] = [encode.float_tensor(s) for s in call_in["initial_state"]]
        calls.append({
            "inputs": inputs,
            "outputs": [encode.float_tensor(o) for o in call_out["outputs"]],
            # per-step states: h and c for an LSTM, h alone for a GRU or SimpleRNN (spec/fixture-format.md §3.2)
            "steps": [{"layer": s["layer"], **({"direction": s["direction"]} if "direction" in s else {}),
                       **{k: encode.float_tensor(s[k]) for k in ("h", "c") if k in s}}
                      for s in call_out["steps"]],
        })
    return {
        "id": spec["id"], "description": spec["description"], "seed": int(spec["seed"]),
        "layers": layers, "calls": calls, "tolerance": tol, "backends": backends,
    }


def encode_backend_entry(entry: dict) -> dict:
    out = {"max_abs": float(np.float32(entry["max_abs"])), "max_rel": float(np.float32(entry["max_rel"])),
           "agrees": entry["agrees"]}
    if "outputs" in entry:
        out["outputs"] = [[encode.float_tensor(o) for o in call] for call in entry["outputs"]]
        out["note"] = entry["note"]
    return out


def build_cases(specs: list[dict], with_jax: bool = True, mats_list: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """Fixture case dicts plus per-case stats {id, family, steps, jax} for the spread summary.

    Keras 3 cases also run on JAX (in a subprocess started first, so both backends run at once);
    tf_keras cases run on TensorFlow only. `mats_list`: weights and inputs given instead of drawn
    (a user's saved model, model_cases.py)."""
    if mats_list is None:
        mats_list = prepare(specs)
    jax_idx = [k for k, s in enumerate(specs) if with_jax and s["package"] == "keras"]
    jax_run = BackendRun("jax", [specs[k] for k in jax_idx], [mats_list[k] for k in jax_idx]) if jax_idx else None
    try:
        results = [run_case(keras_module(spec["package"]), spec, mats) for spec, mats in zip(specs, mats_list)]
    except BaseException:
        if jax_run is not None:
            jax_run.abort()
        raise
    others: list = [None] * len(specs)
    if jax_run is not None:
        for k, r in zip(jax_idx, jax_run.results()):
            others[k] = r
    cases, stats = [], []
    for spec, mats, result, other in zip(specs, mats_list, results, others):
        tol = policy(spec)
        backends = {}
        stat = {"id": spec["id"], "family": spec.get("family"), "steps": int(spec["shape"][1]), "jax": None}
        if other is not None:
            entry = compare_runs(spec, result, other, tol, mats)
            backends["jax"] = encode_backend_entry(entry)
            stat["jax"] = entry
        cases.append(assemble_case(spec, mats, result, tol, backends))
        stats.append(stat)
    return cases, stats


def family_document(family: str, description: str, package: str, seed: int, cases: list[dict], with_jax: bool) -> dict:
    return {
        "format_version": 1,
        "family": family,
        "description": description,
        "provenance": provenance(package, seed, with_jax),
        "cases": sorted(cases, key=lambda c: c["id"]),
    }


__all__ = ["build_cases", "family_document", "generator_sha256", "spread", "flat_arrays", "REPO_ROOT"]
