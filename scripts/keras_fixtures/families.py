"""The corpus: every family, variant and seed (spec/fixture-format.md §1, issue 2 families).

A case spec is plain data; `materialize.py` turns it into weights and inputs, `run.py` runs Keras on it.
Spec fields: id, description, seed, layers [{class_name, config, weights?}], shape [B, T, D],
input_scale, mask (pattern name or None), initial_state (bool), calls (int).
Weight schemes: "scaled" (random, a different scale per gate block), "keras" (the layer's own seeded
initialisers, used as-is), "saturating" (large scaled random weights).
"""
from __future__ import annotations

BASE_SEEDS = {
    "sizes": 1000, "outputs": 2000, "masking": 3000, "options": 4000, "stacked": 5000,
    "stateful": 6000, "initializers": 7000, "saturation": 8000, "worked_example": 9000, "legacy": 10000,
    "long": 11000,
}

FAMILY_DESCRIPTIONS = {
    "sizes": "Keras 3 LSTM over input_dim and units 1..64, timesteps 1..100, batch 1..8, random per-gate-scaled weights.",
    "outputs": "return_sequences x return_state, go_backwards and initial_state.",
    "masking": "Masked steps at start, middle and end, fully masked rows; mask= argument and Masking layer; go_backwards, initial_state, zero_output_for_mask.",
    "options": "use_bias=False and activation / recurrent_activation beyond the defaults.",
    "stacked": "LSTM(return_sequences=True) feeding a second LSTM, with and without a mask.",
    "stateful": "stateful=True layers called twice; the state carries from call 1 to call 2.",
    "initializers": "Weights from Keras's own initialisers (glorot_uniform, orthogonal, unit_forget_bias) and scaled random weights.",
    "saturation": "Inputs and weights large enough to saturate the gates (values about +-10).",
    "worked_example": "The small worked example of spec/lstm.md: input_dim 2, units 2, 3 timesteps (see also worked-example.json).",
    "legacy": "tf-keras 2.21 (Keras 2 API) tf_keras.layers.LSTM: defaults, hard_sigmoid (0.2x+0.5), go_backwards, masking, return_state.",
    "long": "Long sequences (T = 1000 and 2000, batch 2, units 3-4): sequences, last output, a mask with holes late in the sequence, go_backwards.",
}


def lstm(units: int, weights: str = "scaled", **config: object) -> dict:
    return {"class_name": "LSTM", "config": {"units": units, **config}, "weights": weights}


def masking(mask_value: float = 0.0) -> dict:
    return {"class_name": "Masking", "config": {"mask_value": mask_value}}


def _rs(rs: bool, rst: bool) -> dict:
    return {"return_sequences": rs, "return_state": rst}


def _case(family: str, variant: str, n: int, description: str, layers: list, shape: tuple,
          mask: str | None = None, initial_state: bool = False, calls: int = 1, input_scale: float = 1.0,
          cell: str = "lstm") -> dict:
    return {
        "id": f"{cell}/{family}/{variant}/{n:03d}",
        "description": description,
        "family": family if cell == "lstm" else f"{cell}/{family}",  # the FAMILIES key
        "layers": layers,
        "shape": list(shape),
        "mask": mask,
        "initial_state": initial_state,
        "calls": calls,
        "input_scale": input_scale,
    }


def _numbered(family: str, rows: list[tuple], cell: str = "lstm") -> list[dict]:
    """rows: (variant, description, layers, shape, extra kwargs); numbers each variant 001, 002, ..."""
    out, counter = [], {}
    for variant, description, layers, shape, extra in rows:
        counter[variant] = counter.get(variant, 0) + 1
        out.append(_case(family, variant, counter[variant], description, layers, shape, cell=cell, **extra))
    return out


def sizes() -> list[dict]:
    R = []
    for (variant, B, T, D, U, rs, rst) in [
        ("single_step", 1, 1, 1, 1, False, False), ("single_step", 3, 1, 4, 2, True, True),
        ("units_1", 2, 6, 3, 1, False, True), ("units_1", 4, 12, 5, 1, True, False),
        ("input_dim_1", 2, 8, 1, 4, False, False), ("input_dim_1", 1, 20, 1, 9, True, True),
        ("input_dim_ne_units", 3, 7, 5, 11, True, True), ("input_dim_ne_units", 2, 9, 13, 3, False, False),
        ("input_dim_ne_units", 5, 5, 32, 6, False, True),
        ("batch_8", 8, 10, 4, 5, False, True), ("batch_8", 8, 6, 3, 8, True, False),
        ("timesteps_100", 2, 100, 3, 4, False, True), ("timesteps_100", 1, 100, 6, 5, True, True),
        ("timesteps_100", 1, 100, 1, 1, True, False), ("timesteps_50", 3, 50, 2, 3, True, True),
        ("timesteps_25", 2, 25, 4, 6, True, True),
        ("units_64", 2, 4, 64, 64, False, True), ("units_64", 2, 5, 8, 64, True, False),
        ("input_dim_64", 1, 3, 64, 32, True, True),
        ("square", 4, 16, 16, 16, False, True),
    ]:
        R.append((variant, f"B={B} T={T} input_dim={D} units={U}, return_sequences={rs}, return_state={rst}",
                  [lstm(U, **_rs(rs, rst))], (B, T, D), {}))
    return _numbered("sizes", R)


def outputs() -> list[dict]:
    R = []
    variants = [
        ("last", "return_sequences=False, return_state=False", dict(return_sequences=False, return_state=False), {}),
        ("sequences", "return_sequences=True", dict(return_sequences=True, return_state=False), {}),
        ("last_state", "return_state=True: [output, h, c]", dict(return_sequences=False, return_state=True), {}),
        ("sequences_state", "return_sequences and return_state", dict(return_sequences=True, return_state=True), {}),
        ("go_backwards", "go_backwards, last output (the state after x[0])", dict(go_backwards=True), {}),
        ("go_backwards_sequences_state", "go_backwards, sequence in processing order, with states",
         dict(go_backwards=True, return_sequences=True, return_state=True), {}),
        ("initial_state", "initial_state [h0, c0] given, sequences and states",
         dict(return_sequences=True, return_state=True), {"initial_state": True}),
        ("initial_state_last", "initial_state given, last output only", dict(), {"initial_state": True}),
        ("initial_state_go_backwards", "initial_state feeds the first processed step x[T-1] under go_backwards",
         dict(go_backwards=True, return_sequences=True, return_state=True), {"initial_state": True}),
    ]
    for variant, text, cfg, extra in variants:
        for (B, T, D, U) in [(3, 6, 4, 5), (2, 9, 3, 2)]:
            R.append((variant, f"{text}; B={B} T={T} input_dim={D} units={U}", [lstm(U, **cfg)], (B, T, D), extra))
    return _numbered("outputs", R)


