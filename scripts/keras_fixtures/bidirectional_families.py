"""The Bidirectional families (spec/bidirectional.md): `bidirectional/<topic>`, over LSTM, GRU and SimpleRNN.

Ids are `bidirectional/<topic>/<cell>_<variant>/NNN` (spec/fixture-format.md §1). A Bidirectional layer in a
case spec is {"class_name": "Bidirectional", "config": {"merge_mode"}, "layer": <recurrent spec>,
"backward_layer"?: <recurrent spec>}; Keras builds the sub-layers (run.py), the fixture keeps what it built.
Shapes stay small: the corpus addition is budgeted at < 1.5 MB.
"""
from __future__ import annotations

from .families import _numbered, masking

CELLS = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}
MERGE_MODES = ("concat", "sum", "mul", "ave", None)
SEQ_STATE = dict(return_sequences=True, return_state=True)


def rec(cell: str, units: int, **config: object) -> dict:
    """A recurrent layer spec of `cell` (lstm | gru | simple_rnn); gru_rb is a GRU with reset_after=False."""
    if cell == "gru_rb":
        return {"class_name": "GRU", "config": {"units": units, "reset_after": False, **config}}
    return {"class_name": CELLS[cell], "config": {"units": units, **config}}


def bidi(layer: dict, merge_mode: str | None = "concat", backward_layer: dict | None = None) -> dict:
    out = {"class_name": "Bidirectional", "config": {"merge_mode": merge_mode}, "layer": layer}
    if backward_layer is not None:
        out["backward_layer"] = backward_layer
    return out


def _mode(m: str | None) -> str:
    return "none" if m is None else m


def _dims(shape: tuple, units: object) -> str:
    B, T, D = shape
    return f"B={B} T={T} input_dim={D} units={units}"


def merge() -> list[dict]:
    """Every merge_mode x return_sequences x return_state, per cell; GRU reset_after=False on a few."""
    R = []
    shapes = [(3, 5, 4), (2, 6, 3)]
    k = 0
    for cell in ("lstm", "gru", "simple_rnn"):
        for mm in MERGE_MODES:
            for rs in (False, True):
                for rst in (False, True):
                    shape, units = shapes[k % 2], 3 if k % 2 == 0 else 2
                    k += 1
                    variant = f"{cell}_{_mode(mm)}" + ("_seq" if rs else "") + ("_state" if rst else "")
                    R.append((variant, f"Bidirectional({CELLS[cell]}), merge_mode={mm}, return_sequences={rs}, "
                              f"return_state={rst}; {_dims(shape, units)}",
                              [bidi(rec(cell, units, return_sequences=rs, return_state=rst), mm)], shape, {}))
    for mm in ("concat", None):
        R.append((f"gru_reset_before_{_mode(mm)}_seq_state", f"Bidirectional(GRU(reset_after=False)), merge_mode={mm}, "
                  f"return_sequences and return_state; {_dims((2, 5, 3), 3)}",
                  [bidi(rec("gru_rb", 3, **SEQ_STATE), mm)], (2, 5, 3), {}))
    return _numbered("merge", R, "bidirectional")


