"""`generate_gradients.py generate | verify | measure`: the gradient corpus (spec/gradients.md §5, §6).

TensorFlow (tf.GradientTape) is canonical; the same cases run on JAX (jax.vjp) in a subprocess started
first, so both backends run at once; their spread is recorded per case under `backends.jax` and printed
per family. Expected values come only from Keras.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time

import numpy as np

from . import encode
from .compare import spread
from .corpus import manifest_text, write
from .gradient_families import CELLS, FAMILY_DESCRIPTIONS, cell_cases, gradient_file
from .gradient_run import draw_cotangents, run_gradients
from .gradient_tolerance import policy
from .materialize import RECURRENT
from .pipeline import REPO_ROOT, SCRIPTS_DIR, WEIGHT_NAMES, keras_module, prepare, provenance
from .run import GenerationError

GENERATOR = os.path.join(SCRIPTS_DIR, "generate_gradients.py")
SCHEMA = os.path.join(REPO_ROOT, "spec", "gradient-fixture.schema.json")
FORMAT_VERSION = 1

# ajv (node) as conformance/gradients/load.ts runs it: the gradient schema references the forward one.
AJV_SCRIPT = r"""
import Ajv2020 from "ajv/dist/2020.js";
import { readFileSync } from "node:fs";
const [forward, schema, ...files] = process.argv.slice(1);
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(JSON.parse(readFileSync(forward, "utf8")));
const validate = ajv.compile(JSON.parse(readFileSync(schema, "utf8")));
let bad = 0;
for (const file of files) {
  if (!validate(JSON.parse(readFileSync(file, "utf8")))) {
    bad++;
    for (const e of validate.errors.slice(0, 5)) console.log(`${file}: ${e.instancePath || "/"}: ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
"""


def generator_sha256() -> str:
    """sha256 over generate_gradients.py and keras_fixtures/*.py (the forward code it builds and calls the
    model with included), sorted by path."""
    h = hashlib.sha256()
    folder = os.path.join(SCRIPTS_DIR, "keras_fixtures")
    for path in [GENERATOR] + sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".py")):
        h.update(os.path.relpath(path, REPO_ROOT).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    return h.hexdigest()


# ---- running both backends -------------------------------------------------------------------------------


def _jax_worker(jobs: list[dict]) -> tuple[subprocess.Popen, tempfile.TemporaryDirectory]:
    tmp = tempfile.TemporaryDirectory(prefix="keras-gradients-")
    with open(os.path.join(tmp.name, "in.pickle"), "wb") as f:
        pickle.dump(jobs, f)
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=SCRIPTS_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "keras_fixtures.gradient_worker", tmp.name], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp.name, "stderr.txt"), "w"))
    return proc, tmp


def _jax_results(proc: subprocess.Popen, tmp: tempfile.TemporaryDirectory, specs: list[dict]) -> list[dict]:
    try:
        if proc.wait() != 0:
            with open(os.path.join(tmp.name, "stderr.txt"), encoding="utf-8") as f:
                raise GenerationError(f"jax worker failed:\n{f.read()[-3000:]}")
        with open(os.path.join(tmp.name, "out.pickle"), "rb") as f:
            report = pickle.load(f)
        if report["backend"] != "jax":
            raise GenerationError(f"worker ran on {report['backend']}, not jax")
        for k, msg in report["errors"].items():
            raise GenerationError(f"{specs[k]['id']}: jax run failed: {msg}")
        return report["results"]
    finally:
        tmp.cleanup()


def run_both(specs: list[dict], with_jax: bool = True) -> tuple[list[dict], list[dict], list[dict | None], list]:
    """Inputs, cotangents, the canonical TensorFlow results and (with_jax) the JAX results of every spec."""
    import keras
    mats_list = prepare(specs)
    cots_list = [draw_cotangents(s) for s in specs]
    # The JAX worker gets the canonical weights ('keras'-scheme weights were drawn by TensorFlow's initialisers).
    jobs = [{"spec": s, "mats": m, "cotangents": c} for s, m, c in zip(specs, mats_list, cots_list)]
    worker = _jax_worker(jobs) if with_jax else None
    try:
        tf_results = [run_gradients(keras, s, m, c) for s, m, c in zip(specs, mats_list, cots_list)]
    except BaseException:
        if worker is not None:
            worker[0].kill()
            worker[1].cleanup()
        raise
    jax_results: list = _jax_results(*worker, specs) if worker is not None else [None] * len(specs)
    return mats_list, cots_list, tf_results, jax_results


# ---- comparing them --------------------------------------------------------------------------------------


def gradient_arrays(result: dict) -> list[tuple[str, np.ndarray]]:
    """Every gradient tensor of a result, named as in the fixture (spec/gradients.md §5.2)."""
    out = []
    for n, call in enumerate(result["calls"]):
        for li, grads in call["layers"].items():
            for j, g in enumerate(grads):
                out.append((f"calls[{n}].gradients.layers[{li}].{WEIGHT_NAMES[j]}", g))
        out.append((f"calls[{n}].gradients.x", call["x"]))
        for j, g in enumerate(call["initial_state"] or []):
            out.append((f"calls[{n}].gradients.initial_state[{j}]", g))
    return out


def output_arrays(result: dict) -> list[tuple[str, np.ndarray]]:
    return [(f"calls[{n}].outputs[{j}]", o) for n, call in enumerate(result["calls"]) for j, o in enumerate(call["outputs"])]


def scaled_within(e: np.ndarray, a: np.ndarray, atol: float, rtol: float) -> bool:
    """spec/gradients.md §6.3, NaN-safe: |a - e| <= atol * max(1, max|e|) + rtol * |e| for every element."""
    e64, a64 = np.asarray(e, np.float64), np.asarray(a, np.float64)
    if e64.shape != a64.shape:
        return False
    if e64.size == 0:
        return True
    scale = max(1.0, float(np.max(np.abs(e64))))
    ok = np.abs(a64 - e64) <= atol * scale + rtol * np.abs(e64)
    return bool(np.all(ok & np.isfinite(a64)))


def scaled_spread(e: np.ndarray, a: np.ndarray) -> float:
    """max |a - e| / max(1, max|e|): the spread in the units of the policy's atol (spec/gradients.md §6.2)."""
    e64, a64 = np.asarray(e, np.float64), np.asarray(a, np.float64)
    if e64.size == 0:
        return 0.0
    return float(np.max(np.abs(a64 - e64))) / max(1.0, float(np.max(np.abs(e64))))


def compare_gradients(spec: dict, canonical: dict, other: dict, tol: dict) -> dict:
    """{max_abs, max_rel, max_scaled, agrees[, gradients, note]} over every gradient tensor (outputs measured
    apart, as output_max_abs), the forward's spread being the forward corpus's business."""
    max_abs = max_rel = max_scaled = 0.0
    failing = []
    for (name, e), (_, a) in zip(gradient_arrays(canonical), gradient_arrays(other)):
        ab, rl = spread(e, a)
        max_abs, max_rel, max_scaled = max(max_abs, ab), max(max_rel, rl), max(max_scaled, scaled_spread(e, a))
        if not scaled_within(e, a, tol["atol"], tol["rtol"]):
            failing.append(name)
    out_abs = max((spread(e, a)[0] for (_, e), (_, a) in zip(output_arrays(canonical), output_arrays(other))), default=0.0)
    entry: dict = {"max_abs": max_abs, "max_rel": max_rel, "max_scaled": max_scaled, "output_max_abs": out_abs, "agrees": not failing}
    if failing:
        entry["note"] = explain(spec, failing)
        entry["calls"] = other["calls"]
    return entry


def explain(spec: dict, failing: list[str]) -> str:
    """The known backend difference (keras-semantics X1, spec/gradients.md §3.2) when the case can show it."""
    recurrent = [l for l in spec["layers"] if l["class_name"] in RECURRENT]
    x1 = (spec.get("mask") is not None and spec.get("initial_state")
          and not recurrent[0]["config"].get("zero_output_for_mask")
          and (recurrent[0]["config"].get("return_sequences") or spec["mask"] in ("mixed", "full_row"))
          and all(".initial_state[" in f or f.endswith(".x") or ".layers[" in f for f in failing))
    if x1 and spec["layers"][0]["class_name"] == "Masking":
        x1 = False  # Keras 3.15.1 drops the Masking layer's mask with initial_state: no masked step on either backend
    if x1:
        return ("JAX emits the initial h at masked steps before the first valid step (and for fully masked rows), TensorFlow "
                "zeros; so on JAX the cotangent of those outputs flows into h0, on TensorFlow it does not (spec/gradients.md "
                "§3.2, keras-semantics X1). TensorFlow is canonical.")
    return "UNEXPLAINED difference between backends in: " + ", ".join(failing)


# ---- the fixture document --------------------------------------------------------------------------------


def _named(grads: list[np.ndarray]) -> list[dict]:
    return [encode.float_tensor(g, WEIGHT_NAMES[j]) for j, g in enumerate(grads)]


def encode_gradients(call: dict) -> dict:
    out: dict = {"layers": [{"layer": int(li), "weights": _named(g)} for li, g in call["layers"].items()],
                 "x": encode.float_tensor(call["x"])}
    if call["initial_state"] is not None:
        out["initial_state"] = [encode.float_tensor(g) for g in call["initial_state"]]
    return out


def assemble_case(spec: dict, mats: dict, cots: list, result: dict, tol: dict, backends: dict) -> dict:
    layers = []
    for l, cfg, ws in zip(spec["layers"], result["configs"], result["weights"]):
        entry: dict = {"class_name": l["class_name"], "config": encode.to_plain(cfg)}
        if ws is not None:
            entry["weights"] = _named(ws)
        layers.append(entry)
    calls = []
    for call_in, c, call_out in zip(mats["calls"], cots, result["calls"]):
        inputs: dict = {"x": encode.float_tensor(call_in["x"])}
        if "mask" in call_in:
            inputs["mask"] = encode.bool_tensor(call_in["mask"])
        if "initial_state" in call_in:
            inputs["initial_state"] = [encode.float_tensor(s) for s in call_in["initial_state"]]
        calls.append({"inputs": inputs, "outputs": [encode.float_tensor(o) for o in call_out["outputs"]],
                      "cotangents": [encode.float_tensor(t) for t in c], "gradients": encode_gradients(call_out)})
    return {"id": spec["id"], "description": spec["description"], "seed": int(spec["seed"]), "layers": layers,
            "calls": calls, "tolerance": tol, "backends": backends}


def encode_backend(entry: dict) -> dict:
    out = {k: float(np.float32(entry[k])) for k in ("max_abs", "max_rel", "max_scaled", "output_max_abs")}
    out["agrees"] = entry["agrees"]
    if not entry["agrees"]:
        out["note"] = entry["note"]
        out["gradients"] = [encode_gradients(call) for call in entry["calls"]]
    return out


def build(specs: list[dict], with_jax: bool = True) -> tuple[list[dict], list[dict]]:
    mats_list, cots_list, tf_results, jax_results = run_both(specs, with_jax)
    cases, stats = [], []
    for spec, mats, cots, res, other in zip(specs, mats_list, cots_list, tf_results, jax_results):
        tol = policy(spec)
        backends, stat = {}, {"id": spec["id"], "family": spec["family"], "steps": int(spec["shape"][1]), "jax": None}
        if other is not None:
            entry = compare_gradients(spec, res, other, tol)
            backends["jax"] = encode_backend(entry)
            stat["jax"] = entry
        cases.append(assemble_case(spec, mats, cots, res, tol, backends))
        stats.append(stat)
    return cases, stats


def document(cell: str, cases: list[dict], with_jax: bool) -> dict:
    prov = provenance("keras", min(c["seed"] for c in cases), with_jax)
    prov.update(generator="scripts/generate_gradients.py", generator_sha256=generator_sha256())
    return {
        "gradient_format_version": FORMAT_VERSION,
        "family": f"{cell}/gradients",
        "description": f"Gradients of Keras 3 {cell} layers (tf.GradientTape on TensorFlow, jax.vjp compared): "
                       + " ".join(f"{k}: {v}" for k, v in FAMILY_DESCRIPTIONS.items()),
        "provenance": prov,
        "gradient_cases": sorted(cases, key=lambda c: c["id"]),
    }


def validate(paths: list[str]) -> tuple[bool, str]:
    """ajv against spec/gradient-fixture.schema.json, as schema_check.py does for the forward corpus."""
    import shutil
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(REPO_ROOT, "node_modules", "ajv")):
        return True, "schema check skipped (node or node_modules/ajv missing; run npm ci)"
    forward = os.path.join(REPO_ROOT, "spec", "fixture.schema.json")
    proc = subprocess.run([node, "--input-type=module", "-e", AJV_SCRIPT, forward, SCHEMA, *paths], cwd=REPO_ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        return False, (proc.stdout + proc.stderr).strip()
    return True, f"schema check: {len(paths)} file(s) valid against spec/gradient-fixture.schema.json"


def print_table(stats: list[dict]) -> None:
    rows: dict[str, dict] = {}
    for s in stats:
        if s["jax"] is None:
            continue
        r = rows.setdefault(s["family"], {"cases": 0, "agree": 0, "abs": 0.0, "rel": 0.0, "scaled": 0.0, "T": 0, "bad": []})
        r["cases"] += 1
        r["T"] = max(r["T"], s["steps"])
        if s["jax"]["agrees"]:
            r["agree"] += 1
            r["abs"], r["rel"] = max(r["abs"], s["jax"]["max_abs"]), max(r["rel"], s["jax"]["max_rel"])
            r["scaled"] = max(r["scaled"], s["jax"]["max_scaled"])
        else:
            r["bad"].append((s["id"], s["jax"]["note"]))
    print("TF vs JAX gradient spread over agreeing cases:")
    print(f"  {'family':34s} {'cases':>5s} {'agree':>5s} {'max T':>5s} {'max_abs':>10s} {'max_rel':>10s} {'max_scaled':>10s}")
    for fam, r in rows.items():
        print(f"  {fam:34s} {r['cases']:5d} {r['agree']:5d} {r['T']:5d} {r['abs']:10.3g} {r['rel']:10.3g} {r['scaled']:10.3g}")
    for r in rows.values():
        for cid, note in r["bad"]:
            print(f"  disagrees: {cid}: {note[:140]}")


def fixtures_root(out: str | None) -> str:
    return os.path.abspath(out) if out else os.path.join(REPO_ROOT, "fixtures")


def generate(out: str | None, cells: list[str] | None, with_jax: bool = True) -> int:
    root, t0 = fixtures_root(out), time.time()
    names = cells or list(CELLS)
    specs = {c: cell_cases(c) for c in names}
    cases, stats = build([s for c in names for s in specs[c]], with_jax)
    paths, k = [], 0
    for c in names:
        n = len(specs[c])
        path = os.path.join(root, gradient_file(c))
        text = encode.dumps_file(document(c, cases[k:k + n], with_jax), "gradient_cases")
        write(path, text)
        paths.append(path)
        print(f"  {gradient_file(c):32s} {n:3d} cases {len(text) / 1024:8.1f} KiB", flush=True)
        k += n
    ok, message = validate(paths)
    print(message)
    if not ok:
        return 1
    write(os.path.join(root, "manifest.json"), manifest_text(root))
    print(f"gradient corpus: {len(stats)} cases, {time.time() - t0:.0f} s")
    print_table(stats)
    return 0


# ---- verify ----------------------------------------------------------------------------------------------

SKIPPED = {("provenance", "date"), ("provenance", "generator_sha256")}
MEASURED = ("max_abs", "max_rel", "max_scaled", "output_max_abs")  # re-measured on the regenerating CPU


def _diff(path: tuple, a: object, b: object, bound, out: list[str], noise: list[str]) -> None:
    if path[-1:] in [(k,) for k in MEASURED] and "backends" in path:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            out.append(f"{'/'.join(map(str, path))}: keys {list(b)} != {list(a)}")
            return
        for k in a:
            if path[-1:] + (k,) not in SKIPPED:
                _diff(path + (k,), a[k], b[k], bound, out, noise)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{'/'.join(map(str, path))}: {len(b)} items != {len(a)}")
            return
        if a and all(isinstance(v, float) for v in a + b):
            ea, eb = np.asarray(a, np.float64), np.asarray(b, np.float64)
            d = np.abs(ea - eb)
            if np.any(d > 0):
                (noise if np.all(d <= bound(ea)) else out).append(f"{'/'.join(map(str, path))}: max diff {float(np.max(d)):.3g}")
            return
        for k, (x, y) in enumerate(zip(a, b)):
            _diff(path + (k,), x, y, bound, out, noise)
    elif a != b and not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and float(a) == float(b)):
        out.append(f"{'/'.join(map(str, path))}: {b!r} != {a!r}")


def verify(fixtures: str | None, strict: bool) -> int:
    """Regenerates the first and last case of every family of every cell and compares them with the committed
    ones: every field but provenance.date, provenance.generator_sha256 and the measured spreads must be equal;
    floats within max(1e-6, atol/2) + max(1e-6, rtol/2)|e| are noise (spec/tolerance.md §6), unless strict."""
    root, bad = fixtures_root(fixtures), 0
    for cell in CELLS:
        with open(os.path.join(root, gradient_file(cell)), encoding="utf-8") as f:
            committed = {c["id"]: c for c in json.load(f)["gradient_cases"]}
        specs = cell_cases(cell)
        families: dict[str, list[dict]] = {}
        for s in specs:
            families.setdefault(s["family"], []).append(s)
        sample = [fs[i] for fs in families.values() for i in sorted({0, len(fs) - 1})]
        cases, _ = build(sample)
        for case in cases:
            fresh = json.loads(encode.dumps(case))
            tol = fresh["tolerance"]
            bound = (lambda e, t=tol: np.zeros_like(e)) if strict else (
                lambda e, t=tol: max(1e-6, t["atol"] / 2) * np.maximum(1.0, np.max(np.abs(e))) + max(1e-6, t["rtol"] / 2) * np.abs(e))
            out, noise = [], []
            if case["id"] not in committed:
                out.append("not in the committed file")
            else:
                _diff((case["id"],), committed[case["id"]], fresh, bound, out, noise)
            for line in noise:
                print(f"  noise: {line}")
            for line in out:
                print(f"  DIFFERS: {line}")
            bad += bool(out)
            print(f"{'ok' if not out else 'FAIL'} {case['id']}", flush=True)
    return 1 if bad else 0


# ---- measure ---------------------------------------------------------------------------------------------


def measure() -> int:
    """The spread against sequence length (spec/gradients.md §6.2): the same weights over T = 1 .. 1000."""
    specs = []
    for c, cell in enumerate(CELLS):
        cls = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[cell]
        for scheme, scale in (("scaled", 1.0), ("saturating", 3.0)):
            for k, T in enumerate((1, 10, 30, 100, 300, 1000)):
                specs.append({"id": f"{cell}/measure/{scheme}/T{T}", "description": "", "family": f"{cell}/{scheme}",
                              "seed": 90000 + 100 * c + (10 if scheme == "saturating" else 0), "package": "keras",
                              "layers": [{"class_name": cls, "config": {"units": 8, "return_sequences": True, "return_state": True}, "weights": scheme}],
                              "shape": [4, T, 8], "mask": None, "initial_state": True, "calls": 1, "input_scale": scale})
    _, _, tf_results, jax_results = run_both(specs)
    print(f"  {'case':32s} {'grad abs':>10s} {'rel':>10s} {'scaled':>10s} {'max|e|':>10s} {'out abs':>10s}")
    for spec, a, b in zip(specs, tf_results, jax_results):
        e = compare_gradients(spec, a, b, {"atol": 1.0, "rtol": 1.0})
        big = max(float(np.max(np.abs(g))) for _, g in gradient_arrays(a))
        print(f"  {spec['id']:32s} {e['max_abs']:10.3g} {e['max_rel']:10.3g} {e['max_scaled']:10.3g} {big:10.3g} {e['output_max_abs']:10.3g}", flush=True)
    return 0


__all__ = ["generate", "verify", "measure", "build", "scaled_within"]
