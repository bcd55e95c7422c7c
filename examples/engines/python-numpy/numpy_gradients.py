"""Backpropagation through time for the numpy layers of numpy_lstm.py (spec/gradients.md §3, §4), in
float64, written from the backward equations: one layer call's gradients of Σ⟨cotangent, returned⟩
w.r.t. kernel, recurrent_kernel, bias (Keras layout), x and the initial state. The suite composes the
model's backward around it (Masking, stacks, stateful calls: spec/gradients.md §7.2), as it composes
the forward around ``lstm_sequence``."""
from __future__ import annotations

import numpy as np

from numpy_lstm import _initial, activation


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# spec/gradients.md §4.1: each derivative as TensorFlow registers it, as a function of the pre-activation.
DERIVATIVES = {
    "tanh": lambda x: 1.0 - np.tanh(x) ** 2,
    "sigmoid": lambda x: _sigmoid(x) * (1.0 - _sigmoid(x)),
    "linear": lambda x: np.ones_like(x),
    "relu": lambda x: (x > 0).astype(np.float64),
}
HARD_SIGMOID_DERIVATIVE = {
    "keras3": lambda x: np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0),  # relu6(x + 3) / 6
    "tf-keras": lambda x: np.where((x >= -2.5) & (x <= 2.5), 0.2, 0.0),  # clip(0.2x + 0.5, 0, 1)
}


def derivative(name, dialect: str):
    if name is None:
        name = "linear"
    if name == "hard_sigmoid":
        return HARD_SIGMOID_DERIVATIVE[dialect]
    if name not in DERIVATIVES:
        raise NotImplementedError(f"the gradient of activation {name!r}")  # unsupported, with the reason
    return DERIVATIVES[name]


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _backward_loop(config: dict, x, mask, states0: list, forward_step, backward_step, cotangents: dict, state_names: list):
    """spec/gradients.md §3.1–§3.3: the forward loop of numpy_lstm.recurrent_sequence, recorded, then
    taken back. At a masked step (§3.2) nothing reaches the weights or x_t, the states' gradient passes
    to the step before, and the output's gradient is carried to the previous emitted output (dropped
    with zero_output_for_mask, and before the first valid step)."""
    batch, steps, _ = x.shape
    order = list(range(steps - 1, -1, -1)) if config["go_backwards"] else list(range(steps))
    states, tape = states0, []
    for t in order:
        new_states, record = forward_step(x[:, t], states)
        valid = np.ones((batch, 1), bool) if mask is None else mask[:, t][:, None]
        tape.append((t, states, record, valid))
        states = [np.where(valid, new, old) for new, old in zip(new_states, states)]
    out = _f64(cotangents["output"])
    d_states = [_f64(cotangents[n]) for n in state_names]
    d_emit = np.zeros_like(d_states[0]) if config["return_sequences"] else out.copy()
    dx = np.zeros_like(x)
    zero_masked = bool(config.get("zero_output_for_mask", False))
    for k in range(steps - 1, -1, -1):
        t, prev, record, valid = tape[k]
        if config["return_sequences"]:
            d_emit = d_emit + out[:, k]
        d_next = [np.where(valid, d, 0.0) for d in d_states]
        d_next[0] = d_next[0] + np.where(valid, d_emit, 0.0)  # output k is the step's new h
        d_prev, dx[:, t] = backward_step(record, prev, d_next)
        d_states = [np.where(valid, dp, d) for dp, d in zip(d_prev, d_states)]
        d_emit = np.where(valid | zero_masked, 0.0, d_emit)
    return dx, d_states


def _answer(config, grads: dict, dx, d_states, initial_state):
    answer = {"kernel": grads["kernel"], "recurrent_kernel": grads["recurrent_kernel"], "x": dx}
    if config["use_bias"]:
        answer["bias"] = grads["bias"]
    if initial_state is not None:
        answer["initial_state"] = d_states
    return answer