def masking_family() -> list[dict]:
    """Right padding and holes through mask= and a Masking layer: zero_output_for_mask is forced to
    return_sequences, so masked steps are zeros in both halves of a sequence output (§5)."""
    R = []
    for cell in ("lstm", "gru", "simple_rnn"):
        T = CELLS[cell]
        a, b = (4, 6, 3), (3, 7, 2)
        R.append((f"{cell}_right_padded", f"Bidirectional({T}) mask= with right padding, concat, sequences and states: "
                  f"padded steps zero in both halves; {_dims(a, 3)}", [bidi(rec(cell, 3, **SEQ_STATE))], a, {"mask": "end"}))
        R.append((f"{cell}_holes", f"Bidirectional({T}) mask= with holes in the middle, concat, sequences; {_dims(b, 2)}",
                  [bidi(rec(cell, 2, return_sequences=True))], b, {"mask": "middle"}))
        R.append((f"{cell}_mixed_pair", f"Bidirectional({T}) mask= with rows masked at start/middle/end/fully/not, "
                  f"merge_mode=None, sequences and states; {_dims((5, 6, 3), 2)}",
                  [bidi(rec(cell, 2, **SEQ_STATE), None)], (5, 6, 3), {"mask": "mixed"}))
        R.append((f"{cell}_full_row_last", f"Bidirectional({T}) mask= with a fully masked row, return_sequences=False "
                  f"(zero_output_for_mask forced False), sum, states; {_dims(b, 2)}",
                  [bidi(rec(cell, 2, return_state=True), "sum")], b, {"mask": "full_row"}))
        R.append((f"{cell}_masking_layer", f"Masking -> Bidirectional({T}), mixed rows, concat, sequences and states; "
                  f"{_dims(a, 3)}", [masking(), bidi(rec(cell, 3, **SEQ_STATE))], a, {"mask": "mixed"}))
        R.append((f"{cell}_masking_layer_last", f"Masking -> Bidirectional({T}), right padding, last output, ave, states; "
                  f"{_dims(b, 2)}", [masking(), bidi(rec(cell, 2, return_state=True), "ave")], b, {"mask": "end"}))
        R.append((f"{cell}_masking_layer_explicit_zofm", f"Masking -> Bidirectional({T}(zero_output_for_mask=False, "
                  f"return_sequences)): Keras forces it True; mixed rows, mul; {_dims(a, 2)}",
                  [masking(), bidi(rec(cell, 2, zero_output_for_mask=False, return_sequences=True), "mul")], a, {"mask": "mixed"}))
        R.append((f"{cell}_masking_layer_initial_state", f"Masking -> Bidirectional({T}) with initial_state: Keras 3.15.1 passes "
                  f"no mask then (spec/lstm.md 3.5.7), masked rows run as zero inputs; concat, sequences and states; {_dims(b, 2)}",
                  [masking(), bidi(rec(cell, 2, **SEQ_STATE))], b, {"mask": "mixed", "initial_state": True}))
    return _numbered("masking", R, "bidirectional")


def initial_state() -> list[dict]:
    """initial_state split in halves: forward's states, then backward's, each half its own values (§6)."""
    R = []
    for cell in ("lstm", "gru", "simple_rnn"):
        T = CELLS[cell]
        R.append((f"{cell}_seq_state", f"Bidirectional({T}) initial_state [fwd..., bwd...], concat, sequences and "
                  f"states; {_dims((3, 5, 3), 3)}", [bidi(rec(cell, 3, **SEQ_STATE))], (3, 5, 3), {"initial_state": True}))
        R.append((f"{cell}_pair_last", f"Bidirectional({T}) initial_state, merge_mode=None, last outputs and states; "
                  f"{_dims((2, 4, 2), 2)}", [bidi(rec(cell, 2, return_state=True), None)], (2, 4, 2), {"initial_state": True}))
        R.append((f"{cell}_mask", f"Bidirectional({T}) initial_state with a mask= argument (right padding), concat, "
                  f"sequences and states; {_dims((3, 6, 2), 2)}", [bidi(rec(cell, 2, **SEQ_STATE))], (3, 6, 2),
                  {"initial_state": True, "mask": "end"}))
    for cell in ("lstm", "gru", "simple_rnn"):
        R.append((f"{cell}_full_row_last", f"Bidirectional({CELLS[cell]}) initial_state with a fully masked row, merge_mode=None, "
                  f"last outputs and states (JAX differs on the masked row's outputs, spec/bidirectional.md §7.5); "
                  f"{_dims((3, 5, 2), 2)}", [bidi(rec(cell, 2, return_state=True), None)], (3, 5, 2),
                  {"initial_state": True, "mask": "full_row"}))
    R.append(("gru_reset_before_seq_state", f"Bidirectional(GRU(reset_after=False)) initial_state, sum, sequences and "
              f"states; {_dims((2, 5, 3), 3)}", [bidi(rec("gru_rb", 3, **SEQ_STATE), "sum")], (2, 5, 3), {"initial_state": True}))
    return _numbered("initial_state", R, "bidirectional")