def masking_family() -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    shapes = [(4, 7, 3, 4), (3, 8, 2, 3)]
    def add(variant, text, cfg, mask, via_layer=False, initial_state=False, mask_value=0.0):
        for (B, T, D, U) in shapes:
            layers = ([masking(mask_value)] if via_layer else []) + [lstm(U, **cfg)]
            R.append((variant, f"{text}; B={B} T={T} input_dim={D} units={U}", layers, (B, T, D),
                      {"mask": mask, "initial_state": initial_state}))
    add("start", "mask= argument, masked steps at the start of each row", full, "start")
    add("middle", "mask= argument, masked steps in the middle of each row", full, "middle")
    add("end", "mask= argument, masked steps at the end of each row (right padding)", full, "end")
    add("full_row", "mask= argument, one fully masked row (output zeros, state stays initial)", full, "full_row")
    add("mixed_last", "mask= argument, rows masked at start/middle/end/fully/not at all, last output only", {}, "mixed")
    add("go_backwards", "mask= argument with go_backwards, mixed rows", dict(full, go_backwards=True), "mixed")
    add("initial_state", "mask= argument with initial_state, mixed rows (JAX differs before the first valid step)", full, "mixed", initial_state=True)
    add("initial_state_last", "mask= argument with initial_state, fully masked and left-masked rows, last output only", dict(return_state=True), "mixed", initial_state=True)
    add("go_backwards_initial_state", "mask= argument with go_backwards and initial_state, mixed rows", dict(full, go_backwards=True), "mixed", initial_state=True)
    add("masking_layer", "Masking(0.0) layer in front, masked x rows exactly 0.0, mixed rows", full, "mixed", via_layer=True)
    add("masking_layer_value", "Masking(-1.0) layer in front, masked x rows exactly -1.0 (zeroed by Masking), mixed rows", full, "mixed", via_layer=True, mask_value=-1.0)
    add("masking_layer_go_backwards", "Masking layer with go_backwards, mixed rows", dict(full, go_backwards=True), "mixed", via_layer=True)
    add("masking_layer_initial_state", "Masking layer with initial_state: Keras 3.15.1 passes NO mask to the LSTM then (Layer.__call__ fills mask only for a single tensor argument), masked rows run as zero inputs", full, "mixed", via_layer=True, initial_state=True)
    add("zero_output_for_mask", "zero_output_for_mask=True with return_sequences: masked steps output zeros", dict(full, zero_output_for_mask=True), "mixed")
    add("zero_output_for_mask_go_backwards", "zero_output_for_mask=True with go_backwards", dict(full, go_backwards=True, zero_output_for_mask=True), "mixed")
    add("zero_output_for_mask_initial_state", "zero_output_for_mask=True with initial_state", dict(full, zero_output_for_mask=True), "mixed", initial_state=True)
    add("zero_output_for_mask_last", "zero_output_for_mask=True, return_sequences=False, return_state, last step masked: output 0, h carried",
        dict(return_state=True, zero_output_for_mask=True), "end")
    add("zero_output_for_mask_masking_layer", "zero_output_for_mask=True through a Masking layer", dict(full, zero_output_for_mask=True), "mixed", via_layer=True)
    return _numbered("masking", R)


def options() -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    rows = [
        ("use_bias_false", "use_bias=False: kernel and recurrent_kernel only", dict(full, use_bias=False)),
        ("use_bias_false_go_backwards", "use_bias=False with go_backwards", dict(full, use_bias=False, go_backwards=True)),
        ("recurrent_hard_sigmoid", "recurrent_activation=hard_sigmoid (Keras 3: clip(x/6+0.5, 0, 1))", dict(full, recurrent_activation="hard_sigmoid")),
        ("activation_hard_sigmoid", "activation=hard_sigmoid (candidate and cell output)", dict(full, activation="hard_sigmoid")),
        ("activation_relu", "activation=relu", dict(full, activation="relu")),
        ("activation_linear", "activation=linear", dict(full, activation="linear")),
        ("activation_sigmoid", "activation=sigmoid", dict(full, activation="sigmoid")),
        ("recurrent_tanh", "recurrent_activation=tanh (gates in [-1, 1])", dict(full, recurrent_activation="tanh")),
        ("relu_hard_sigmoid", "activation=relu, recurrent_activation=hard_sigmoid", dict(full, activation="relu", recurrent_activation="hard_sigmoid")),
        ("linear_linear", "activation=linear, recurrent_activation=linear", dict(full, activation="linear", recurrent_activation="linear")),
        ("activation_softsign", "activation=softsign", dict(full, activation="softsign")),
        ("activation_elu", "activation=elu", dict(full, activation="elu")),
    ]
    for variant, text, cfg in rows:
        # linear gates are unbounded and h feeds back into z: the state grows doubly exponentially, so
        # that variant keeps short sequences and small inputs (Keras would overflow to inf otherwise)
        unbounded = variant == "linear_linear"
        shapes = [(2, 4, 3, 4), (3, 3, 4, 3)] if unbounded else [(2, 8, 3, 4), (3, 5, 4, 3)]
        for (B, T, D, U) in shapes:
            R.append((variant, f"{text}; B={B} T={T} input_dim={D} units={U}", [lstm(U, **cfg)], (B, T, D),
                      {"input_scale": 0.5} if unbounded else {}))
    return _numbered("options", R)


def stacked() -> list[dict]:
    R = []
    for (B, T, D, U1, U2) in [(2, 6, 3, 4, 5), (3, 5, 4, 6, 2)]:
        dims = f"B={B} T={T} input_dim={D} units={U1}->{U2}"
        R.append(("plain", f"LSTM(return_sequences=True) -> LSTM; {dims}",
                  [lstm(U1, return_sequences=True), lstm(U2)], (B, T, D), {}))
        R.append(("sequences_state", f"LSTM(rs) -> LSTM(return_sequences, return_state); {dims}",
                  [lstm(U1, return_sequences=True), lstm(U2, return_sequences=True, return_state=True)], (B, T, D), {}))
        R.append(("mask_arg", f"mask= on the first LSTM, propagated to the second (Keras 3.15.1); {dims}",
                  [lstm(U1, return_sequences=True), lstm(U2, return_sequences=True, return_state=True)], (B, T, D), {"mask": "mixed"}))
        R.append(("masking_layer", f"Masking -> LSTM(rs) -> LSTM, mask propagated; {dims}",
                  [masking(), lstm(U1, return_sequences=True), lstm(U2, return_state=True)], (B, T, D), {"mask": "mixed"}))
        R.append(("initial_state", f"initial_state on the first LSTM; {dims}",
                  [lstm(U1, return_sequences=True), lstm(U2, return_sequences=True)], (B, T, D), {"initial_state": True}))
    # Appended after the cases above so that their seeds (base + index) stay the same.
    for (B, T, D, U1, U2) in [(2, 6, 3, 4, 5), (3, 5, 4, 6, 2)]:
        dims = f"B={B} T={T} input_dim={D} units={U1}->{U2}"
        R.append(("go_backwards_mask", f"Masking -> LSTM(go_backwards, rs) -> LSTM: the mask reaches the second layer un-reversed (spec/lstm.md 3.5.6); {dims}",
                  [masking(), lstm(U1, return_sequences=True, go_backwards=True), lstm(U2, return_sequences=True, return_state=True)], (B, T, D), {"mask": "mixed"}))
        R.append(("masking_layer_initial_state", f"Masking -> LSTM(rs, initial_state) -> LSTM: Keras 3.15.1 drops the mask for the first layer, the second still gets it (spec/lstm.md 3.5.7); {dims}",
                  [masking(), lstm(U1, return_sequences=True), lstm(U2, return_sequences=True, return_state=True)], (B, T, D), {"mask": "mixed", "initial_state": True}))
    return _numbered("stacked", R)