def lstm_gradients(config: dict, weights: dict, x, mask, initial_state, dialect: str, cotangents: dict) -> dict:
    """spec/gradients.md §4.2."""
    u = config["units"]
    x = _f64(x)
    W, U = _f64(weights["kernel"]), _f64(weights["recurrent_kernel"])
    b = _f64(weights["bias"]) if config["use_bias"] else np.zeros(4 * u)
    act, rec = activation(config["activation"], dialect), activation(config["recurrent_activation"], dialect)
    act_d, rec_d = derivative(config["activation"], dialect), derivative(config["recurrent_activation"], dialect)
    g = {"kernel": np.zeros_like(W), "recurrent_kernel": np.zeros_like(U), "bias": np.zeros(4 * u)}

    def forward(x_t, states):
        h, c = states
        z = x_t @ W + h @ U + b
        i, f, gg, o = rec(z[:, :u]), rec(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
        c_t = f * c + i * gg
        return [o * act(c_t), c_t], (x_t, z, c_t)

    def backward(record, prev, d_next):
        x_t, z, c_t = record
        h, c = prev
        dh, dc = d_next
        i, f, gg, o = rec(z[:, :u]), rec(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
        dc_bar = dc + dh * o * act_d(c_t)
        dz = np.concatenate([dc_bar * gg * rec_d(z[:, :u]), dc_bar * c * rec_d(z[:, u:2 * u]),
                             dc_bar * i * act_d(z[:, 2 * u:3 * u]), dh * act(c_t) * rec_d(z[:, 3 * u:])], axis=1)
        g["kernel"] += x_t.T @ dz
        g["recurrent_kernel"] += h.T @ dz
        g["bias"] += dz.sum(axis=0)
        return [dz @ U.T, dc_bar * f], dz @ W.T

    dx, d_states = _backward_loop(config, x, mask, _initial(initial_state, x.shape[0], u, 2), forward, backward, cotangents, ["h", "c"])
    return _answer(config, g, dx, d_states, initial_state)


def gru_gradients(config: dict, weights: dict, x, mask, initial_state, dialect: str, cotangents: dict) -> dict:
    """spec/gradients.md §4.3, both reset conventions."""
    u = config["units"]
    reset_after = bool(config["reset_after"])
    x = _f64(x)
    W, U = _f64(weights["kernel"]), _f64(weights["recurrent_kernel"])
    if not config["use_bias"]:
        b_in, b_rec = np.zeros(3 * u), np.zeros(3 * u)
    elif reset_after:
        b_in, b_rec = _f64(weights["bias"])
    else:
        b_in, b_rec = _f64(weights["bias"]), np.zeros(3 * u)
    act, rec = activation(config["activation"], dialect), activation(config["recurrent_activation"], dialect)
    act_d, rec_d = derivative(config["activation"], dialect), derivative(config["recurrent_activation"], dialect)
    g = {"kernel": np.zeros_like(W), "recurrent_kernel": np.zeros_like(U), "b_in": np.zeros(3 * u), "b_rec": np.zeros(3 * u)}

    def forward(x_t, states):
        (h,) = states
        xw = x_t @ W + b_in
        if reset_after:
            hu = h @ U + b_rec
            z, r = rec(xw[:, :u] + hu[:, :u]), rec(xw[:, u:2 * u] + hu[:, u:2 * u])
            a = xw[:, 2 * u:] + r * hu[:, 2 * u:]
        else:
            hu = h @ U[:, :2 * u]
            z, r = rec(xw[:, :u] + hu[:, :u]), rec(xw[:, u:2 * u] + hu[:, u:2 * u])
            a = xw[:, 2 * u:] + (r * h) @ U[:, 2 * u:]
        return [z * h + (1.0 - z) * act(a)], (x_t, xw, hu, a)

    def backward(record, prev, d_next):
        x_t, xw, hu, a = record
        (h,), (dh,) = prev, d_next
        pz, pr = xw[:, :u] + hu[:, :u], xw[:, u:2 * u] + hu[:, u:2 * u]
        z, r = rec(pz), rec(pr)
        dz_bar = dh * (h - act(a)) * rec_d(pz)
        da = dh * (1.0 - z) * act_d(a)
        dh_prev = dh * z
        if reset_after:
            dr_bar = da * hu[:, 2 * u:] * rec_d(pr)
            dxw = np.concatenate([dz_bar, dr_bar, da], axis=1)
            dhu = np.concatenate([dz_bar, dr_bar, da * r], axis=1)
            g["recurrent_kernel"] += h.T @ dhu
            g["b_rec"] += dhu.sum(axis=0)
            dh_prev = dh_prev + dhu @ U.T
        else:
            d_rh = da @ U[:, 2 * u:].T
            dr_bar = d_rh * h * rec_d(pr)
            dxw = np.concatenate([dz_bar, dr_bar, da], axis=1)
            g["recurrent_kernel"][:, :2 * u] += h.T @ dxw[:, :2 * u]
            g["recurrent_kernel"][:, 2 * u:] += (r * h).T @ da
            dh_prev = dh_prev + d_rh * r + dxw[:, :2 * u] @ U[:, :2 * u].T
        g["kernel"] += x_t.T @ dxw
        g["b_in"] += dxw.sum(axis=0)
        return [dh_prev], dxw @ W.T

    dx, d_states = _backward_loop(config, x, mask, _initial(initial_state, x.shape[0], u, 1), forward, backward, cotangents, ["h"])
    g["bias"] = np.stack([g["b_in"], g["b_rec"]]) if reset_after else g["b_in"]
    return _answer(config, g, dx, d_states, initial_state)


def simple_rnn_gradients(config: dict, weights: dict, x, mask, initial_state, dialect: str, cotangents: dict) -> dict:
    """spec/gradients.md §4.4."""
    u = config["units"]
    x = _f64(x)
    W, U = _f64(weights["kernel"]), _f64(weights["recurrent_kernel"])
    b = _f64(weights["bias"]) if config["use_bias"] else np.zeros(u)
    act, act_d = activation(config["activation"], dialect), derivative(config["activation"], dialect)
    g = {"kernel": np.zeros_like(W), "recurrent_kernel": np.zeros_like(U), "bias": np.zeros(u)}

    def forward(x_t, states):
        a = x_t @ W + b + states[0] @ U
        return [act(a)], (x_t, a)

    def backward(record, prev, d_next):
        x_t, a = record
        da = d_next[0] * act_d(a)
        g["kernel"] += x_t.T @ da
        g["recurrent_kernel"] += prev[0].T @ da
        g["bias"] += da.sum(axis=0)
        return [da @ U.T], da @ W.T

    dx, d_states = _backward_loop(config, x, mask, _initial(initial_state, x.shape[0], u, 1), forward, backward, cotangents, ["h"])
    return _answer(config, g, dx, d_states, initial_state)
