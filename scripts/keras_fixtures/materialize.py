"""Seeded weights and inputs for a case spec (families.py). Pure numpy: the same on every backend."""
from __future__ import annotations

import numpy as np

# Per-gate-block scale factors (i, f, c, o before the per-seed permutation). Distinct on purpose: equal
# scales hide gate-order and transposition bugs (issue 2; keras-semantics T2).
KERNEL_FACTORS = np.array([0.5, 0.8, 1.1, 1.4])
RECURRENT_FACTORS = np.array([0.4, 0.7, 1.0, 1.3])
BIAS_FACTORS = np.array([0.1, 0.2, 0.3, 0.4])
SATURATING_BOOST = 8.0

MASK_PATTERNS = ("start", "middle", "end", "full_row", "mixed", "none")
RECURRENT = ("LSTM", "GRU", "SimpleRNN")
WEIGHTED = RECURRENT + ("Bidirectional",)  # layers that carry weights (a Bidirectional: its two sub-layers')

# GRU blocks z, r, h and the single SimpleRNN block (spec/gru.md, spec/simple-rnn.md): distinct scales per
# block again, and for the GRU's (2, 3u) bias a separate draw per row (input bias, recurrent bias).
GRU_KERNEL_FACTORS = np.array([0.6, 1.0, 1.4])
GRU_RECURRENT_FACTORS = np.array([0.5, 0.9, 1.3])
GRU_BIAS_FACTORS = np.array([0.15, 0.3, 0.45])
SIMPLE_RNN_RECURRENT_SCALE = 0.8  # times 1/sqrt(units): a tanh SimpleRNN that neither dies nor saturates


def _block_scaled(rng: np.random.Generator, rows: int, units: int, factors: np.ndarray, base: float) -> np.ndarray:
    scales = rng.permutation(factors) * base
    w = rng.standard_normal((rows, 4 * units))
    for k in range(4):
        w[:, k * units:(k + 1) * units] *= scales[k]
    return w.astype(np.float32)


def random_lstm_weights(rng: np.random.Generator, input_dim: int, units: int, use_bias: bool, scheme: str) -> list[np.ndarray]:
    boost = SATURATING_BOOST if scheme == "saturating" else 1.0
    kernel = _block_scaled(rng, input_dim, units, KERNEL_FACTORS, boost / np.sqrt(input_dim))
    recurrent = _block_scaled(rng, units, units, RECURRENT_FACTORS, boost / np.sqrt(units))
    out = [kernel, recurrent]
    if use_bias:
        out.append(_block_scaled(rng, 1, units, BIAS_FACTORS, boost)[0])
    return out


def _blocks_scaled(rng: np.random.Generator, rows: int, units: int, factors: np.ndarray, base: float) -> np.ndarray:
    """len(factors) blocks of `units` columns, each with its own scale (the factors in a per-draw order)."""
    n = len(factors)
    scales = rng.permutation(factors) * base
    w = rng.standard_normal((rows, n * units))
    for k in range(n):
        w[:, k * units:(k + 1) * units] *= scales[k]
    return w.astype(np.float32)


def random_gru_weights(rng: np.random.Generator, input_dim: int, units: int, use_bias: bool, reset_after: bool,
                       scheme: str) -> list[np.ndarray]:
    boost = SATURATING_BOOST if scheme == "saturating" else 1.0
    kernel = _blocks_scaled(rng, input_dim, units, GRU_KERNEL_FACTORS, boost / np.sqrt(input_dim))
    recurrent = _blocks_scaled(rng, units, units, GRU_RECURRENT_FACTORS, boost / np.sqrt(units))
    out = [kernel, recurrent]
    if use_bias:
        rows = 2 if reset_after else 1
        bias = np.stack([_blocks_scaled(rng, 1, units, GRU_BIAS_FACTORS, boost)[0] for _ in range(rows)])
        out.append(bias if reset_after else bias[0])
    return out


def random_simple_rnn_weights(rng: np.random.Generator, input_dim: int, units: int, use_bias: bool, scheme: str) -> list[np.ndarray]:
    boost = SATURATING_BOOST if scheme == "saturating" else 1.0
    kernel = (rng.standard_normal((input_dim, units)) * boost / np.sqrt(input_dim)).astype(np.float32)
    recurrent = (rng.standard_normal((units, units)) * boost * SIMPLE_RNN_RECURRENT_SCALE / np.sqrt(units)).astype(np.float32)
    out = [kernel, recurrent]
    if use_bias:
        out.append((rng.standard_normal(units) * 0.3 * boost).astype(np.float32))
    return out


def random_weights(rng: np.random.Generator, class_name: str, input_dim: int, cfg: dict, scheme: str) -> list[np.ndarray]:
    units, use_bias = int(cfg["units"]), bool(cfg.get("use_bias", True))
    if class_name == "LSTM":
        return random_lstm_weights(rng, input_dim, units, use_bias, scheme)
    if class_name == "GRU":
        return random_gru_weights(rng, input_dim, units, use_bias, bool(cfg.get("reset_after", True)), scheme)
    return random_simple_rnn_weights(rng, input_dim, units, use_bias, scheme)