def backward_layer() -> list[dict]:
    """A custom backward_layer (must go backwards and match stateful/return_sequences/return_state; Keras 3
    lets it be another cell class, size or option set, spec/bidirectional.md §8)."""
    R = []
    back = dict(go_backwards=True)
    rows = [
        ("lstm_activation_relu", "Bidirectional(LSTM, backward_layer=LSTM(activation=relu)), concat, sequences and states",
         rec("lstm", 3, **SEQ_STATE), rec("lstm", 3, activation="relu", **back, **SEQ_STATE), "concat", (3, 5, 3), {}),
        ("lstm_units", "Bidirectional(LSTM(3), backward_layer=LSTM(2)): concat of unequal halves, sequences",
         rec("lstm", 3, return_sequences=True), rec("lstm", 2, return_sequences=True, **back), "concat", (2, 6, 3), {}),
        ("gru_use_bias_false", "Bidirectional(GRU, backward_layer=GRU(use_bias=False)), sum, sequences and states",
         rec("gru", 3, **SEQ_STATE), rec("gru", 3, use_bias=False, **back, **SEQ_STATE), "sum", (2, 5, 4), {}),
        ("gru_reset_after_mixed", "Bidirectional(GRU(reset_after=True), backward_layer=GRU(reset_after=False)), None, "
         "sequences and states", rec("gru", 2, **SEQ_STATE), rec("gru_rb", 2, **back, **SEQ_STATE), None, (3, 4, 3), {}),
        ("lstm_gru", "Bidirectional(LSTM(3), backward_layer=GRU(2)): another cell class, concat, sequences and states "
         "[output, fwd_h, fwd_c, bwd_h]", rec("lstm", 3, **SEQ_STATE), rec("gru", 2, **back, **SEQ_STATE), "concat", (2, 5, 3), {}),
        ("gru_simple_rnn", "Bidirectional(GRU, backward_layer=SimpleRNN), ave, last output and states",
         rec("gru", 3, return_state=True), rec("simple_rnn", 3, **back, return_state=True), "ave", (3, 6, 2), {}),
        ("simple_rnn_lstm_mask", "Bidirectional(SimpleRNN(2), backward_layer=LSTM(3)), mask= with mixed rows, concat, sequences",
         rec("simple_rnn", 2, return_sequences=True), rec("lstm", 3, return_sequences=True, **back), "concat", (5, 5, 3), {"mask": "mixed"}),
        ("simple_rnn_activation_relu_initial_state", "Bidirectional(SimpleRNN, backward_layer=SimpleRNN(activation=relu)) with "
         "initial_state, mul, sequences and states", rec("simple_rnn", 2, **SEQ_STATE),
         rec("simple_rnn", 2, activation="relu", **back, **SEQ_STATE), "mul", (2, 5, 3), {"initial_state": True}),
    ]
    for variant, text, fwd, bwd, mm, shape, extra in rows:
        R.append((variant, f"{text}; B={shape[0]} T={shape[1]} input_dim={shape[2]}", [bidi(fwd, mm, bwd)], shape, extra))
    return _numbered("backward_layer", R, "bidirectional")


def stacked() -> list[dict]:
    """Bidirectional(rs) -> Bidirectional, Bidirectional -> LSTM/GRU, LSTM(rs) -> Bidirectional, a mask flowing down."""
    R = []
    rs = dict(return_sequences=True)
    for cell in ("lstm", "gru", "simple_rnn"):
        T = CELLS[cell]
        R.append((f"{cell}_bidi_bidi", f"Bidirectional({T}, rs) -> Bidirectional({T}), concat, last output and states; "
                  f"B=2 T=5 input_dim=3 units=3->2", [bidi(rec(cell, 3, **rs)), bidi(rec(cell, 2, return_state=True))], (2, 5, 3), {}))
        R.append((f"{cell}_masking_bidi_bidi", f"Masking -> Bidirectional({T}, rs, sum) -> Bidirectional({T}, rs): the mask "
                  f"reaches the second; B=4 T=6 input_dim=3 units=2->2",
                  [masking(), bidi(rec(cell, 2, **rs), "sum"), bidi(rec(cell, 2, **SEQ_STATE))], (4, 6, 3), {"mask": "mixed"}))
    R.append(("lstm_bidi_gru", "Bidirectional(LSTM, rs) -> GRU(rs, return_state); B=3 T=5 input_dim=2 units=2->3",
              [bidi(rec("lstm", 2, **rs)), rec("gru", 3, **SEQ_STATE)], (3, 5, 2), {}))
    R.append(("gru_bidi_lstm_mask", "mask= -> Bidirectional(GRU, rs, ave) -> LSTM(rs, return_state): the mask reaches the "
              "LSTM; B=4 T=5 input_dim=3 units=3->2", [bidi(rec("gru", 3, **rs), "ave"), rec("lstm", 2, **SEQ_STATE)], (4, 5, 3),
              {"mask": "mixed"}))
    R.append(("lstm_lstm_bidi", "LSTM(rs) -> Bidirectional(LSTM), concat, sequences and states; B=2 T=6 input_dim=3 units=3->2",
              [rec("lstm", 3, **rs), bidi(rec("lstm", 2, **SEQ_STATE))], (2, 6, 3), {}))
    R.append(("gru_masking_gru_bidi", "Masking -> GRU(rs) -> Bidirectional(SimpleRNN), None, sequences: the mask reaches the "
              "Bidirectional; B=4 T=5 input_dim=2 units=3->2",
              [masking(), rec("gru", 3, **rs), bidi(rec("simple_rnn", 2, **rs), None)], (4, 5, 2), {"mask": "mixed"}))
    R.append(("simple_rnn_bidi_initial_state", "Bidirectional(SimpleRNN, rs, mul) with initial_state -> Bidirectional(GRU), "
              "concat; B=2 T=5 input_dim=3 units=2->2", [bidi(rec("simple_rnn", 2, **rs), "mul"), bidi(rec("gru", 2))], (2, 5, 3),
              {"initial_state": True}))
    return _numbered("stacked", R, "bidirectional")