def stateful() -> list[dict]:
    R = []
    for (B, T, D, U) in [(2, 5, 3, 4), (3, 4, 2, 3)]:
        dims = f"B={B} T={T} input_dim={D} units={U}"
        R.append(("twice", f"stateful=True called twice, call 2 starts from call 1's state; {dims}",
                  [lstm(U, stateful=True)], (B, T, D), {"calls": 2}))
        R.append(("twice_state", f"stateful=True with return_state, called twice; {dims}",
                  [lstm(U, stateful=True, return_state=True)], (B, T, D), {"calls": 2}))
        R.append(("twice_sequences_state", f"stateful=True, return_sequences and return_state, called twice; {dims}",
                  [lstm(U, stateful=True, return_sequences=True, return_state=True)], (B, T, D), {"calls": 2}))
        R.append(("twice_go_backwards", f"stateful=True with go_backwards, called twice; {dims}",
                  [lstm(U, stateful=True, go_backwards=True, return_state=True)], (B, T, D), {"calls": 2}))
    return _numbered("stateful", R)


def initializers() -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    R.append(("keras_default", "Keras default initialisers (glorot_uniform kernel, orthogonal recurrent, zeros bias with unit_forget_bias: "
              "the forget block of the bias is exactly 1.0, the others 0.0); B=2 T=5 input_dim=3 units=4",
              [lstm(4, weights="keras", **full)], (2, 5, 3), {}))
    for (B, T, D, U) in [(3, 8, 6, 5), (1, 12, 2, 8)]:
        R.append(("keras_default", f"Keras default initialisers, weights used as built; B={B} T={T} input_dim={D} units={U}",
                  [lstm(U, weights="keras", **full)], (B, T, D), {}))
    R.append(("unit_forget_bias_random_bias", "unit_forget_bias with a random bias_initializer: forget block exactly 1.0, "
              "the other blocks from the initializer; B=2 T=6 input_dim=3 units=3",
              [lstm(3, weights="keras", bias_initializer="random_uniform", **full)], (2, 6, 3), {}))
    R.append(("no_unit_forget_bias", "unit_forget_bias=False with a random bias_initializer; B=2 T=6 input_dim=3 units=3",
              [lstm(3, weights="keras", unit_forget_bias=False, bias_initializer="random_normal", **full)], (2, 6, 3), {}))
    for (B, T, D, U) in [(2, 7, 4, 5), (3, 6, 5, 3)]:
        R.append(("scaled_random", f"random weights with a different scale per gate block (i, f, c, o); B={B} T={T} input_dim={D} units={U}",
                  [lstm(U, **full)], (B, T, D), {}))
    return _numbered("initializers", R)


def saturation() -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    for (B, T, D, U) in [(2, 6, 3, 4), (3, 10, 4, 3)]:
        dims = f"B={B} T={T} input_dim={D} units={U}"
        R.append(("inputs_large", f"inputs of about +-10 with Keras default weights; {dims}",
                  [lstm(U, weights="keras", **full)], (B, T, D), {"input_scale": 10.0}))
        R.append(("weights_large", f"large per-gate-scaled weights (pre-activations about +-10); {dims}",
                  [lstm(U, weights="saturating", **full)], (B, T, D), {}))
        R.append(("both_large", f"inputs of about +-10 and large weights; {dims}",
                  [lstm(U, weights="saturating", **full)], (B, T, D), {"input_scale": 10.0}))
        R.append(("hard_sigmoid", f"saturating inputs with recurrent_activation=hard_sigmoid (clip region); {dims}",
                  [lstm(U, recurrent_activation="hard_sigmoid", **full)], (B, T, D), {"input_scale": 10.0}))
    R.append(("long_sequence", "saturated gates over 60 steps (c grows with T); B=2 T=60 input_dim=3 units=3",
              [lstm(3, weights="saturating", **full)], (2, 60, 3), {"input_scale": 10.0}))
    return _numbered("saturation", R)


def worked_example() -> list[dict]:
    return [_case("worked_example", "d2_u2_t3", 1,
                  "worked example: input_dim 2, units 2, 3 timesteps, batch 1, return_sequences and return_state",
                  [lstm(2, return_sequences=True, return_state=True)], (1, 3, 2))]


def legacy() -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    for (B, T, D, U) in [(2, 6, 3, 4), (3, 5, 2, 3)]:
        dims = f"B={B} T={T} input_dim={D} units={U}"
        R.append(("defaults", f"tf_keras LSTM with default options (last output); {dims}", [lstm(U)], (B, T, D), {}))
        R.append(("return_state", f"tf_keras return_sequences and return_state; {dims}", [lstm(U, **full)], (B, T, D), {}))
        R.append(("hard_sigmoid", f"tf_keras recurrent_activation=hard_sigmoid, which is clip(0.2x+0.5, 0, 1) in tf-keras; {dims}",
                  [lstm(U, recurrent_activation="hard_sigmoid", **full)], (B, T, D), {"input_scale": 2.0}))
        R.append(("go_backwards", f"tf_keras go_backwards; {dims}", [lstm(U, go_backwards=True, **full)], (B, T, D), {}))
        R.append(("initial_state", f"tf_keras initial_state; {dims}", [lstm(U, **full)], (B, T, D), {"initial_state": True}))
        R.append(("mask_arg", f"tf_keras mask= argument, mixed rows; {dims}", [lstm(U, **full)], (B, T, D), {"mask": "mixed"}))
        R.append(("masking_layer", f"tf_keras Masking layer in front, mixed rows; {dims}", [masking(), lstm(U, **full)], (B, T, D), {"mask": "mixed"}))
    rows = _numbered("legacy", R)
    for r in rows:
        r["package"] = "tf_keras"
    return rows


