"""The gradient corpus: every family, variant and seed of spec/gradients.md §5.

A case spec is the forward generator's (families.py: layers, shape [B, T, D], mask pattern, initial_state,
calls, input_scale; materialize.py draws its weights and inputs), so a gradient case's model is built and
called exactly as a forward case's. What a gradient case adds is drawn in gradient_run.py: one cotangent per
returned output, from its own seed stream.
"""
from __future__ import annotations

CELLS = ("lstm", "gru", "simple_rnn")
CLASS = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}
TITLE = CLASS

# Far from every forward family's seeds (families.py uses 1000..58000).
CELL_SEED_BASE = {"lstm": 60000, "gru": 62000, "simple_rnn": 64000}
FAMILY_ORDER = ("sizes", "outputs", "masking", "options", "stacked", "stateful", "saturation", "long")
FAMILY_SEED_STEP = 200

FAMILY_DESCRIPTIONS = {
    "sizes": "gradients over input_dim, units and timesteps 1..30, batch 1..4.",
    "outputs": "gradients through return_sequences x return_state, go_backwards and initial_state.",
    "masking": "gradients through masked steps (start, middle, end, fully masked rows): mask= argument and Masking layer, go_backwards, initial_state, zero_output_for_mask.",
    "options": "gradients with use_bias=False and activations beyond the defaults (hard_sigmoid, relu, linear; GRU reset_after=False).",
    "stacked": "gradients through stacks (the upper layer's input gradient reaches the lower layer's weights), with a mask, initial_state and mixed cells.",
    "stateful": "stateful=True called twice: each call's gradients, the state carried from call 1 being call 2's input (spec/gradients.md §3.4).",
    "saturation": "gradients where the activations saturate (weights and inputs about +-10): derivatives near 0, sums with cancellation.",
    "long": "long sequences (T = 100 to 1000, batch 2, small units): the gradient w.r.t. early inputs vanishes, the weight gradients sum T terms.",
}


def _layer(cell: str, units: int, weights: str = "scaled", **config: object) -> dict:
    return {"class_name": CLASS[cell], "config": {"units": units, **config}, "weights": weights}


def _masking(value: float = 0.0) -> dict:
    return {"class_name": "Masking", "config": {"mask_value": value}}


def _numbered(cell: str, family: str, rows: list[tuple]) -> list[dict]:
    """rows: (variant, description, layers, shape, extra); numbers each variant 001, 002, ... The id is
    `<cell>/gradients/<family>/<variant>/<nnn>` (spec/gradients.md §5.1)."""
    out, counter = [], {}
    for variant, description, layers, shape, extra in rows:
        counter[variant] = counter.get(variant, 0) + 1
        out.append({
            "id": f"{cell}/gradients/{family}/{variant}/{counter[variant]:03d}",
            "description": description,
            "family": f"{cell}/gradients/{family}",
            "layers": layers,
            "shape": list(shape),
            "mask": extra.get("mask"),
            "initial_state": extra.get("initial_state", False),
            "calls": extra.get("calls", 1),
            "input_scale": extra.get("input_scale", 1.0),
        })
    return out


FULL = {"return_sequences": True, "return_state": True}


def sizes(cell: str) -> list[tuple]:
    R = []
    for (B, T, D, U, rs, rst) in [(1, 1, 1, 1, False, False), (2, 5, 3, 4, True, True), (3, 8, 5, 2, False, True),
                                  (2, 12, 4, 7, True, False), (4, 30, 6, 5, True, True), (1, 3, 9, 3, False, False)]:
        R.append(("shape", f"B={B} T={T} input_dim={D} units={U}, return_sequences={rs}, return_state={rst}",
                  [_layer(cell, U, return_sequences=rs, return_state=rst)], (B, T, D), {}))
    return R


def outputs(cell: str) -> list[tuple]:
    R = []
    for rs in (False, True):
        for rst in (False, True):
            R.append((f"rs_{str(rs).lower()}_rst_{str(rst).lower()}",
                      f"return_sequences={rs}, return_state={rst}: a cotangent on each returned tensor",
                      [_layer(cell, 4, return_sequences=rs, return_state=rst)], (3, 6, 3), {}))
    R.append(("go_backwards", "go_backwards, sequence in processing order and states", [_layer(cell, 4, go_backwards=True, **FULL)], (3, 6, 3), {}))
    R.append(("go_backwards_last", "go_backwards, last output only (the state after x[0])", [_layer(cell, 3, go_backwards=True)], (2, 7, 4), {}))
    R.append(("initial_state", "initial_state given: its gradient is recorded", [_layer(cell, 4, **FULL)], (3, 6, 3), {"initial_state": True}))
    R.append(("initial_state_last", "initial_state given, last output only", [_layer(cell, 3)], (2, 5, 2), {"initial_state": True}))
    R.append(("initial_state_go_backwards", "initial_state feeds the first processed step x[T-1]",
              [_layer(cell, 4, go_backwards=True, **FULL)], (3, 6, 3), {"initial_state": True}))
    return R


