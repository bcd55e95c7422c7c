"""A case's Bidirectional layer on real Keras: build, configs, one call and its per-direction steps.

spec/fixture-format.md §3.1–3.2 and spec/bidirectional.md. The fixture keeps the wrapper's config and the two
sub-layers Keras built (`forward_layer`, `backward_layer`), each stepped with its own cell in its own
processing order; the expected outputs are exactly what the wrapper returned.
"""
from __future__ import annotations

import numpy as np

from .run import GenerationError, _initial_states, _np, state_names, step_and_check

DIRECTIONS = ("forward", "backward")


def is_bidirectional(km, layer) -> bool:
    return isinstance(layer, km.layers.Bidirectional)


def _sub_layers(layer) -> tuple:
    return layer.forward_layer, layer.backward_layer


def build(spec: dict, layer, shape: tuple, given: list | None) -> tuple[dict, int]:
    """Build, set the flat weight list (forward's then backward's, Keras's get_weights order, §2 of the
    chapter), and return each sub-layer's weights and the width of the merged output the next layer gets."""
    layer.build(shape)
    if given is not None:
        layer.set_weights([np.asarray(w, np.float32) for w in given])
    fwd, bwd = _sub_layers(layer)
    per = {d: [np.asarray(w, np.float32) for w in sub.get_weights()] for d, sub in zip(DIRECTIONS, (fwd, bwd))}
    whole = [np.asarray(w, np.float32) for w in layer.get_weights()]
    # the claim the fixture format rests on (spec/bidirectional.md §2): the wrapper's list is forward's then backward's
    if len(whole) != len(per["forward"]) + len(per["backward"]) or not all(
            np.array_equal(a, b) for a, b in zip(whole, per["forward"] + per["backward"])):
        raise GenerationError(f"{spec['id']}: Bidirectional.get_weights() is not forward's weights then backward's")
    fu, bu = fwd.cell.units, bwd.cell.units
    return per, (fu + bu if layer.merge_mode == "concat" else fu)


def configs(layer) -> dict:
    """The wrapper's get_config() without its nested layers, and each sub-layer's class and get_config()."""
    cfg = {k: v for k, v in layer.get_config().items() if k not in ("layer", "backward_layer")}
    return {"config": cfg, **{d: {"class_name": type(sub).__name__, "config": sub.get_config()}
                              for d, sub in zip(DIRECTIONS, _sub_layers(layer))}}


def call(is_tf_keras: bool, spec: dict, li: int, layer, cur, kwargs: dict, seq_in: np.ndarray,
         in_mask: np.ndarray | None, given: list | None, B: int) -> tuple[list, list[dict]]:
    """Call the wrapper once; returns what it returned (a list) and one step record per direction."""
    fwd, bwd = _sub_layers(layer)
    nf, nb = len(state_names(fwd)), len(state_names(bwd))
    if given is not None and nf != nb:
        # Bidirectional.call splits initial_state in halves (spec/bidirectional.md §6)
        raise GenerationError(f"{spec['id']}: initial_state for sub-layers of {nf} and {nb} states cannot be split in halves")
    halves = (given[:nf], given[nf:]) if given is not None else (None, None)
    states0 = [_initial_states(spec, li, sub, h, B) for sub, h in zip((fwd, bwd), halves)]
    out = layer(cur, **kwargs)
    out_list = list(out) if isinstance(out, (list, tuple)) else [out]
    n_out = 2 if layer.merge_mode is None else 1
    expected = n_out + (nf + nb if layer.return_state else 0)
    if len(out_list) != expected:
        raise GenerationError(f"{spec['id']}: Bidirectional layer {li} returned {len(out_list)} tensors, expected {expected}")
    returned = (out_list[n_out:n_out + nf], out_list[n_out + nf:]) if layer.return_state else (None, None)
    records = []
    for d, sub, s0, ret in zip(DIRECTIONS, (fwd, bwd), states0, returned):
        stepped = step_and_check(is_tf_keras, spec, f"layer {li} ({d})", sub, seq_in, in_mask, s0, ret)
        records.append({"layer": li, "direction": d, **stepped})
    if layer.merge_mode is None and in_mask is None:
        _check_pair(spec, li, layer, out_list, records)
    return out_list, records


def _check_pair(spec: dict, li: int, layer, out_list: list, records: list[dict]) -> None:
    """merge_mode None, no mask: y_fwd is the forward's h and y_bwd the backward's h flipped back to time
    order with return_sequences (its last processed step without) — spec/bidirectional.md §4, checked on Keras's
    own values so the chapter's picture is what Keras did."""
    hf, hb = records[0]["h"], records[1]["h"]
    if layer.return_sequences:
        want_f, want_b = hf, np.flip(hb, axis=1)  # the forward's sequence is never flipped
    else:
        want_f, want_b = hf[:, -1], hb[:, -1]
    for label, want, got in (("forward", want_f, out_list[0]), ("backward", want_b, out_list[1])):
        diff = float(np.max(np.abs(want - _np(got)))) if want.size else 0.0
        if not diff <= 1e-6:
            raise GenerationError(f"{spec['id']}: layer {li}: the {label} output differs from the stepped {label} h "
                                  f"by {diff:g}")