def _holes(T: int, rows: list[list[tuple[int, int]]]) -> list[list[bool]]:
    """An explicit [batch][T] mask (True = valid) with the half-open step ranges of each row masked."""
    return [[not any(a <= t < b for a, b in holes) for t in range(T)] for holes in rows]


def long_sequences() -> list[dict]:
    """T >= 1000: a bug that appears only past a fixed buffer size or after many steps (e.g. only for
    T > 200) must fail a case, and the longest case elsewhere has 100 steps. Batch 2 and units 3-4 keep
    the file small: the per-step states alone are 2 x B x T x units values (spec/fixture-format.md §3.2).
    The LSTM forgets within ~100 steps (spec/tolerance.md §3.2), so a last output sees only a wrong
    state that lasts to the end; the cases with return_sequences see a wrong step wherever it is."""
    R = []
    full = dict(return_sequences=True, return_state=True)
    R.append(("sequences", "return_sequences and return_state over 1000 steps; B=2 T=1000 input_dim=2 units=3",
              [lstm(3, **full)], (2, 1000, 2), {}))
    R.append(("last", "last output only after 2000 steps; B=2 T=2000 input_dim=3 units=4",
              [lstm(4)], (2, 2000, 3), {}))
    # Holes well past step 200: row 0 masked for steps 700-759; row 1 for 950-954 and the last 10 steps.
    R.append(("mask_late_hole", "mask= argument with holes late in the sequence (row 0: steps 700-759; row 1: 950-954 "
              "and the last 10), return_sequences and return_state; B=2 T=1000 input_dim=2 units=3",
              [lstm(3, **full)], (2, 1000, 2), {"mask": _holes(1000, [[(700, 760)], [(950, 955), (990, 1000)]])}))
    R.append(("go_backwards", "go_backwards over 2000 steps, sequence in processing order, with states; "
              "B=2 T=2000 input_dim=2 units=3",
              [lstm(3, go_backwards=True, **full)], (2, 2000, 2), {}))
    return _numbered("long", R)


# --- GRU and SimpleRNN (issue 12): the LSTM families above, mirrored per cell, smaller where the corpus
# budget needs it (spec/fixture-format.md §1). Case ids start with the cell: gru/<family>/..., simple_rnn/...
# A cell's families are named "<cell>/<family>" (FAMILIES keys, `--family gru/masking`); mixed stacks
# (GRU -> LSTM, SimpleRNN -> GRU, ...) are in "<cell>/stacked", named after their first recurrent layer.

CELL_CLASS = {"gru": "GRU", "simple_rnn": "SimpleRNN"}
CELL_TITLE = {"gru": "GRU", "simple_rnn": "SimpleRNN"}
CELL_CHAPTER = {"gru": "spec/gru.md", "simple_rnn": "spec/simple-rnn.md"}


def gru(units: int, weights: str = "scaled", **config: object) -> dict:
    return {"class_name": "GRU", "config": {"units": units, **config}, "weights": weights}


def simple_rnn(units: int, weights: str = "scaled", **config: object) -> dict:
    return {"class_name": "SimpleRNN", "config": {"units": units, **config}, "weights": weights}


def _layer(cell: str, units: int, weights: str = "scaled", **config: object) -> dict:
    return {"class_name": CELL_CLASS[cell], "config": {"units": units, **config}, "weights": weights}


def cell_sizes(cell: str) -> list[dict]:
    R = []
    # one case of 64 units per cell: a GRU's recurrent kernel alone is 64 x 192 values
    big = [("units_64", 2, 4, 8, 64, False, True)] if cell == "gru" else [("units_64", 2, 4, 64, 64, False, True)]
    for (variant, B, T, D, U, rs, rst) in [
        ("single_step", 1, 1, 1, 1, False, False), ("single_step", 3, 1, 4, 2, True, True),
        ("units_1", 2, 6, 3, 1, False, True), ("units_1", 4, 12, 5, 1, True, False),
        ("input_dim_1", 2, 8, 1, 4, False, False), ("input_dim_1", 1, 20, 1, 9, True, True),
        ("input_dim_ne_units", 3, 7, 5, 11, True, True), ("input_dim_ne_units", 2, 9, 13, 3, False, False),
        ("batch_8", 8, 10, 4, 5, False, True), ("batch_8", 8, 6, 3, 8, True, False),
        ("timesteps_100", 2, 100, 3, 4, False, True), ("timesteps_100", 1, 100, 6, 5, True, True),
        ("timesteps_50", 3, 50, 2, 3, True, True),
        *big,
        ("input_dim_64", 1, 3, 64, 16, True, True),
        ("square", 4, 16, 16, 16, False, True),
    ]:
        R.append((variant, f"{CELL_TITLE[cell]}: B={B} T={T} input_dim={D} units={U}, return_sequences={rs}, return_state={rst}",
                  [_layer(cell, U, **_rs(rs, rst))], (B, T, D), {}))
    return _numbered("sizes", R, cell)


def cell_outputs(cell: str) -> list[dict]:
    R = []
    variants = [
        ("last", "return_sequences=False, return_state=False", dict(return_sequences=False, return_state=False), {}),
        ("sequences", "return_sequences=True", dict(return_sequences=True, return_state=False), {}),
        ("last_state", "return_state=True: [output, h] (one state)", dict(return_sequences=False, return_state=True), {}),
        ("sequences_state", "return_sequences and return_state", dict(return_sequences=True, return_state=True), {}),
        ("go_backwards", "go_backwards, last output (the state after x[0])", dict(go_backwards=True), {}),
        ("go_backwards_sequences_state", "go_backwards, sequence in processing order, with state",
         dict(go_backwards=True, return_sequences=True, return_state=True), {}),
        ("initial_state", "initial_state [h0] given, sequences and state",
         dict(return_sequences=True, return_state=True), {"initial_state": True}),
        ("initial_state_last", "initial_state [h0] given, last output only", dict(), {"initial_state": True}),
        ("initial_state_go_backwards", "initial_state feeds the first processed step x[T-1] under go_backwards",
         dict(go_backwards=True, return_sequences=True, return_state=True), {"initial_state": True}),
    ]
    for variant, text, cfg, extra in variants:
        for (B, T, D, U) in [(3, 6, 4, 5), (2, 9, 3, 2)]:
            R.append((variant, f"{CELL_TITLE[cell]} {text}; B={B} T={T} input_dim={D} units={U}", [_layer(cell, U, **cfg)], (B, T, D), extra))
    return _numbered("outputs", R, cell)


