"""A Keras-compatible LSTM layer in plain numpy, written from the equations of spec/lstm.md; computes
in float64. The layer only: the suite composes Masking, stacks and stateful calls around it
(spec/adapter.md §1.2), so both engines here — engine.py (with the package's Python helper) and
engine_raw.py (the protocol by hand) — are a few lines around ``lstm_sequence``."""
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

# What the layer implements (spec/adapter.md §1.2). Not `stateful`: the suite hands a stateful
# layer's last state back as initial_state, which this layer takes.
CAPABILITIES = [
    "go_backwards", "initial_state", "mask", "zero_output_for_mask", "use_bias_false", "dialect:tf-keras",
    *[f"activation:{n}" for n in [*ACTIVATIONS, "hard_sigmoid"]],
    *[f"recurrent_activation:{n}" for n in [*ACTIVATIONS, "hard_sigmoid"]],
]


def activation(name: str, dialect: str):
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


def lstm_sequence(config: dict, weights: dict, x, mask, state, dialect: str):
    """One LSTM layer over x (batch, timesteps, features): every step's output in processing order,
    and the final h, c. ``mask`` (batch, timesteps) is in original time order; ``state`` is [h0, c0] or None."""
    units = config["units"]
    W = weights["kernel"].astype(np.float64)
    U = weights["recurrent_kernel"].astype(np.float64)
    b = weights["bias"].astype(np.float64) if config["use_bias"] else np.zeros(4 * units)
    act, rec_act = activation(config["activation"], dialect), activation(config["recurrent_activation"], dialect)
    batch, steps, _ = x.shape
    h, c = (np.zeros((batch, units)), np.zeros((batch, units))) if state is None else (s.astype(np.float64) for s in state)
    order = range(steps - 1, -1, -1) if config["go_backwards"] else range(steps)
    zero_masked = bool(config.get("zero_output_for_mask", False))
    previous_output = np.zeros((batch, units))  # TF backend: zeros before the first valid step (spec/lstm.md §3.5.3)
    outputs = []
    for t in order:  # outputs stay in processing order (spec/lstm.md §3.3)
        h_new, c_new = lstm_step(x[:, t].astype(np.float64), h, c, W, U, b, act, rec_act)
        if mask is None:
            h, c, out = h_new, c_new, h_new
        else:
            # spec/lstm.md §3.5.2: a masked step keeps the state; its output is the previous output, or zeros.
            valid = mask[:, t][:, None]
            h, c = np.where(valid, h_new, h), np.where(valid, c_new, c)
            out = np.where(valid, h_new, 0.0 if zero_masked else previous_output)
        previous_output = out
        outputs.append(out)
    return np.stack(outputs, axis=1), h, c
