"""Keras-compatible recurrent layers in plain numpy — the LSTM (spec/lstm.md), the GRU with both reset
conventions (spec/gru.md) and the SimpleRNN (spec/simple-rnn.md) — written from the spec's equations;
they compute in float64. The layers only: the suite composes Masking, stacks (mixed ones too) and
stateful calls around them (spec/adapter.md §1.2), so both engines here — engine.py (with the
package's Python helper, all three layers) and engine_raw.py (the protocol by hand, the LSTM) — are a
few lines around ``lstm_sequence``, ``gru_sequence`` and ``simple_rnn_sequence``. (The file keeps the
name it had when it held the LSTM alone: the examples copy it under that name.)"""
from __future__ import annotations

import numpy as np


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), without overflow


ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "exponential": np.exp,
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0.0))),
    "swish": lambda x: x * _sigmoid(x),
    "silu": lambda x: x * _sigmoid(x),
}
# spec/lstm.md §4.2: hard_sigmoid means clip(x/6 + 1/2) in Keras 3, clip(0.2x + 0.5) in tf-keras / Keras 2.
HARD_SIGMOID = {
    "keras3": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "tf-keras": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
}

# What the layers implement (spec/adapter.md §1.2), the same for the three. Not `stateful`: the suite
# hands a stateful layer's last state back as initial_state, which these layers take. The GRU's
# reset-before convention is one more feature, `gru:reset_after_false` (GRU_CAPABILITIES).
CAPABILITIES = [
    "go_backwards", "initial_state", "mask", "zero_output_for_mask", "use_bias_false", "dialect:tf-keras",
    *[f"activation:{n}" for n in [*ACTIVATIONS, "hard_sigmoid"]],
    *[f"recurrent_activation:{n}" for n in [*ACTIVATIONS, "hard_sigmoid"]],
]


# gru_sequence computes both GRU conventions (spec/gru.md §2.1, §2.2).
GRU_CAPABILITIES = ["gru:reset_after_false"]


def activation(name, dialect: str):
    if name is None:  # a SimpleRNN's activation=None is linear (spec/simple-rnn.md §3.8)
        return ACTIVATIONS["linear"]
    if name == "hard_sigmoid":
        return HARD_SIGMOID[dialect]
    if name not in ACTIVATIONS:
        raise NotImplementedError(f"activation {name!r}")  # reported as unsupported (spec/adapter.md §8.4)
    return ACTIVATIONS[name]


def lstm_step(x_t, h, c, W, U, b, act, rec_act):
    """spec/lstm.md §2.1: z = x_t·W + h·U + b; blocks i, f, c, o; c_t = f⊙c + i⊙g; h_t = o⊙act(c_t)."""
    z = x_t @ W + h @ U + b
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    i, f, g, o = rec_act(z_i), rec_act(z_f), act(z_c), rec_act(z_o)
    c_t = f * c + i * g
    h_t = o * act(c_t)
    return h_t, c_t


def recurrent_sequence(step, config: dict, x, mask, states: list):
    """The loop every Keras recurrent layer runs (spec/lstm.md §2.3, §3.3, §3.5), for any cell:
    ``step(x_t, states) -> (output, new_states)``. Returns every step's output in processing order and
    the final states. ``mask`` (batch, timesteps) is in original time order."""
    units = config["units"]
    batch, steps, _ = x.shape
    order = range(steps - 1, -1, -1) if config["go_backwards"] else range(steps)
    zero_masked = bool(config.get("zero_output_for_mask", False))
    previous_output = np.zeros((batch, units))  # TF backend: zeros before the first valid step (spec/lstm.md §3.5.3)
    outputs = []
    for t in order:  # outputs stay in processing order (spec/lstm.md §3.3)
        out_new, new_states = step(x[:, t].astype(np.float64), states)
        if mask is None:
            states, out = new_states, out_new
        else:
            # spec/lstm.md §3.5.2: a masked step keeps the state; its output is the previous output, or zeros.
            valid = mask[:, t][:, None]
            states = [np.where(valid, new, old) for new, old in zip(new_states, states)]
            out = np.where(valid, out_new, 0.0 if zero_masked else previous_output)
        previous_output = out
        outputs.append(out)
    return np.stack(outputs, axis=1), states


def _initial(state, batch: int, units: int, count: int) -> list:
    return [np.zeros((batch, units)) for _ in range(count)] if state is None else [s.astype(np.float64) for s in state]


