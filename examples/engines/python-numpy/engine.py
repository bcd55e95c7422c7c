"""A Keras-compatible LSTM in plain numpy, written from the equations of spec/lstm.md, as a
keras-rnn-conformance protocol engine (spec/adapter.md §8). Computes in float64."""
from __future__ import annotations

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ beside the examples
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from conformance_protocol import Unsupported, serve  # noqa: E402
from lstm_stack import run_stack  # noqa: E402


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
# spec/lstm.md: hard_sigmoid means clip(x/6 + 1/2) in Keras 3, clip(0.2x + 0.5) in tf-keras / Keras 2.
HARD_SIGMOID = {
    "keras3": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "tf-keras": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
}


def activation(name: str, dialect: str):
    if name == "hard_sigmoid":
        return HARD_SIGMOID[dialect]
    if name not in ACTIVATIONS:
        raise Unsupported(f"activation {name!r}")
    return ACTIVATIONS[name]


def lstm_step(x_t, h, c, W, U, b, act, rec_act):
    """spec/lstm.md: z = x_t·W + h·U + b; blocks i, f, c, o; c_t = f⊙c + i⊙g; h_t = o⊙act(c_t)."""
    z = x_t @ W + h @ U + b
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    i, f, g, o = rec_act(z_i), rec_act(z_f), act(z_c), rec_act(z_o)
    c_t = f * c + i * g
    h_t = o * act(c_t)
    return h_t, c_t


def lstm_sequence(layer, x, mask, state, dialect):
    cfg = layer.config
    units = cfg["units"]
    W = layer.weights["kernel"].astype(np.float64)
    U = layer.weights["recurrent_kernel"].astype(np.float64)
    b = layer.weights["bias"].astype(np.float64) if cfg["use_bias"] else np.zeros(4 * units)
    act, rec_act = activation(cfg["activation"], dialect), activation(cfg["recurrent_activation"], dialect)
    batch, steps, _ = x.shape
    h, c = (np.zeros((batch, units)), np.zeros((batch, units))) if state is None else (s.astype(np.float64) for s in state)
    order = range(steps - 1, -1, -1) if cfg["go_backwards"] else range(steps)
    zero_masked = bool(cfg.get("zero_output_for_mask", False))
    previous_output = np.zeros((batch, units))  # TF backend: zeros before the first valid step
    outputs = []
    for t in order:  # outputs stay in processing order (spec/lstm.md, go_backwards)
        h_new, c_new = lstm_step(x[:, t].astype(np.float64), h, c, W, U, b, act, rec_act)
        if mask is None:
            h, c, out = h_new, c_new, h_new
        else:
            # A masked step keeps the state; its output is the previous output, or zeros.
            valid = mask[:, t][:, None]
            h, c = np.where(valid, h_new, h), np.where(valid, c_new, c)
            out = np.where(valid, h_new, 0.0 if zero_masked else previous_output)
        previous_output = out
        outputs.append(out)
    return np.stack(outputs, axis=1), h, c


CAPABILITIES = [
    "return_sequences", "return_state", "go_backwards", "initial_state", "mask", "masking_layer",
    "zero_output_for_mask", "stateful", "stacked", "use_bias_false", "dialect:tf-keras",
    *[f"activation:{n}" for n in [*ACTIVATIONS, "hard_sigmoid"]],
    *[f"recurrent_activation:{n}" for n in [*ACTIVATIONS, "hard_sigmoid"]],
]

if __name__ == "__main__":
    serve("python-numpy", f"0.1.0 (numpy {np.__version__})", CAPABILITIES, lambda case: run_stack(case, lstm_sequence))
