"""torch.nn.LSTM, nn.GRU and nn.RNN as a keras-rnn-conformance layer engine (spec/adapter.md §8.9), with
the package's helper: the porting path most users take. The suite composes the models (stacks, mixed
ones too, initial_state, state carried between stateful calls); this file converts one Keras layer's
weights to PyTorch's layout and runs it — and, for gradient cases, runs autograd through it and
converts the parameters' gradients back to Keras's layout (spec/gradients.md §2.2, §7.2).

- LSTM (spec/porting.md, PyTorch): weight_ih = kernel.T, weight_hh = recurrent_kernel.T, bias_ih =
  bias, bias_hh = 0; both use gate order i, f, g(c), o, so no reordering.
- GRU (spec/gru.md §6 Q1): PyTorch's blocks are r, z, n where Keras's are z, r, h, so the first two
  blocks swap; PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) is Keras's reset_after=True
  with b_hn inside the reset product, so bias_ih = bias[0] and bias_hh = bias[1] (never summed).
  nn.GRU has no reset-before variant: `gru:reset_after_false` is not declared, and those cases are
  unsupported.
- SimpleRNN (spec/simple-rnn.md §6 Q1): nn.RNN with nonlinearity tanh or relu; weight_ih = kernel.T,
  weight_hh = recurrent_kernel.T, bias_ih = bias, bias_hh = 0.
What the nn modules cannot express is unsupported: masks (they have no per-step mask; packed sequences
only express right padding, and then do not carry outputs forward as Keras does) are not declared;
activations other than those the module has built in are declined per layer, with the reason."""
from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the examples or the helper

import numpy as np  # noqa: E402
import torch  # noqa: E402
from keras_rnn_conformance import Unsupported, serve_layer  # noqa: E402

torch.set_num_threads(1)  # tiny matrices: threads only add overhead


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def _keras_zrh_to_torch_rzn(m: np.ndarray) -> np.ndarray:
    """(3u, ·) rows in Keras's blocks z, r, h → PyTorch's r, z, n (spec/gru.md §1.2, §6 Q1)."""
    z, r, h = np.split(m, 3, axis=0)
    return np.concatenate([r, z, h], axis=0)


def _require(call, module: str, **allowed) -> None:
    """Declines a layer whose activations the nn module does not have (spec/adapter.md §2)."""
    for key, names in allowed.items():
        if call.config[key] not in names:
            raise Unsupported(f"torch.nn.{module} has {key} {' or '.join(names)} built in: {key} {call.config[key]} has no equivalent")


def _run(module: torch.nn.Module, call, n_states: int):
    inputs = _t(call.x)
    if call.config["go_backwards"]:
        # Keras consumes x[T-1] first and leaves the outputs in that processing order (spec/lstm.md §3.3):
        # flip the input, run forward, do not flip the outputs back.
        inputs = torch.flip(inputs, dims=[1])
    # the nn modules' states are (num_layers, batch, units)
    state = None if call.initial_state is None else [_t(s)[None] for s in call.initial_state]
    with torch.no_grad():
        if state is None:
            sequence, final = module(inputs)
        else:
            sequence, final = module(inputs, tuple(state) if n_states == 2 else state[0])
    finals = final if isinstance(final, tuple) else (final,)
    return (sequence.numpy(), *(f[0].numpy() for f in finals))


def lstm_module(call) -> torch.nn.LSTM:
    _require(call, "LSTM", activation=["tanh"], recurrent_activation=["sigmoid"])
    cfg, w = call.config, call.weights
    module = torch.nn.LSTM(input_size=w["kernel"].shape[0], hidden_size=cfg["units"], batch_first=True, bias=bool(cfg["use_bias"]))
    with torch.no_grad():
        module.weight_ih_l0.copy_(_t(w["kernel"].T))
        module.weight_hh_l0.copy_(_t(w["recurrent_kernel"].T))
        if cfg["use_bias"]:
            # Keras has one bias; PyTorch adds two, so the whole of it goes in one and the other is zero.
            module.bias_ih_l0.copy_(_t(w["bias"]))
            module.bias_hh_l0.zero_()
    return module


def gru_module(call) -> torch.nn.GRU:
    # Only reset_after=True reaches here: gru:reset_after_false is not declared (nn.GRU has no reset-before step).
    _require(call, "GRU", activation=["tanh"], recurrent_activation=["sigmoid"])
    cfg, w = call.config, call.weights
    module = torch.nn.GRU(input_size=w["kernel"].shape[0], hidden_size=cfg["units"], batch_first=True, bias=bool(cfg["use_bias"]))
    with torch.no_grad():
        module.weight_ih_l0.copy_(_t(_keras_zrh_to_torch_rzn(w["kernel"].T)))
        module.weight_hh_l0.copy_(_t(_keras_zrh_to_torch_rzn(w["recurrent_kernel"].T)))
        if cfg["use_bias"]:
            # (2, 3u): row 0 the input bias, row 1 the recurrent one, whose candidate block sits inside
            # the reset product in both frameworks (spec/gru.md §1.3).
            module.bias_ih_l0.copy_(_t(_keras_zrh_to_torch_rzn(w["bias"][0])))
            module.bias_hh_l0.copy_(_t(_keras_zrh_to_torch_rzn(w["bias"][1])))
    return module