def lstm_sequence(config: dict, weights: dict, x, mask, state, dialect: str):
    """One LSTM layer over x (batch, timesteps, features): every step's output in processing order,
    and the final h, c. ``mask`` (batch, timesteps) is in original time order; ``state`` is [h0, c0] or None."""
    units = config["units"]
    W = weights["kernel"].astype(np.float64)
    U = weights["recurrent_kernel"].astype(np.float64)
    b = weights["bias"].astype(np.float64) if config["use_bias"] else np.zeros(4 * units)
    act, rec_act = activation(config["activation"], dialect), activation(config["recurrent_activation"], dialect)

    def step(x_t, states):
        h_t, c_t = lstm_step(x_t, *states, W, U, b, act, rec_act)
        return h_t, [h_t, c_t]

    sequence, (h, c) = recurrent_sequence(step, config, x, mask, _initial(state, x.shape[0], units, 2))
    return sequence, h, c


def gru_step(x_t, h, W, U, b_input, b_recurrent, act, rec_act, reset_after: bool):
    """spec/gru.md §2.1 (reset_after=True) and §2.2 (False): blocks z, r, h; h_t = z⊙h + (1 − z)⊙h̃ (§2.3)."""
    u = h.shape[-1]
    xw = x_t @ W + b_input
    if reset_after:
        hu = h @ U + b_recurrent  # the recurrent bias, candidate block included, before the reset gate (§1.3)
        z = rec_act(xw[:, :u] + hu[:, :u])
        r = rec_act(xw[:, u:2 * u] + hu[:, u:2 * u])
        candidate = act(xw[:, 2 * u:] + r * hu[:, 2 * u:])
    else:
        hu = h @ U[:, :2 * u]
        z = rec_act(xw[:, :u] + hu[:, :u])
        r = rec_act(xw[:, u:2 * u] + hu[:, u:2 * u])
        candidate = act(xw[:, 2 * u:] + (r * h) @ U[:, 2 * u:])  # the reset gate scales h before the product
    return z * h + (1.0 - z) * candidate


def gru_sequence(config: dict, weights: dict, x, mask, state, dialect: str):
    """One GRU layer over x: every step's output in processing order and the final h. ``state`` is [h0] or None.
    The bias is (2, 3·units) — input row, recurrent row — with reset_after, else (3·units) (spec/gru.md §1.3)."""
    units = config["units"]
    reset_after = bool(config["reset_after"])  # MUST be read, never assumed (spec/gru.md §2.2)
    W = weights["kernel"].astype(np.float64)
    U = weights["recurrent_kernel"].astype(np.float64)
    if not config["use_bias"]:  # no bias term anywhere, b_hh included (spec/gru.md §3.7)
        b_input, b_recurrent = np.zeros(3 * units), np.zeros(3 * units)
    elif reset_after:
        b_input, b_recurrent = weights["bias"].astype(np.float64)
    else:
        b_input, b_recurrent = weights["bias"].astype(np.float64), np.zeros(3 * units)
    act, rec_act = activation(config["activation"], dialect), activation(config["recurrent_activation"], dialect)

    def step(x_t, states):
        h_t = gru_step(x_t, states[0], W, U, b_input, b_recurrent, act, rec_act, reset_after)
        return h_t, [h_t]

    sequence, (h,) = recurrent_sequence(step, config, x, mask, _initial(state, x.shape[0], units, 1))
    return sequence, h


def simple_rnn_sequence(config: dict, weights: dict, x, mask, state, dialect: str):
    """One SimpleRNN layer over x: h_t = act(x_t·W + b + h_{t-1}·U) (spec/simple-rnn.md §2.1); every
    step's output in processing order and the final h. ``state`` is [h0] or None."""
    units = config["units"]
    W = weights["kernel"].astype(np.float64)
    U = weights["recurrent_kernel"].astype(np.float64)
    b = weights["bias"].astype(np.float64) if config["use_bias"] else np.zeros(units)
    act = activation(config["activation"], dialect)  # no recurrent_activation (spec/simple-rnn.md §3.8)

    def step(x_t, states):
        h_t = act(x_t @ W + b + states[0] @ U)
        return h_t, [h_t]

    sequence, (h,) = recurrent_sequence(step, config, x, mask, _initial(state, x.shape[0], units, 1))
    return sequence, h
