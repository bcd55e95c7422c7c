"""`generate`: the whole corpus, manifest and spread summary (spec/fixture-format.md §1, §6)."""
from __future__ import annotations

import hashlib
import json
import os
import time

from . import encode
from .families import BASE_SEEDS, FAMILIES, FAMILY_DESCRIPTIONS, family_cases, family_file, family_name
from .pipeline import REPO_ROOT, build_cases, family_document
from .summary import print_spread_table


def fixtures_dir(path: str | None) -> str:
    return os.path.abspath(path) if path else os.path.join(REPO_ROOT, "fixtures")


def family_texts(names: list[str], with_jax: bool = True, sample: bool = False) -> tuple[dict[str, str], list[dict]]:
    """File text per family (all its cases, or with sample=True only the verify sample) and per-case stats."""
    from .families import sample_indices
    per_family = {}
    for name in names:
        specs = family_cases(name)
        per_family[name] = [specs[i] for i in sample_indices(specs)] if sample else specs
    all_specs = [s for n in names for s in per_family[n]]
    cases, stats = build_cases(all_specs, with_jax)
    texts, k = {}, 0
    for name in names:
        n = len(per_family[name])
        package = per_family[name][0]["package"]
        doc = family_document(family_name(name), FAMILY_DESCRIPTIONS[name], package, BASE_SEEDS[name],
                              cases[k:k + n], with_jax and package == "keras")
        texts[name] = encode.dumps_file(doc, "cases")
        k += n
    return texts, stats


def write(path: str, text: str | bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    with open(path, "wb") as f:
        f.write(data)


def count_cases(path: str) -> int:
    if not path.endswith(".json"):
        return 0
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if isinstance(doc.get("cases"), list):
        return len(doc["cases"])
    if isinstance(doc.get("gradient_cases"), list):  # spec/gradients.md §5.1
        return len(doc["gradient_cases"])
    if isinstance(doc.get("models"), list):
        return len(doc["models"])
    return 1


def manifest_text(root: str) -> str:
    """spec/fixture-format.md §6: every file under fixtures/ except the manifest, sorted by path."""
    files = []
    for dirpath, _, names in os.walk(root):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), root).replace(os.sep, "/")
            if rel == "manifest.json":
                continue
            with open(os.path.join(dirpath, n), "rb") as f:
                data = f.read()
            files.append({"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                          "cases": count_cases(os.path.join(dirpath, n))})
    files.sort(key=lambda e: e["path"])
    return encode.dumps_file({"format_version": 1, "files": files}, "files")


def generate(out: str | None, only: list[str] | None, models: bool = False) -> int:
    root = fixtures_dir(out)
    names = only or list(FAMILIES)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        print(f"error: unknown family {unknown[0]!r}; known: {', '.join(FAMILIES)}")
        return 2
    t0 = time.time()
    texts, all_stats = family_texts(names)
    for name in names:
        write(os.path.join(root, family_file(name)), texts[name])
        n = sum(1 for s in all_stats if s["family"] == name)
        print(f"  {family_file(name):40s} {n:3d} cases {len(texts[name]) / 1024:8.1f} KiB", flush=True)
    from .worked_example import WORKED_EXAMPLES
    for fname, (family, make_text) in WORKED_EXAMPLES.items():
        if only is None or family in names:
            write(os.path.join(root, "keras3", fname), make_text())
            print(f"  keras3/{fname}", flush=True)
    if only is None or models:
        from .models import write_models
        for line in write_models(os.path.join(root, "models")):
            print("  " + line, flush=True)
    from .schema_check import validate_files
    valid, message = validate_files([os.path.join(root, family_file(n)) for n in names])
    print(message)
    if not valid:
        return 1
    write(os.path.join(root, "manifest.json"), manifest_text(root))
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(root) for n in ns)
    print(f"corpus: {len(all_stats)} cases, {total / 1e6:.2f} MB, {time.time() - t0:.0f} s")
    print_spread_table(all_stats)
    return 0
