"""`cases --cases FILE --out DIR`: fixtures for a user's own case list, in the corpus format.

The list format is documented in scripts/README.md. A bad list gets one line per problem naming the entry
index and field, and exit status 2; no traceback.
"""
from __future__ import annotations

import json
import os
import re
import sys

from .materialize import MASK_PATTERNS
from .model_cases import EntryError, check_entry

PATH_RE = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*$")
ID_RE = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*/\d{3}$")
# The config keys a user case may set, per recurrent class (spec/lstm.md §3.13, spec/gru.md §3.13,
# spec/simple-rnn.md §3.13): the RNN base layer's, each cell's own (a GRU's reset_after, an LSTM's
# unit_forget_bias), and no recurrent_activation for a SimpleRNN (spec/simple-rnn.md §3.8).
COMMON_KEYS = {
    "units", "activation", "use_bias", "return_sequences", "return_state", "go_backwards", "stateful",
    "zero_output_for_mask", "kernel_initializer", "recurrent_initializer", "bias_initializer", "unroll",
}
LAYER_KEYS = {
    "LSTM": COMMON_KEYS | {"recurrent_activation", "unit_forget_bias"},
    "GRU": COMMON_KEYS | {"recurrent_activation", "reset_after"},
    "SimpleRNN": COMMON_KEYS,
}
LSTM_KEYS = LAYER_KEYS["LSTM"]
BOOL_KEYS = {"use_bias", "return_sequences", "return_state", "go_backwards", "stateful", "zero_output_for_mask",
             "unit_forget_bias", "unroll", "reset_after"}
ENTRY_KEYS = {"id", "description", "seed", "layers", "input_shape", "mask", "initial_state", "calls", "input_scale"}
WEIGHT_SCHEMES = ("scaled", "keras", "saturating")


class CaseListError(Exception):
    pass