def cell_masking(cell: str) -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    shapes = [(4, 7, 3, 4), (3, 8, 2, 3)]
    title = CELL_TITLE[cell]

    def add(variant, text, cfg, mask, via_layer=False, initial_state=False, mask_value=0.0, only_first=False):
        for (B, T, D, U) in (shapes[:1] if only_first else shapes):
            layers = ([masking(mask_value)] if via_layer else []) + [_layer(cell, U, **cfg)]
            R.append((variant, f"{title} {text}; B={B} T={T} input_dim={D} units={U}", layers, (B, T, D),
                      {"mask": mask, "initial_state": initial_state}))
    add("start", "mask= argument, masked steps at the start of each row", full, "start")
    add("middle", "mask= argument, masked steps in the middle of each row", full, "middle")
    add("end", "mask= argument, masked steps at the end of each row (right padding)", full, "end")
    add("full_row", "mask= argument, one fully masked row (output zeros, state stays initial)", full, "full_row")
    add("mixed_last", "mask= argument, rows masked at start/middle/end/fully/not at all, last output only", {}, "mixed")
    add("go_backwards", "mask= argument with go_backwards, mixed rows", dict(full, go_backwards=True), "mixed")
    add("initial_state", "mask= argument with initial_state, mixed rows (JAX differs before the first valid step)", full, "mixed", initial_state=True)
    add("initial_state_last", "mask= argument with initial_state, fully masked and left-masked rows, last output only", dict(return_state=True), "mixed", initial_state=True)
    add("go_backwards_initial_state", "mask= argument with go_backwards and initial_state, mixed rows", dict(full, go_backwards=True), "mixed", initial_state=True)
    add("masking_layer", "Masking(0.0) layer in front, masked x rows exactly 0.0, mixed rows", full, "mixed", via_layer=True)
    add("masking_layer_value", "Masking(-1.0) layer in front, masked x rows exactly -1.0 (zeroed by Masking), mixed rows", full, "mixed", via_layer=True, mask_value=-1.0)
    add("masking_layer_go_backwards", "Masking layer with go_backwards, mixed rows", dict(full, go_backwards=True), "mixed", via_layer=True)
    add("masking_layer_initial_state", "Masking layer with initial_state: Keras 3.15.1 passes NO mask to the layer then (Layer.__call__ fills mask only for a single tensor argument), masked rows run as zero inputs", full, "mixed", via_layer=True, initial_state=True)
    add("zero_output_for_mask", "zero_output_for_mask=True with return_sequences: masked steps output zeros", dict(full, zero_output_for_mask=True), "mixed")
    add("zero_output_for_mask_go_backwards", "zero_output_for_mask=True with go_backwards", dict(full, go_backwards=True, zero_output_for_mask=True), "mixed")
    add("zero_output_for_mask_initial_state", "zero_output_for_mask=True with initial_state", dict(full, zero_output_for_mask=True), "mixed", initial_state=True)
    add("zero_output_for_mask_last", "zero_output_for_mask=True, return_sequences=False, return_state, last step masked: output 0, h carried",
        dict(return_state=True, zero_output_for_mask=True), "end")
    add("zero_output_for_mask_masking_layer", "zero_output_for_mask=True through a Masking layer", dict(full, zero_output_for_mask=True), "mixed", via_layer=True)
    if cell == "gru":
        add("reset_before", "reset_after=False with a mask= argument, mixed rows", dict(full, reset_after=False), "mixed")
        add("reset_before_initial_state", "reset_after=False, mask= argument with initial_state, mixed rows (JAX differs before the first valid step)",
            dict(full, reset_after=False), "mixed", initial_state=True)
    return _numbered("masking", R, cell)


def cell_options(cell: str) -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    if cell == "gru":
        rows = [
            ("use_bias_false", "use_bias=False: kernel and recurrent_kernel only", dict(full, use_bias=False)),
            ("use_bias_false_go_backwards", "use_bias=False with go_backwards", dict(full, use_bias=False, go_backwards=True)),
            ("use_bias_false_reset_before", "use_bias=False with reset_after=False", dict(full, use_bias=False, reset_after=False)),
            ("reset_after_false", "reset_after=False: bias (3u,), r applied to h before the recurrent matmul", dict(full, reset_after=False)),
            ("reset_after_false_go_backwards", "reset_after=False with go_backwards", dict(full, reset_after=False, go_backwards=True)),
            ("reset_after_false_initial_state", "reset_after=False with initial_state [h0]", dict(full, reset_after=False)),
            ("recurrent_hard_sigmoid", "recurrent_activation=hard_sigmoid (Keras 3: clip(x/6+0.5, 0, 1))", dict(full, recurrent_activation="hard_sigmoid")),
            ("recurrent_hard_sigmoid_reset_before", "recurrent_activation=hard_sigmoid with reset_after=False (the Keras 2 GRU defaults, Keras 3 hard_sigmoid)",
             dict(full, recurrent_activation="hard_sigmoid", reset_after=False)),
            ("activation_hard_sigmoid", "activation=hard_sigmoid (candidate)", dict(full, activation="hard_sigmoid")),
            ("activation_relu", "activation=relu", dict(full, activation="relu")),
            ("activation_linear", "activation=linear", dict(full, activation="linear")),
            ("activation_sigmoid", "activation=sigmoid", dict(full, activation="sigmoid")),
            ("recurrent_tanh", "recurrent_activation=tanh (gates in [-1, 1], so 1 - z in [0, 2])", dict(full, recurrent_activation="tanh")),
            ("relu_hard_sigmoid", "activation=relu, recurrent_activation=hard_sigmoid", dict(full, activation="relu", recurrent_activation="hard_sigmoid")),
            ("linear_linear", "activation=linear, recurrent_activation=linear", dict(full, activation="linear", recurrent_activation="linear")),
            ("activation_softsign", "activation=softsign", dict(full, activation="softsign")),
            ("activation_elu", "activation=elu", dict(full, activation="elu")),
        ]
    else:
        rows = [
            ("use_bias_false", "use_bias=False: kernel and recurrent_kernel only", dict(full, use_bias=False)),
            ("use_bias_false_go_backwards", "use_bias=False with go_backwards", dict(full, use_bias=False, go_backwards=True)),
            ("activation_hard_sigmoid", "activation=hard_sigmoid (Keras 3: clip(x/6+0.5, 0, 1))", dict(full, activation="hard_sigmoid")),
            ("activation_relu", "activation=relu", dict(full, activation="relu")),
            ("activation_linear", "activation=linear (h grows with the recurrent weights)", dict(full, activation="linear")),
            ("activation_sigmoid", "activation=sigmoid", dict(full, activation="sigmoid")),
            ("activation_softsign", "activation=softsign", dict(full, activation="softsign")),
            ("activation_elu", "activation=elu", dict(full, activation="elu")),
            ("activation_relu_initial_state", "activation=relu with initial_state [h0]", dict(full, activation="relu")),
        ]
    for variant, text, cfg in rows:
        # linear gates (GRU) or a linear SimpleRNN are unbounded: short sequences and small inputs
        unbounded = variant in ("linear_linear", "activation_linear")
        shapes = [(2, 4, 3, 4), (3, 3, 4, 3)] if unbounded else [(2, 8, 3, 4), (3, 5, 4, 3)]
        extra: dict = {"input_scale": 0.5} if unbounded else {}
        if variant.endswith("initial_state"):
            extra = dict(extra, initial_state=True)
        for (B, T, D, U) in shapes:
            R.append((variant, f"{CELL_TITLE[cell]} {text}; B={B} T={T} input_dim={D} units={U}", [_layer(cell, U, **cfg)], (B, T, D), extra))
    return _numbered("options", R, cell)