def stateful() -> list[dict]:
    """stateful=True, called 2-3 times; each direction carries its own state. Keras 3.15.1 cannot call a
    stateful Bidirectional with return_state (compute_mask multiplies a generator, spec/bidirectional.md §9)."""
    R = []
    for cell in ("lstm", "gru", "simple_rnn"):
        T = CELLS[cell]
        R.append((f"{cell}_twice", f"Bidirectional({T}(stateful=True)) called twice, concat, last output; {_dims((2, 4, 3), 3)}",
                  [bidi(rec(cell, 3, stateful=True))], (2, 4, 3), {"calls": 2}))
        R.append((f"{cell}_twice_sequences", f"Bidirectional({T}(stateful=True)) called twice, merge_mode=None, sequences; "
                  f"{_dims((3, 5, 2), 2)}", [bidi(rec(cell, 2, stateful=True, return_sequences=True), None)], (3, 5, 2), {"calls": 2}))
        R.append((f"{cell}_three_calls_masked", f"Bidirectional({T}(stateful=True)) called three times with a mask= argument, "
                  f"sum, sequences: masked steps keep each direction's state across calls; {_dims((3, 4, 2), 2)}",
                  [bidi(rec(cell, 2, stateful=True, return_sequences=True), "sum")], (3, 4, 2), {"calls": 3, "mask": "mixed"}))
    return _numbered("stateful", R, "bidirectional")


def sizes() -> list[dict]:
    R = []
    rows = [
        ("lstm", 1, 1, 1, 1, False, True, "concat"), ("gru", 1, 1, 3, 2, True, True, "sum"),
        ("simple_rnn", 4, 20, 2, 3, True, False, "concat"), ("lstm", 2, 12, 16, 4, True, True, "ave"),
        ("gru", 3, 9, 5, 16, False, True, None), ("simple_rnn", 2, 7, 16, 16, True, True, "mul"),
        ("lstm", 4, 3, 1, 6, True, False, None), ("gru", 1, 20, 4, 1, True, True, "concat"),
        ("simple_rnn", 3, 1, 4, 1, False, True, "ave"),
    ]
    for cell, B, T, D, U, rs, rst, mm in rows:
        R.append((f"{cell}_b{B}_t{T}", f"Bidirectional({CELLS[cell]}), merge_mode={mm}, return_sequences={rs}, return_state={rst}; "
                  f"{_dims((B, T, D), U)}", [bidi(rec(cell, U, return_sequences=rs, return_state=rst), mm)], (B, T, D), {}))
    return _numbered("sizes", R, "bidirectional")


