"""The TF-vs-JAX spread table `generate` prints (spec/tolerance.md §3)."""
from __future__ import annotations


def spread_by_family(stats: list[dict]) -> dict[str, dict]:
    table: dict[str, dict] = {}
    for s in stats:
        if s["jax"] is None:
            continue
        row = table.setdefault(s["family"], {"cases": 0, "agree": 0, "max_abs": 0.0, "max_rel": 0.0, "disagree": []})
        row["cases"] += 1
        if s["jax"]["agrees"]:
            row["agree"] += 1
            row["max_abs"] = max(row["max_abs"], s["jax"]["max_abs"])
            row["max_rel"] = max(row["max_rel"], s["jax"]["max_rel"])
        else:
            row["disagree"].append((s["id"], s["jax"]["note"]))
    return table


def print_spread_table(stats: list[dict]) -> None:
    table = spread_by_family(stats)
    if not table:
        return
    print("TF vs JAX spread over agreeing cases (outputs and steps):")
    print(f"  {'family':24s} {'cases':>5s} {'agree':>5s} {'max_abs':>10s} {'max_rel':>10s}")
    for fam, r in table.items():
        print(f"  {fam:24s} {r['cases']:5d} {r['agree']:5d} {r['max_abs']:10.3g} {r['max_rel']:10.3g}")
    for fam, r in table.items():
        for cid, note in r["disagree"]:
            print(f"  disagrees: {cid}: {note[:110]}")