def cell_stacked(cell: str) -> list[dict]:
    R = []
    title = CELL_TITLE[cell]
    me = lambda u, **cfg: _layer(cell, u, **cfg)  # noqa: E731
    rs = dict(return_sequences=True)
    full = dict(return_sequences=True, return_state=True)
    for (B, T, D, U1, U2) in [(2, 6, 3, 4, 5), (3, 5, 4, 6, 2)]:
        dims = f"B={B} T={T} input_dim={D} units={U1}->{U2}"
        R.append(("plain", f"{title}(return_sequences=True) -> {title}; {dims}", [me(U1, **rs), me(U2)], (B, T, D), {}))
        R.append(("sequences_state", f"{title}(rs) -> {title}(return_sequences, return_state); {dims}",
                  [me(U1, **rs), me(U2, **full)], (B, T, D), {}))
        R.append(("mask_arg", f"mask= on the first {title}, propagated to the second (Keras 3.15.1); {dims}",
                  [me(U1, **rs), me(U2, **full)], (B, T, D), {"mask": "mixed"}))
        R.append(("masking_layer", f"Masking -> {title}(rs) -> {title}, mask propagated; {dims}",
                  [masking(), me(U1, **rs), me(U2, return_state=True)], (B, T, D), {"mask": "mixed"}))
        R.append(("initial_state", f"initial_state [h0] on the first {title}; {dims}",
                  [me(U1, **rs), me(U2, **rs)], (B, T, D), {"initial_state": True}))
        R.append(("go_backwards_mask", f"Masking -> {title}(go_backwards, rs) -> {title}: the mask reaches the second layer un-reversed (spec/lstm.md 3.5.6); {dims}",
                  [masking(), me(U1, go_backwards=True, **rs), me(U2, **full)], (B, T, D), {"mask": "mixed"}))
        R.append(("masking_layer_initial_state", f"Masking -> {title}(rs, initial_state) -> {title}: Keras 3.15.1 drops the mask for the first layer, the second still gets it (spec/lstm.md 3.5.7); {dims}",
                  [masking(), me(U1, **rs), me(U2, **full)], (B, T, D), {"mask": "mixed", "initial_state": True}))
        if cell == "gru":
            R.append(("mixed_gru_lstm", f"GRU(rs) -> LSTM(rs, return_state: [output, h, c]); {dims}",
                      [me(U1, **rs), lstm(U2, **full)], (B, T, D), {}))
            R.append(("mixed_lstm_gru", f"LSTM(rs) -> GRU(return_state), initial_state [h0, c0] on the LSTM; {dims}",
                      [lstm(U1, **rs), me(U2, **full)], (B, T, D), {"initial_state": True}))
            R.append(("mixed_reset_before_after", f"GRU(reset_after=False, rs) -> GRU(reset_after=True, rs, return_state); {dims}",
                      [me(U1, reset_after=False, **rs), me(U2, **full)], (B, T, D), {}))
            R.append(("mixed_mask", f"Masking -> GRU(rs) -> LSTM(rs, return_state), the mask reaches the LSTM; {dims}",
                      [masking(), me(U1, **rs), lstm(U2, **full)], (B, T, D), {"mask": "mixed"}))
        else:
            R.append(("mixed_simple_rnn_gru", f"SimpleRNN(rs) -> GRU(rs, return_state); {dims}",
                      [me(U1, **rs), gru(U2, **full)], (B, T, D), {}))
            R.append(("mixed_simple_rnn_lstm", f"SimpleRNN(rs) -> LSTM(rs, return_state: [output, h, c]); {dims}",
                      [me(U1, **rs), lstm(U2, **full)], (B, T, D), {}))
            R.append(("mixed_gru_simple_rnn", f"GRU(rs) -> SimpleRNN(return_state), initial_state [h0] on the GRU; {dims}",
                      [gru(U1, **rs), me(U2, **full)], (B, T, D), {"initial_state": True}))
            R.append(("mixed_mask", f"Masking -> SimpleRNN(rs) -> GRU(reset_after=False, rs, return_state), the mask reaches the GRU; {dims}",
                      [masking(), me(U1, **rs), gru(U2, reset_after=False, **full)], (B, T, D), {"mask": "mixed"}))
    if cell == "simple_rnn":
        R.append(("mixed_three", "Masking -> SimpleRNN(rs) -> GRU(rs) -> LSTM(rs, return_state): three cells, one mask; "
                  "B=3 T=6 input_dim=3 units=4->3->2",
                  [masking(), me(4, **rs), gru(3, **rs), lstm(2, **full)], (3, 6, 3), {"mask": "mixed"}))
    return _numbered("stacked", R, cell)


def cell_stateful(cell: str) -> list[dict]:
    R = []
    title = CELL_TITLE[cell]
    for (B, T, D, U) in [(2, 5, 3, 4), (3, 4, 2, 3)]:
        dims = f"B={B} T={T} input_dim={D} units={U}"
        R.append(("twice", f"{title} stateful=True called twice, call 2 starts from call 1's state; {dims}",
                  [_layer(cell, U, stateful=True)], (B, T, D), {"calls": 2}))
        R.append(("twice_state", f"{title} stateful=True with return_state, called twice; {dims}",
                  [_layer(cell, U, stateful=True, return_state=True)], (B, T, D), {"calls": 2}))
        R.append(("twice_sequences_state", f"{title} stateful=True, return_sequences and return_state, called twice; {dims}",
                  [_layer(cell, U, stateful=True, return_sequences=True, return_state=True)], (B, T, D), {"calls": 2}))
        R.append(("twice_go_backwards", f"{title} stateful=True with go_backwards, called twice; {dims}",
                  [_layer(cell, U, stateful=True, go_backwards=True, return_state=True)], (B, T, D), {"calls": 2}))
    if cell == "gru":
        R.append(("twice_reset_before", "GRU stateful=True, reset_after=False, called twice; B=2 T=5 input_dim=3 units=4",
                  [_layer(cell, 4, stateful=True, reset_after=False, return_sequences=True, return_state=True)], (2, 5, 3), {"calls": 2}))
    R.append(("three_calls_masked", f"{title} stateful=True called three times with a mask= argument: masked steps keep the state across calls; "
              "B=3 T=4 input_dim=2 units=3",
              [_layer(cell, 3, stateful=True, return_sequences=True, return_state=True)], (3, 4, 2), {"calls": 3, "mask": "mixed"}))
    return _numbered("stateful", R, cell)


