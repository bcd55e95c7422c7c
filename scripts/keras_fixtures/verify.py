"""`verify`: regenerate a sample of every family and compare with the committed corpus (spec/fixture-format.md §7).

Every field except provenance.date and provenance.generator_sha256 must be equal, float32 values bit for
bit. On a CPU that rounds differently (another instruction set), float differences within the noise bound of
spec/tolerance.md §6 are reported as a warning; --strict fails on them too. The bound is the larger of
1e-6 + 1e-6·|e| and half the case's own tolerance; the backend spreads a case records (`backends`) are
measurements, re-measured on this CPU, so only their `agrees` must match.
"""
from __future__ import annotations

import hashlib
import json
import os
import time

import numpy as np

from .corpus import family_texts, fixtures_dir
from .families import FAMILIES, family_file

NOISE_ATOL = 1e-6  # spec/tolerance.md §6
NOISE_RTOL = 1e-6
IGNORED = {("provenance", "date"), ("provenance", "generator_sha256")}


class Diff:
    def __init__(self) -> None:
        self.exact: list[str] = []   # structural or beyond-noise differences
        self.noise: list[str] = []   # float differences within the noise bound
        self.max_float = 0.0

    def __bool__(self) -> bool:
        return bool(self.exact or self.noise)


def _is_num_list(v: object) -> bool:
    return isinstance(v, list) and len(v) > 0 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)


def noise_bound(case: dict) -> tuple[float, float]:
    """(atol, rtol) of regeneration noise for a case: its own tolerance halved, never below 1e-6 (spec/tolerance.md §6)."""
    tol = case.get("tolerance") or {}
    return max(NOISE_ATOL, float(tol.get("atol", 0)) / 2), max(NOISE_RTOL, float(tol.get("rtol", 0)) / 2)