def masking(cell: str) -> list[tuple]:
    R = []
    shape = (5, 7, 3)  # 5 rows: the mixed pattern has one row of each kind (start, middle, end, full, none)
    R.append(("mixed", "mask= argument, rows masked at start/middle/end/fully/not at all", [_layer(cell, 4, **FULL)], shape, {"mask": "mixed"}))
    R.append(("mixed_last", "mask= argument, mixed rows, last output only", [_layer(cell, 3)], shape, {"mask": "mixed"}))
    R.append(("full_row", "mask= argument, row 0 fully masked: no gradient reaches the weights from it", [_layer(cell, 4, **FULL)], (3, 6, 2), {"mask": "full_row"}))
    R.append(("go_backwards", "mask= argument with go_backwards, mixed rows", [_layer(cell, 4, go_backwards=True, **FULL)], shape, {"mask": "mixed"}))
    R.append(("initial_state", "mask= argument with initial_state, mixed rows (JAX differs before the first valid step)",
              [_layer(cell, 4, **FULL)], shape, {"mask": "mixed", "initial_state": True}))
    R.append(("initial_state_states", "mask= argument with initial_state, the states only matter: last output and states",
              [_layer(cell, 4, return_state=True)], shape, {"mask": "mixed", "initial_state": True}))
    R.append(("masking_layer", "Masking(0.0) layer in front, mixed rows: dx is 0 at masked steps", [_masking(), _layer(cell, 4, **FULL)], shape, {"mask": "mixed"}))
    R.append(("masking_layer_go_backwards", "Masking layer with go_backwards", [_masking(), _layer(cell, 3, go_backwards=True, **FULL)], shape, {"mask": "mixed"}))
    R.append(("masking_layer_initial_state", "Masking layer with initial_state: Keras 3.15.1 passes no mask to the layer (spec/lstm.md 3.5.7)",
              [_masking(), _layer(cell, 4, **FULL)], shape, {"mask": "mixed", "initial_state": True}))
    R.append(("zero_output_for_mask", "zero_output_for_mask=True: a masked step's output is 0 and passes no gradient",
              [_layer(cell, 4, zero_output_for_mask=True, **FULL)], shape, {"mask": "mixed"}))
    return R


def options(cell: str) -> list[tuple]:
    R = []
    R.append(("use_bias_false", "use_bias=False: gradients for kernel and recurrent_kernel only", [_layer(cell, 4, use_bias=False, **FULL)], (2, 6, 3), {}))
    R.append(("activation_relu", "activation=relu", [_layer(cell, 4, activation="relu", **FULL)], (2, 6, 3), {}))
    R.append(("activation_linear", "activation=linear", [_layer(cell, 3, activation="linear", **FULL)], (2, 4, 3), {"input_scale": 0.5}))
    R.append(("activation_hard_sigmoid", "activation=hard_sigmoid (Keras 3: clip(x/6+0.5, 0, 1))", [_layer(cell, 4, activation="hard_sigmoid", **FULL)], (2, 6, 3), {}))
    R.append(("activation_sigmoid", "activation=sigmoid", [_layer(cell, 4, activation="sigmoid", **FULL)], (2, 6, 3), {}))
    if cell != "simple_rnn":
        R.append(("recurrent_hard_sigmoid", "recurrent_activation=hard_sigmoid", [_layer(cell, 4, recurrent_activation="hard_sigmoid", **FULL)], (2, 6, 3), {}))
        R.append(("recurrent_tanh", "recurrent_activation=tanh", [_layer(cell, 4, recurrent_activation="tanh", **FULL)], (2, 6, 3), {}))
    if cell == "gru":
        R.append(("reset_after_false", "reset_after=False: (r * h_{t-1}) U_h, a (3u) bias", [_layer(cell, 4, reset_after=False, **FULL)], (3, 6, 3), {}))
        R.append(("reset_after_false", "reset_after=False, use_bias=False, go_backwards",
                  [_layer(cell, 3, reset_after=False, use_bias=False, go_backwards=True, **FULL)], (2, 7, 4), {}))
        R.append(("reset_after_false_masked", "reset_after=False with a mask= argument and initial_state",
                  [_layer(cell, 4, reset_after=False, **FULL)], (5, 6, 3), {"mask": "mixed", "initial_state": True}))
    return R