def _row_mask(rng: np.random.Generator, pattern: str, T: int) -> np.ndarray:
    m = np.ones(T, dtype=bool)
    if pattern == "none" or T == 1 and pattern != "full_row":
        return m
    if pattern == "start":
        m[: int(rng.integers(1, T))] = False
    elif pattern == "end":
        m[T - int(rng.integers(1, T)):] = False
    elif pattern == "middle":
        if T >= 3:
            a = int(rng.integers(1, T - 1))
            b = int(rng.integers(a + 1, T))
            m[a:b] = False
    elif pattern == "full_row":
        m[:] = False
    else:
        raise ValueError(f"unknown mask pattern {pattern!r}")
    return m


def make_mask(rng: np.random.Generator, pattern: str, B: int, T: int) -> np.ndarray:
    """Rows for a pattern. full_row: row 0 fully masked, the others masked at the end. mixed: rows cycle
    start, middle, end, fully masked, unmasked."""
    if pattern == "mixed":
        cycle = ["start", "middle", "end", "full_row", "none"]
        rows = [_row_mask(rng, cycle[b % len(cycle)], T) for b in range(B)]
    elif pattern == "full_row":
        rows = [_row_mask(rng, "full_row" if b == 0 else "end", T) for b in range(B)]
    else:
        rows = [_row_mask(rng, pattern, T) for b in range(B)]
    return np.stack(rows)


def bidirectional_subs(layer: dict) -> tuple[dict, dict]:
    """A case spec's Bidirectional layer: its forward and backward sub-layer specs (the backward defaults to
    the wrapped layer, which Keras clones with go_backwards, spec/bidirectional.md §1)."""
    return layer["layer"], layer.get("backward_layer") or layer["layer"]


def _bidirectional_weights(rng: np.random.Generator, layer: dict, in_dim: int) -> tuple[list[np.ndarray], int]:
    """Keras's flat list (forward's weights then backward's) and the merged width."""
    out, widths = [], []
    for sub in bidirectional_subs(layer):
        if sub.get("weights", "scaled") == "keras":
            raise ValueError("a Bidirectional sub-layer takes drawn weights (scheme 'scaled' or 'saturating')")
        out += random_weights(rng, sub["class_name"], in_dim, sub["config"], sub.get("weights", "scaled"))
        widths.append(int(sub["config"]["units"]))
    return out, (sum(widths) if layer["config"].get("merge_mode", "concat") == "concat" else widths[0])


def _initial_states(rng: np.random.Generator, class_name: str, units: int, B: int) -> list[np.ndarray]:
    h0 = (rng.standard_normal((B, units)) * 0.5).astype(np.float32)
    if class_name == "LSTM":
        return [h0, rng.standard_normal((B, units)).astype(np.float32)]
    return [h0]  # GRU and SimpleRNN have one state


def materialize(spec: dict) -> dict:
    """Draw everything a case needs from numpy's generator seeded with spec['seed'], in a fixed order."""
    rng = np.random.default_rng(spec["seed"])
    B, T, D = spec["shape"]
    weights: list[list[np.ndarray] | None] = []
    in_dim = D
    for layer in spec["layers"]:
        if layer["class_name"] == "Bidirectional":
            ws, in_dim = _bidirectional_weights(rng, layer, in_dim)
            weights.append(ws)
            continue
        if layer["class_name"] not in RECURRENT:
            weights.append(None)
            continue
        cfg = layer["config"]
        if layer.get("api") == "v1" and layer["class_name"] == "GRU":
            cfg = {"reset_after": False, **cfg}  # tf.compat.v1 GRU default (tf_keras gru_v1.py)
        units = int(cfg["units"])
        scheme = layer.get("weights", "scaled")
        if scheme == "keras":
            weights.append(None)  # taken from the layer's own seeded initialisers (run.py)
        else:
            weights.append(random_weights(rng, layer["class_name"], in_dim, cfg, scheme))
        in_dim = units
    first = next(l for l in spec["layers"] if l["class_name"] in WEIGHTED)
    first_units = int(first["config"]["units"]) if first["class_name"] != "Bidirectional" else 0
    has_masking_layer = spec["layers"][0]["class_name"] == "Masking"
    calls = []
    for _ in range(spec.get("calls", 1)):
        x = (rng.standard_normal((B, T, D)) * spec.get("input_scale", 1.0)).astype(np.float32)
        call: dict = {"x": x}
        mask = spec.get("mask")
        if mask is not None:
            m = np.asarray(mask, dtype=bool) if not isinstance(mask, str) else make_mask(rng, mask, B, T)
            if has_masking_layer:
                value = np.float32(spec["layers"][0]["config"].get("mask_value", 0.0))
                x[~m] = value  # the Masking layer derives the mask from these rows (spec §3.2)
            else:
                call["mask"] = m
        if spec.get("initial_state") and first["class_name"] == "Bidirectional":
            # Keras's flat list, forward's states then backward's, each half its own draw (spec/bidirectional.md §6)
            call["initial_state"] = [s for sub in bidirectional_subs(first)
                                     for s in _initial_states(rng, sub["class_name"], int(sub["config"]["units"]), B)]
        elif spec.get("initial_state"):
            h0 = (rng.standard_normal((B, first_units)) * 0.5).astype(np.float32)
            if first["class_name"] == "LSTM":
                c0 = rng.standard_normal((B, first_units)).astype(np.float32)
                call["initial_state"] = [h0, c0]
            else:
                call["initial_state"] = [h0]  # GRU and SimpleRNN have one state
        calls.append(call)
    return {"weights": weights, "calls": calls}