def cell_initializers(cell: str) -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    title = CELL_TITLE[cell]
    bias_text = ("zeros bias, both rows of the (2, 3u) bias" if cell == "gru" else "zeros bias")
    R.append(("keras_default", f"{title} with Keras default initialisers (glorot_uniform kernel, orthogonal recurrent, {bias_text}); "
              "B=2 T=5 input_dim=3 units=4", [_layer(cell, 4, weights="keras", **full)], (2, 5, 3), {}))
    for (B, T, D, U) in [(3, 8, 6, 5), (1, 12, 2, 8)]:
        R.append(("keras_default", f"{title} Keras default initialisers, weights used as built; B={B} T={T} input_dim={D} units={U}",
                  [_layer(cell, U, weights="keras", **full)], (B, T, D), {}))
    R.append(("random_bias", f"{title} with a random_uniform bias_initializer (every bias entry non-zero); B=2 T=6 input_dim=3 units=3",
              [_layer(cell, 3, weights="keras", bias_initializer="random_uniform", **full)], (2, 6, 3), {}))
    if cell == "gru":
        R.append(("random_bias_reset_before", "GRU reset_after=False with a random_normal bias_initializer: bias (3u,); B=2 T=6 input_dim=3 units=3",
                  [_layer(cell, 3, weights="keras", reset_after=False, bias_initializer="random_normal", **full)], (2, 6, 3), {}))
    blocks = "(z, r, h)" if cell == "gru" else "(one block)"
    for (B, T, D, U) in [(2, 7, 4, 5), (3, 6, 5, 3)]:
        R.append(("scaled_random", f"{title} random weights with a different scale per gate block {blocks}; B={B} T={T} input_dim={D} units={U}",
                  [_layer(cell, U, **full)], (B, T, D), {}))
    return _numbered("initializers", R, cell)


def cell_saturation(cell: str) -> list[dict]:
    R = []
    full = dict(return_sequences=True, return_state=True)
    title = CELL_TITLE[cell]
    hard = dict(recurrent_activation="hard_sigmoid") if cell == "gru" else dict(activation="hard_sigmoid")
    hard_text = "recurrent_activation" if cell == "gru" else "activation"
    for (B, T, D, U) in [(2, 6, 3, 4), (3, 10, 4, 3)]:
        dims = f"B={B} T={T} input_dim={D} units={U}"
        R.append(("inputs_large", f"{title} inputs of about +-10 with Keras default weights; {dims}",
                  [_layer(cell, U, weights="keras", **full)], (B, T, D), {"input_scale": 10.0}))
        R.append(("weights_large", f"{title} large per-gate-scaled weights (pre-activations about +-10); {dims}",
                  [_layer(cell, U, weights="saturating", **full)], (B, T, D), {}))
        R.append(("both_large", f"{title} inputs of about +-10 and large weights; {dims}",
                  [_layer(cell, U, weights="saturating", **full)], (B, T, D), {"input_scale": 10.0}))
        R.append(("hard_sigmoid", f"{title} saturating inputs with {hard_text}=hard_sigmoid (clip region); {dims}",
                  [_layer(cell, U, **hard, **full)], (B, T, D), {"input_scale": 10.0}))
    if cell == "gru":
        R.append(("both_large_reset_before", "GRU reset_after=False, inputs of about +-10 and large weights; B=2 T=6 input_dim=3 units=4",
                  [_layer(cell, 4, weights="saturating", reset_after=False, **full)], (2, 6, 3), {"input_scale": 10.0}))
    R.append(("long_sequence", f"{title} saturated over 60 steps; B=2 T=60 input_dim=3 units=3",
              [_layer(cell, 3, weights="saturating", **full)], (2, 60, 3), {"input_scale": 10.0}))
    return _numbered("saturation", R, cell)


def cell_worked_example(cell: str) -> list[dict]:
    title = CELL_TITLE[cell]
    rows = [("d2_u2_t3", f"worked example: {title}(2), input_dim 2, 3 timesteps, batch 1, return_sequences and return_state",
             [_layer(cell, 2, return_sequences=True, return_state=True)], (1, 3, 2), {})]
    if cell == "gru":
        rows.append(("d2_u2_t3_reset_before", "worked example: GRU(2, reset_after=False), input_dim 2, 3 timesteps, batch 1, "
                     "return_sequences and return_state",
                     [_layer(cell, 2, reset_after=False, return_sequences=True, return_state=True)], (1, 3, 2), {}))
    return _numbered("worked_example", rows, cell)