def legacy() -> list[dict]:
    """tf-keras 2.21: defaults, merge modes, and a wrapped layer with go_backwards=True, which tf-keras
    *toggles* (its forward runs backwards, its backward forwards; Keras 3 refuses it, spec/bidirectional.md §1)."""
    R = []
    for cell in ("lstm", "gru", "simple_rnn"):
        T = CELLS[cell]
        R.append((f"{cell}_defaults", f"tf_keras Bidirectional({T}) defaults: concat, last output; {_dims((2, 5, 3), 3)}",
                  [bidi(rec(cell, 3))], (2, 5, 3), {}))
        R.append((f"{cell}_go_backwards_toggled", f"tf_keras Bidirectional({T}(go_backwards=True)): the forward layer runs "
                  f"backwards and the backward forwards; concat, sequences and states; {_dims((2, 5, 3), 2)}",
                  [bidi(rec(cell, 2, go_backwards=True, **SEQ_STATE))], (2, 5, 3), {}))
        R.append((f"{cell}_mask", f"tf_keras Bidirectional({T}) mask= with mixed rows, sum, sequences and states; "
                  f"{_dims((5, 5, 2), 2)}", [bidi(rec(cell, 2, **SEQ_STATE), "sum")], (5, 5, 2), {"mask": "mixed"}))
    for mm in ("sum", "mul", "ave", None):
        R.append((f"lstm_{_mode(mm)}", f"tf_keras Bidirectional(LSTM), merge_mode={mm}, sequences and states; {_dims((2, 4, 3), 2)}",
                  [bidi(rec("lstm", 2, **SEQ_STATE), mm)], (2, 4, 3), {}))
    R.append(("gru_initial_state", f"tf_keras Bidirectional(GRU) initial_state [fwd_h, bwd_h], concat, sequences and states; "
              f"{_dims((2, 5, 3), 3)}", [bidi(rec("gru", 3, **SEQ_STATE))], (2, 5, 3), {"initial_state": True}))
    R.append(("lstm_masking_layer_initial_state", "tf_keras Masking -> Bidirectional(LSTM) with initial_state: tf-keras keeps "
              f"the mask (Keras 3.15.1 drops it); concat, sequences and states; {_dims((3, 5, 2), 2)}",
              [masking(), bidi(rec("lstm", 2, **SEQ_STATE))], (3, 5, 2), {"mask": "mixed", "initial_state": True}))
    R.append(("lstm_stateful_state", "tf_keras Bidirectional(LSTM(stateful=True, return_state=True)) called twice (Keras "
              f"3.15.1 cannot run this); concat; {_dims((2, 4, 3), 2)}", [bidi(rec("lstm", 2, stateful=True, return_state=True))],
              (2, 4, 3), {"calls": 2}))
    R.append(("lstm_gru_backward_layer", "tf_keras Bidirectional(LSTM, backward_layer=GRU(go_backwards=True)), concat, "
              "sequences; B=2 T=5 input_dim=3 units=3",
              [bidi(rec("lstm", 3, return_sequences=True), "concat", rec("gru", 3, return_sequences=True, go_backwards=True))],
              (2, 5, 3), {}))
    R.append(("gru_reset_before_go_backwards_toggled", "tf_keras Bidirectional(GRU(reset_after=False, go_backwards=True)): "
              f"toggled; ave, last output and states; {_dims((3, 4, 2), 2)}",
              [bidi(rec("gru_rb", 2, go_backwards=True, return_state=True), "ave")], (3, 4, 2), {}))
    rows = _numbered("legacy", R, "bidirectional")
    for r in rows:
        r["package"] = "tf_keras"
    return rows


BUILDERS = {
    "merge": merge, "masking": masking_family, "initial_state": initial_state, "backward_layer": backward_layer,
    "stacked": stacked, "stateful": stateful, "sizes": sizes, "legacy": legacy,
}
SEED_BASE = 60000
DESCRIPTIONS = {
    "merge": "Bidirectional over LSTM, GRU and SimpleRNN: every merge_mode (concat, sum, mul, ave, None) x return_sequences x return_state.",
    "masking": "Bidirectional with right-padded rows and holes (mask= and a Masking layer): zero_output_for_mask forced to return_sequences, fully masked rows, Masking with initial_state.",
    "initial_state": "Bidirectional initial_state split in halves (forward's states, then backward's), with and without a mask.",
    "backward_layer": "Bidirectional with a custom backward_layer: another activation, size, use_bias, reset_after or cell class.",
    "stacked": "Bidirectional(rs) -> Bidirectional, Bidirectional -> LSTM/GRU, LSTM/GRU(rs) -> Bidirectional, with a mask flowing down.",
    "stateful": "Bidirectional over stateful layers called two or three times; each direction carries its own state.",
    "sizes": "Bidirectional over batch 1..4, timesteps 1..20, input_dim and units 1..16.",
    "legacy": "tf-keras 2.21 Bidirectional: defaults, merge modes, mask, initial_state, stateful with return_state, a custom backward layer, and go_backwards=True toggled.",
}