def _posint(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def validate(doc: object, source: str) -> tuple[dict, list[str]]:
    """Returns (header, specs) or raises CaseListError with every problem, one per line."""
    errs: list[str] = []
    if isinstance(doc, list):
        doc = {"cases": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list) or not doc["cases"]:
        raise CaseListError(f"{source}: expected a non-empty JSON array of cases or an object with a non-empty \"cases\" array")
    family = doc.get("family", "user/cases")
    if not isinstance(family, str) or not PATH_RE.match(family):
        errs.append(f"{source}: family: must be a path like \"user/my-model\" (lowercase, digits, _ and -)")
        family = "user/cases"
    package = doc.get("keras_package", "keras")
    if package not in ("keras", "tf_keras"):
        errs.append(f"{source}: keras_package: must be \"keras\" or \"tf_keras\"")
    base = os.path.dirname(os.path.abspath(source))  # model entries' paths are relative to the list
    model_packages: list[tuple[int, str, str]] = []  # (entry index, package, why) of model entries
    for k in doc:
        if k not in ("family", "description", "keras_package", "cases"):
            errs.append(f"{source}: {k}: unknown top-level field")
    specs, seen = [], set()
    for i, e in enumerate(doc["cases"]):
        where = f"{source}: cases[{i}]"
        if not isinstance(e, dict):
            errs.append(f"{where}: must be an object")
            continue
        cid = e.get("id", f"{family}/case/{i + 1:03d}")
        if not isinstance(cid, str) or not ID_RE.match(cid) or not cid.startswith(family + "/"):
            errs.append(f"{where}.id: must be \"{family}/<variant>/<3 digits>\"")
        elif cid in seen:
            errs.append(f"{where}.id: duplicate id {cid}")
        seen.add(cid)
        if "model" in e:
            parts, problems = check_entry(e, where, base)
            errs += problems
            if "package" in parts:
                model_packages.append((i, parts["package"], parts["package_reason"]))
            specs.append({"id": cid, "description": e.get("description"), "family": family, "package": package,
                          "seed": 0, "layer": e.get("layer"), "layers": [], "shape": None, "mask": None,
                          "initial_state": False, "calls": 1, "input_scale": 1.0, "_parts": parts})
            continue
        for k in e:
            if k not in ENTRY_KEYS:
                errs.append(f"{where}.{k}: unknown field (known: {', '.join(sorted(ENTRY_KEYS))}; "
                            "a saved-model entry has \"model\")")
        shape = e.get("input_shape")
        if not (isinstance(shape, list) and len(shape) == 3 and all(_posint(d) for d in shape)):
            errs.append(f"{where}.input_shape: must be [batch, timesteps, input_dim], positive integers")
            shape = None
        seed = e.get("seed", i + 1)
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            errs.append(f"{where}.seed: must be a non-negative integer")
        calls = e.get("calls", 1)
        if not _posint(calls):
            errs.append(f"{where}.calls: must be a positive integer")
        scale = e.get("input_scale", 1.0)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
            errs.append(f"{where}.input_scale: must be a positive number")
        if not isinstance(e.get("initial_state", False), bool):
            errs.append(f"{where}.initial_state: must be true or false")
        layers = e.get("layers")
        if not isinstance(layers, list) or not layers:
            errs.append(f"{where}.layers: must be a non-empty array")
            layers = []
        recurrent_seen = False
        for j, l in enumerate(layers):
            lw = f"{where}.layers[{j}]"
            if not isinstance(l, dict):
                errs.append(f"{lw}: must be an object")
                continue
            cls, cfg = l.get("class_name"), l.get("config", {})
            if not isinstance(cfg, dict):
                errs.append(f"{lw}.config: must be an object")
                continue
            if cls == "Masking":
                if j != 0:
                    errs.append(f"{lw}.class_name: a Masking layer may only come first")
                for k, v in cfg.items():
                    if k != "mask_value":
                        errs.append(f"{lw}.config.{k}: unknown Masking option (only mask_value)")
                    elif isinstance(v, bool) or not isinstance(v, (int, float)):
                        errs.append(f"{lw}.config.mask_value: must be a number")
            elif cls in LAYER_KEYS:
                recurrent_seen = True
                keys = LAYER_KEYS[cls]
                if not _posint(cfg.get("units")):
                    errs.append(f"{lw}.config.units: must be a positive integer")
                for k, v in cfg.items():
                    if k not in keys:
                        errs.append(f"{lw}.config.{k}: unsupported {cls} option (supported: {', '.join(sorted(keys))})")
                    elif k in BOOL_KEYS and not isinstance(v, bool):
                        errs.append(f"{lw}.config.{k}: must be true or false")
                    elif k in ("activation", "recurrent_activation") and not isinstance(v, str):
                        errs.append(f"{lw}.config.{k}: must be an activation name such as \"tanh\"")
                if l.get("weights", "scaled") not in WEIGHT_SCHEMES:
                    errs.append(f"{lw}.weights: must be one of {', '.join(WEIGHT_SCHEMES)}")
            else:
                errs.append(f"{lw}.class_name: must be \"LSTM\", \"GRU\", \"SimpleRNN\" or \"Masking\"")
        if layers and not recurrent_seen:
            errs.append(f"{where}.layers: needs at least one recurrent layer (LSTM, GRU or SimpleRNN)")
        mask = e.get("mask")
        if mask is not None:
            if isinstance(mask, str):
                if mask not in MASK_PATTERNS:
                    errs.append(f"{where}.mask: pattern must be one of {', '.join(MASK_PATTERNS)}")
            elif shape and not (isinstance(mask, list) and len(mask) == shape[0] and all(
                    isinstance(r, list) and len(r) == shape[1] and all(isinstance(b, bool) for b in r) for r in mask)):
                errs.append(f"{where}.mask: must be a pattern name or a [batch][timesteps] array of true/false")
        specs.append({
            "id": cid, "description": e.get("description") or f"user case {cid}", "family": family,
            "package": package, "seed": seed, "layers": [
                {"class_name": l.get("class_name"), "config": l.get("config", {}), **({"weights": l.get("weights", "scaled")} if l.get("class_name") in LAYER_KEYS else {})}
                for l in layers if isinstance(l, dict)],
            "shape": shape, "mask": mask, "initial_state": bool(e.get("initial_state", False)), "calls": calls,
            "input_scale": float(scale) if isinstance(scale, (int, float)) else 1.0,
        })
    # One file has one provenance (one Keras package): a saved model's package decides it unless
    # keras_package is given; an entry that needs the other package is refused, not run with the wrong one.
    if model_packages and "keras_package" not in doc:
        package = model_packages[0][1]
        for spec in specs:
            spec["package"] = package
    for i, pkg, why in model_packages:
        if pkg != package:
            errs.append(f"{source}: cases[{i}].model: needs {pkg} ({why}) but this list runs {package}; "
                        "give it a case list of its own")
    if errs:
        raise CaseListError("\n".join(errs))
    return {"family": family, "description": doc.get("description") or f"User cases from {os.path.basename(source)}",
            "package": package}, specs


def main_cases(path: str, out: str, with_jax: bool) -> int:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        print(f"error: {path}: cannot read: {e.strerror}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as e:
        print(f"error: {path}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}", file=sys.stderr)
        return 2
    try:
        header, specs = validate(doc, path)
    except CaseListError as e:
        for line in str(e).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    os.environ["KERAS_BACKEND"] = "tensorflow"
    from . import encode
    from .corpus import manifest_text, write
    from .pipeline import build_cases, family_document, keras_module, prepare
    from .run import run_case
    from .model_cases import resolve
    # Saved-model entries: load the model, take the layer, check the input against it (still a bad list: exit 2).
    given: list = [None] * len(specs)
    models: dict = {}
    problems = []
    for i, spec in enumerate(specs):
        parts = spec.pop("_parts", None)
        if parts is not None:
            try:
                given[i] = resolve(spec, parts, models, f"{path}: cases[{i}]")
            except EntryError as e:
                problems.append(str(e))
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    if problems:
        return 2
    # Each case alone first, so one Keras refusal names its case and the others still run.
    good, good_mats, failed = [], [], 0
    for i, spec in enumerate(specs):
        try:
            mats = given[i] if given[i] is not None else prepare([spec])[0]
            run_case(keras_module(spec["package"]), spec, mats)
            good.append(spec)
            good_mats.append(mats)
        except Exception as e:  # noqa: BLE001 - reported per case, the run goes on
            failed += 1
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            print(f"error: {path}: cases[{i}] ({spec['id']}): Keras refused the case: {type(e).__name__}: {msg}", file=sys.stderr)
    if good:
        cases, _ = build_cases(good, with_jax and header["package"] == "keras", good_mats)
        doc_out = family_document(header["family"], header["description"], header["package"], 0, cases,
                                  with_jax and header["package"] == "keras")
        name = header["family"].split("/")[-1] + ".json"
        write(os.path.join(out, name), encode.dumps_file(doc_out, "cases"))
        from .schema_check import validate_files
        valid, message = validate_files([os.path.join(out, name)])
        if not valid:
            print(f"error: {message}", file=sys.stderr)
            return 1
        write(os.path.join(out, "manifest.json"), manifest_text(out))
        print(f"wrote {len(good)} case(s) to {os.path.join(out, name)}")
    return 2 if failed else 0