def stacked(cell: str) -> list[tuple]:
    other = {"lstm": "gru", "gru": "simple_rnn", "simple_rnn": "lstm"}[cell]
    R = []
    R.append(("plain", f"{TITLE[cell]}(rs) -> {TITLE[cell]}(rs, rst)", [_layer(cell, 4, return_sequences=True), _layer(cell, 3, **FULL)], (2, 6, 3), {}))
    R.append(("last", f"{TITLE[cell]}(rs) -> {TITLE[cell]}, last output", [_layer(cell, 5, return_sequences=True), _layer(cell, 2)], (3, 5, 4), {}))
    R.append(("mask_arg", "mask= on the first layer, propagated to the second", [_layer(cell, 4, return_sequences=True), _layer(cell, 3, **FULL)], (5, 6, 3), {"mask": "mixed"}))
    R.append(("masking_layer", "Masking -> rs -> layer, mask propagated", [_masking(), _layer(cell, 4, return_sequences=True), _layer(cell, 3, return_state=True)], (5, 6, 3), {"mask": "mixed"}))
    R.append(("initial_state", "initial_state on the first layer", [_layer(cell, 4, return_sequences=True), _layer(cell, 3, **FULL)], (2, 6, 3), {"initial_state": True}))
    R.append(("go_backwards", "first layer go_backwards: its reversed sequence feeds the second", [_layer(cell, 4, return_sequences=True, go_backwards=True), _layer(cell, 3, **FULL)], (2, 6, 3), {}))
    R.append(("mixed", f"{TITLE[cell]}(rs) -> {TITLE[other]}(rs, rst): a mixed stack", [_layer(cell, 4, return_sequences=True), _layer(other, 3, **FULL)], (2, 6, 3), {}))
    R.append(("three", "three layers, a mask", [_layer(cell, 3, return_sequences=True), _layer(other, 4, return_sequences=True), _layer(cell, 2, return_state=True)], (5, 5, 2), {"mask": "mixed"}))
    return R


def stateful(cell: str) -> list[tuple]:
    return [
        ("twice", "stateful=True called twice: call 2 starts from call 1's state", [_layer(cell, 4, stateful=True, **FULL)], (2, 5, 3), {"calls": 2}),
        ("twice_last", "stateful=True called twice, last output only", [_layer(cell, 3, stateful=True)], (3, 4, 2), {"calls": 2}),
        ("twice_initial_state", "stateful=True, call 1 given initial_state, call 2 from the carried state",
         [_layer(cell, 4, stateful=True, **FULL)], (2, 5, 3), {"calls": 2, "initial_state": True}),
    ]


def saturation(cell: str) -> list[tuple]:
    return [
        ("saturating", "saturating weights and inputs x10", [_layer(cell, 4, weights="saturating", **FULL)], (2, 8, 3), {"input_scale": 10.0}),
        ("saturating", "saturating weights, last output", [_layer(cell, 3, weights="saturating")], (3, 12, 2), {"input_scale": 3.0}),
        ("saturating_masked", "saturating weights with a mask", [_layer(cell, 4, weights="saturating", **FULL)], (5, 8, 3), {"mask": "mixed", "input_scale": 5.0}),
        ("keras_initializers", "Keras's own initialisers (glorot_uniform, orthogonal), inputs x3", [_layer(cell, 5, weights="keras", **FULL)], (2, 10, 4), {"input_scale": 3.0}),
    ]


def long(cell: str) -> list[tuple]:
    units = 4 if cell == "lstm" else 3
    R = []
    for T in (100, 1000):
        R.append(("last_state", f"T={T}, last output and states: early inputs' gradients vanish", [_layer(cell, units, return_state=True)], (2, T, 2), {}))
    R.append(("sequences", "T=200, return_sequences: every step's cotangent enters", [_layer(cell, units, **FULL)], (2, 200, 2), {}))
    R.append(("go_backwards", "T=300, go_backwards, last output", [_layer(cell, units, go_backwards=True, return_state=True)], (2, 300, 2), {}))
    R.append(("masked", "T=150, mask= with rows masked at the start, middle and end", [_layer(cell, units, return_state=True)], (3, 150, 2), {"mask": "mixed"}))
    return R


BUILDERS = {"sizes": sizes, "outputs": outputs, "masking": masking, "options": options, "stacked": stacked,
            "stateful": stateful, "saturation": saturation, "long": long}


def cell_cases(cell: str) -> list[dict]:
    """Every gradient case of one cell, seeded: base + family index * step + case index in the family."""
    out = []
    for k, family in enumerate(FAMILY_ORDER):
        rows = _numbered(cell, family, BUILDERS[family](cell))
        for n, spec in enumerate(rows):
            spec["seed"] = CELL_SEED_BASE[cell] + k * FAMILY_SEED_STEP + n
            spec["package"] = "keras"
        out.extend(rows)
    return out


def gradient_file(cell: str) -> str:
    """spec/gradients.md §5.1: one file per cell, keras3/gradients/<cell>.json."""
    return f"keras3/gradients/{cell}.json"