def compare_json(a: object, b: object, path: str, diff: Diff, loose_scalars: bool = False,
                 bound: tuple[float, float] = (NOISE_ATOL, NOISE_RTOL)) -> None:
    """a = regenerated, b = committed; `bound` = (atol, rtol) of what counts as noise."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            sub = f"{path}/{k}"
            if tuple(sub.strip("/").split("/")[-2:]) in IGNORED:
                continue
            if k not in a or k not in b:
                diff.exact.append(f"{sub}: {'missing in regenerated' if k not in a else 'missing in committed file'}")
            else:
                compare_json(a[k], b[k], sub, diff, loose_scalars or k == "backends", bound)
        return
    if _is_num_list(a) and _is_num_list(b) and len(a) == len(b):
        fa = np.array(a, np.float64).astype(np.float32)
        fb = np.array(b, np.float64).astype(np.float32)
        bad = fa.view(np.uint32) != fb.view(np.uint32)
        if np.any(bad):
            d = np.abs(fa.astype(np.float64) - fb.astype(np.float64))
            diff.max_float = max(diff.max_float, float(np.max(d)))
            within = np.all(d <= bound[0] + bound[1] * np.abs(fb.astype(np.float64)))
            msg = f"{path}: {int(np.sum(bad))} of {len(a)} float32 values differ, max |diff| {float(np.max(d)):.3g}"
            (diff.noise if within else diff.exact).append(msg)
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diff.exact.append(f"{path}: length {len(a)} regenerated vs {len(b)} committed")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare_json(x, y, f"{path}/{i}", diff, loose_scalars, bound)
        return
    if isinstance(a, float) and isinstance(b, float) and a != b:
        d = abs(a - b)
        diff.max_float = max(diff.max_float, d)
        # a measured spread (max_abs, max_rel under `backends`) is re-measured here, not reproduced
        (diff.noise if loose_scalars else diff.exact).append(f"{path}: {a!r} regenerated vs {b!r} committed")
        return
    if a != b or type(a) is not type(b):
        diff.exact.append(f"{path}: {json.dumps(a)[:80]} regenerated vs {json.dumps(b)[:80]} committed")


def check_manifest(root: str) -> list[str]:
    problems = []
    path = os.path.join(root, "manifest.json")
    if not os.path.exists(path):
        return ["manifest.json: missing"]
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    listed = set()
    for e in manifest.get("files", []):
        listed.add(e["path"])
        full = os.path.join(root, e["path"])
        if not os.path.exists(full):
            problems.append(f"manifest.json: {e['path']}: listed but missing")
            continue
        with open(full, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != e["sha256"] or len(data) != e["bytes"]:
            problems.append(f"manifest.json: {e['path']}: sha256/bytes differ from the manifest (file altered?)")
    for d, _, names in os.walk(root):
        for n in names:
            rel = os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/")
            if rel != "manifest.json" and rel not in listed:
                problems.append(f"manifest.json: {rel}: file not listed")
    return problems


def _report(label: str, diff: Diff, strict: bool) -> bool:
    if not diff:
        return True
    failed = bool(diff.exact) or strict
    print(f"  {'MISMATCH' if failed else 'noise   '} {label}")
    for line in (diff.exact + diff.noise)[:8]:
        print(f"      {line}")
    if len(diff.exact) + len(diff.noise) > 8:
        print(f"      ... {len(diff.exact) + len(diff.noise) - 8} more")
    return not failed


def verify(path: str | None, strict: bool) -> int:
    root = fixtures_dir(path)
    t0 = time.time()
    ok = True
    problems = check_manifest(root)
    for p in problems:
        print(f"  MISMATCH {p}")
    ok &= not problems
    names = list(FAMILIES)
    texts, _ = family_texts(names, sample=True)
    n_cases = 0
    for name in names:
        regenerated = json.loads(texts[name])
        committed_path = os.path.join(root, family_file(name))
        if not os.path.exists(committed_path):
            print(f"  MISMATCH {family_file(name)}: missing")
            ok = False
            continue
        with open(committed_path, encoding="utf-8") as f:
            committed = json.load(f)
        by_id = {c["id"]: c for c in committed.get("cases", [])}
        head_a = {k: v for k, v in regenerated.items() if k != "cases"}
        head_b = {k: v for k, v in committed.items() if k != "cases"}
        d = Diff()
        compare_json(head_a, head_b, "", d)
        ok &= _report(f"{family_file(name)} (file fields)", d, strict)
        for case in regenerated["cases"]:
            n_cases += 1
            if case["id"] not in by_id:
                print(f"  MISMATCH {family_file(name)}: {case['id']}: not in the committed file")
                ok = False
                continue
            d = Diff()
            compare_json(case, by_id[case["id"]], "", d, bound=noise_bound(by_id[case["id"]]))
            ok &= _report(f"{family_file(name)}: {case['id']}", d, strict)
    from .worked_example import WORKED_EXAMPLES
    for fname, (_, make_text) in WORKED_EXAMPLES.items():
        d = Diff()
        path = os.path.join(root, "keras3", fname)
        if not os.path.exists(path):
            print(f"  MISMATCH keras3/{fname}: missing")
            ok = False
            continue
        with open(path, encoding="utf-8") as f:
            compare_json(json.loads(make_text()), json.load(f), "", d)
        ok &= _report(f"keras3/{fname}", d, strict)
    from .models import model_entries
    with open(os.path.join(root, "models", "models.json"), encoding="utf-8") as f:
        models_doc = json.load(f)
    entries, _ = model_entries(os.path.join(root, "models"), write=False)
    d = Diff()
    compare_json(json.loads(json.dumps({"models": _plain(entries)})), {"models": models_doc["models"]}, "", d)
    ok &= _report("models/models.json (files reloaded, outputs recomputed)", d, strict)
    print(f"verify: {n_cases} sample cases from {len(names)} families, {len(WORKED_EXAMPLES)} worked examples, "
          f"{len(entries)} model files: {'OK' if ok else 'FAILED'} ({time.time() - t0:.0f} s)")
    return 0 if ok else 1


def _plain(obj: object) -> object:
    from .encode import dumps
    return json.loads(dumps(obj))