def cell_legacy(cell: str) -> list[dict]:
    """tf-keras 2.21. `"api": "v1"` on a layer builds tf-keras's `tf.compat.v1.keras.layers` class
    (tf_keras.api._v1.keras.layers: what tf.compat.v1.keras.layers names under TF_USE_LEGACY_KERAS=1);
    the fixture holds only its class name and config, which says every default it applied."""
    R = []
    full = dict(return_sequences=True, return_state=True)
    title = CELL_TITLE[cell]
    for (B, T, D, U) in [(2, 6, 3, 4), (3, 5, 2, 3)]:
        dims = f"B={B} T={T} input_dim={D} units={U}"
        R.append(("defaults", f"tf_keras {title} with default options (last output); {dims}", [_layer(cell, U)], (B, T, D), {}))
        R.append(("return_state", f"tf_keras {title} return_sequences and return_state; {dims}", [_layer(cell, U, **full)], (B, T, D), {}))
        if cell == "gru":
            R.append(("reset_after_false", f"tf_keras GRU reset_after=False: bias (3u,); {dims}",
                      [_layer(cell, U, reset_after=False, **full)], (B, T, D), {}))
            R.append(("hard_sigmoid", f"tf_keras GRU recurrent_activation=hard_sigmoid, which is clip(0.2x+0.5, 0, 1) in tf-keras; {dims}",
                      [_layer(cell, U, recurrent_activation="hard_sigmoid", **full)], (B, T, D), {"input_scale": 2.0}))
            v1 = dict(_layer(cell, U, **full), api="v1")
            R.append(("compat_v1_defaults", f"tf_keras tf.compat.v1.keras.layers.GRU with its defaults: recurrent_activation=hard_sigmoid "
                      f"(0.2x+0.5), reset_after=False, implementation=1; {dims}", [v1], (B, T, D), {"input_scale": 2.0}))
        else:
            R.append(("hard_sigmoid", f"tf_keras SimpleRNN activation=hard_sigmoid, which is clip(0.2x+0.5, 0, 1) in tf-keras; {dims}",
                      [_layer(cell, U, activation="hard_sigmoid", **full)], (B, T, D), {"input_scale": 2.0}))
        R.append(("go_backwards", f"tf_keras {title} go_backwards; {dims}", [_layer(cell, U, go_backwards=True, **full)], (B, T, D), {}))
        R.append(("initial_state", f"tf_keras {title} initial_state [h0]; {dims}", [_layer(cell, U, **full)], (B, T, D), {"initial_state": True}))
        R.append(("mask_arg", f"tf_keras {title} mask= argument, mixed rows; {dims}", [_layer(cell, U, **full)], (B, T, D), {"mask": "mixed"}))
        R.append(("masking_layer", f"tf_keras Masking layer in front of {title}, mixed rows; {dims}", [masking(), _layer(cell, U, **full)], (B, T, D), {"mask": "mixed"}))
    R.append(("masking_layer_initial_state", f"tf_keras Masking layer in front of {title} with initial_state: tf-keras applies the mask "
              "(Keras 3.15.1 drops it, spec/lstm.md 3.5.7); B=3 T=5 input_dim=2 units=3",
              [masking(), _layer(cell, 3, **full)], (3, 5, 2), {"mask": "mixed", "initial_state": True}))
    if cell == "gru":
        R.append(("compat_v1_reset_after", "tf_keras tf.compat.v1.keras.layers.GRU with reset_after=True and recurrent_activation=sigmoid "
                  "(its CuDNNGRU-compatible setting, implementation=1); B=2 T=6 input_dim=3 units=4",
                  [dict(_layer(cell, 4, reset_after=True, recurrent_activation="sigmoid", **full), api="v1")], (2, 6, 3), {}))
        R.append(("compat_v1_masked", "tf_keras tf.compat.v1.keras.layers.GRU defaults with a mask= argument and initial_state; "
                  "B=3 T=5 input_dim=2 units=3",
                  [dict(_layer(cell, 3, **full), api="v1")], (3, 5, 2), {"mask": "mixed", "initial_state": True, "input_scale": 2.0}))
    rows = _numbered("legacy", R, cell)
    for r in rows:
        r["package"] = "tf_keras"
    return rows


_CELL_FAMILY_BUILDERS = {
    "sizes": cell_sizes, "outputs": cell_outputs, "masking": cell_masking, "options": cell_options,
    "stacked": cell_stacked, "stateful": cell_stateful, "initializers": cell_initializers,
    "saturation": cell_saturation, "worked_example": cell_worked_example, "legacy": cell_legacy,
}
_CELL_SEED_BASE = {"gru": 20000, "simple_rnn": 40000}
_CELL_FAMILY_TEXT = {
    "sizes": "{T} over input_dim and units 1..64, timesteps 1..100, batch 1..8, random per-gate-scaled weights.",
    "outputs": "{T}: return_sequences x return_state ([output, h]), go_backwards and initial_state [h0].",
    "masking": "{T}: masked steps at start, middle and end, fully masked rows; mask= argument and Masking layer; go_backwards, initial_state, zero_output_for_mask.",
    "options": "{T}: use_bias=False and activation{R} beyond the defaults.",
    "stacked": "{T} stacks, with and without a mask, and mixed stacks with the other recurrent layers (the first layer names the family).",
    "stateful": "{T}: stateful=True layers called two or three times; the state carries from call to call.",
    "initializers": "{T}: weights from Keras's own initialisers (glorot_uniform, orthogonal, zeros or random bias) and scaled random weights.",
    "saturation": "{T}: inputs and weights large enough to saturate the activations (values about +-10).",
    "worked_example": "The small worked example of {C}: input_dim 2, units 2, 3 timesteps (see also {W}).",
    "legacy": "tf-keras 2.21 (Keras 2 API) tf_keras.layers.{T}: defaults, hard_sigmoid (0.2x+0.5), go_backwards, masking, return_state{V}.",
}
_CELL_EXTRA = {
    "gru": {"R": ", recurrent_activation and reset_after=False", "V": ", reset_after=False, and the tf.compat.v1 GRU (hard_sigmoid, reset_after=False)",
            "W": "worked-example-gru.json and worked-example-gru-reset-before.json"},
    "simple_rnn": {"R": "", "V": "", "W": "worked-example-simple-rnn.json"},
}
for _cell in ("gru", "simple_rnn"):
    for _k, (_fam, _builder) in enumerate(_CELL_FAMILY_BUILDERS.items()):
        _name = f"{_cell}/{_fam}"
        BASE_SEEDS[_name] = _CELL_SEED_BASE[_cell] + 1000 * _k
        FAMILY_DESCRIPTIONS[_name] = _CELL_FAMILY_TEXT[_fam].format(T=CELL_TITLE[_cell], C=CELL_CHAPTER[_cell], **_CELL_EXTRA[_cell])


FAMILIES = {
    "sizes": sizes, "outputs": outputs, "masking": masking_family, "options": options, "stacked": stacked,
    "stateful": stateful, "initializers": initializers, "saturation": saturation,
    "worked_example": worked_example, "legacy": legacy, "long": long_sequences,
}
for _cell in ("gru", "simple_rnn"):
    for _fam, _builder in _CELL_FAMILY_BUILDERS.items():
        FAMILIES[f"{_cell}/{_fam}"] = (lambda b=_builder, c=_cell: b(c))

from .bidirectional_families import BUILDERS as _BIDI_BUILDERS, DESCRIPTIONS as _BIDI_TEXT, SEED_BASE as _BIDI_SEED  # noqa: E402
for _k, (_fam, _builder) in enumerate(_BIDI_BUILDERS.items()):
    FAMILIES[f"bidirectional/{_fam}"] = _builder
    BASE_SEEDS[f"bidirectional/{_fam}"] = _BIDI_SEED + 1000 * _k
    FAMILY_DESCRIPTIONS[f"bidirectional/{_fam}"] = _BIDI_TEXT[_fam]


def family_cases(name: str) -> list[dict]:
    cases = FAMILIES[name]()
    for n, c in enumerate(cases):
        c.setdefault("package", "keras")
        c["seed"] = BASE_SEEDS[name] + n
    return cases


def family_name(name: str) -> str:
    """The file's `family` field: LSTM families are keyed by their bare name ("masking" -> "lstm/masking")."""
    return name if "/" in name else f"lstm/{name}"


def family_file(name: str) -> str:
    cell, _, fam = family_name(name).partition("/")
    return f"tf-keras/{cell}/{fam}.json" if fam == "legacy" else f"keras3/{cell}/{fam}.json"


def sample_indices(cases: list[dict]) -> list[int]:
    """The cases `verify` regenerates: the first and the last of the family (§7)."""
    return sorted({0, len(cases) - 1})