def simple_rnn_module(call) -> torch.nn.RNN:
    _require(call, "RNN", activation=["tanh", "relu"])
    cfg, w = call.config, call.weights
    module = torch.nn.RNN(input_size=w["kernel"].shape[0], hidden_size=cfg["units"], nonlinearity=cfg["activation"],
                          batch_first=True, bias=bool(cfg["use_bias"]))
    with torch.no_grad():
        module.weight_ih_l0.copy_(_t(w["kernel"].T))
        module.weight_hh_l0.copy_(_t(w["recurrent_kernel"].T))
        if cfg["use_bias"]:
            # Both biases are outside the activation: the whole Keras bias in one, the other zero (spec/simple-rnn.md §6 Q1).
            module.bias_ih_l0.copy_(_t(w["bias"]))
            module.bias_hh_l0.zero_()
    return module


def lstm(call):
    return _run(lstm_module(call), call, 2)


def gru(call):
    return _run(gru_module(call), call, 1)


def simple_rnn(call):
    return _run(simple_rnn_module(call), call, 1)


def _gradients(module: torch.nn.Module, call, n_states: int, to_keras) -> dict:
    """spec/gradients.md §7.2 by autograd: L = Σ⟨cotangent, returned⟩ over the module's forward as
    _run computes it, backpropagated; the parameters' gradients converted back to Keras's layout by
    `to_keras` (transposed, and for the GRU its blocks swapped back: spec/gradients.md §2.2)."""
    inputs = _t(call.x).requires_grad_(True)
    seq_in = torch.flip(inputs, dims=[1]) if call.config["go_backwards"] else inputs
    state = None if call.initial_state is None else [_t(s).requires_grad_(True) for s in call.initial_state]
    given = None if state is None else (tuple(s[None] for s in state) if n_states == 2 else state[0][None])
    sequence, final = module(seq_in) if given is None else module(seq_in, given)
    finals = final if isinstance(final, tuple) else (final,)
    output = sequence if call.config["return_sequences"] else sequence[:, -1]  # the last output, in processing order
    cot = call.cotangents
    returned = [(output, cot["output"]), (finals[0][0], cot["h"])] + ([(finals[1][0], cot["c"])] if n_states == 2 else [])
    loss = sum((y * _t(c)).sum() for y, c in returned)
    loss.backward()
    answer = {**to_keras(module), "x": inputs.grad.numpy()}
    if state is not None:
        answer["initial_state"] = [s.grad.numpy() for s in state]
    return answer


def _grad(p) -> np.ndarray:
    return p.grad.numpy().astype(np.float64)


def _transposed_back(module) -> dict:
    """LSTM and SimpleRNN: kernel = weight_ih.T, recurrent_kernel = weight_hh.T; Keras's one bias is bias_ih."""
    out = {"kernel": _grad(module.weight_ih_l0).T, "recurrent_kernel": _grad(module.weight_hh_l0).T}
    if module.bias:
        out["bias"] = _grad(module.bias_ih_l0)
    return out


def _gru_back(module) -> dict:
    """GRU: the r, z blocks swapped back to z, r (the swap is its own inverse), then transposed; bias rows ih, hh."""
    out = {"kernel": _keras_zrh_to_torch_rzn(_grad(module.weight_ih_l0)).T,
           "recurrent_kernel": _keras_zrh_to_torch_rzn(_grad(module.weight_hh_l0)).T}
    if module.bias:
        out["bias"] = np.stack([_keras_zrh_to_torch_rzn(_grad(module.bias_ih_l0)), _keras_zrh_to_torch_rzn(_grad(module.bias_hh_l0))])
    return out


def lstm_gradients(call):
    return _gradients(lstm_module(call), call, 2, _transposed_back)


def gru_gradients(call):
    return _gradients(gru_module(call), call, 1, _gru_back)


def simple_rnn_gradients(call):
    return _gradients(simple_rnn_module(call), call, 1, _transposed_back)


CAPABILITIES = [
    "go_backwards", "initial_state", "use_bias_false",
    # Without a mask there is no masked step, so zero_output_for_mask changes nothing; masks themselves are not declared.
    "zero_output_for_mask",
    # tanh, sigmoid and relu mean the same in tf-keras and Keras 3.
    "dialect:tf-keras",
    # relu for nn.RNN only: an LSTM or GRU with relu is declined by _require.
    "activation:tanh", "activation:relu", "recurrent_activation:sigmoid",
]

if __name__ == "__main__":
    serve_layer("python-torch", f"0.3.0 (torch {torch.__version__})", CAPABILITIES, lstm, gru=gru, simple_rnn=simple_rnn,
                lstm_gradients=lstm_gradients, gru_gradients=gru_gradients, simple_rnn_gradients=simple_rnn_gradients)
