"""torch.nn.LSTM as a keras-rnn-conformance protocol engine (spec/adapter.md §8): the porting path
most users take. Keras weights are converted to PyTorch's layout (spec/porting.md, PyTorch):
weight_ih = kernel.T, weight_hh = recurrent_kernel.T, bias_ih = bias, bias_hh = 0; both use gate
order i, f, g(c), o, so no reordering. What nn.LSTM cannot express is declared unsupported:
masks (it has no per-step mask; packed sequences only express right padding and then it does not
carry outputs forward as Keras does) and activations other than tanh / sigmoid."""
from __future__ import annotations

import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # no __pycache__ beside the examples
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from conformance_protocol import Unsupported, serve  # noqa: E402
from lstm_stack import run_stack  # noqa: E402

torch.set_num_threads(1)  # tiny matrices: threads only add overhead


def torch_lstm_from_keras(layer) -> torch.nn.LSTM:
    cfg = layer.config
    kernel, recurrent_kernel = layer.weights["kernel"], layer.weights["recurrent_kernel"]
    units = cfg["units"]
    lstm = torch.nn.LSTM(input_size=kernel.shape[0], hidden_size=units, batch_first=True, bias=bool(cfg["use_bias"]))
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))
        lstm.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(recurrent_kernel.T)))
        if cfg["use_bias"]:
            # Keras has one bias; PyTorch adds two, so the whole of it goes in one and the other is zero.
            lstm.bias_ih_l0.copy_(torch.from_numpy(layer.weights["bias"]))
            lstm.bias_hh_l0.zero_()
    return lstm


def lstm_sequence(layer, x, mask, state, dialect):
    cfg = layer.config
    if mask is not None:
        raise Unsupported("masks: torch.nn.LSTM has no per-step mask")
    if cfg["activation"] != "tanh" or cfg["recurrent_activation"] != "sigmoid":
        raise Unsupported(f"activations {cfg['activation']}/{cfg['recurrent_activation']}: nn.LSTM is fixed to tanh/sigmoid")
    lstm = torch_lstm_from_keras(layer)
    inputs = torch.from_numpy(np.ascontiguousarray(x))
    if cfg["go_backwards"]:
        # Keras consumes x[T-1] first and leaves the outputs in that processing order (spec/lstm.md):
        # flip the input, run forward, do not flip the outputs back.
        inputs = torch.flip(inputs, dims=[1])
    with torch.no_grad():
        if state is None:
            sequence, (h, c) = lstm(inputs)
        else:
            # nn.LSTM's states are (num_layers, batch, units).
            h0, c0 = (torch.from_numpy(np.ascontiguousarray(s))[None] for s in state)
            sequence, (h, c) = lstm(inputs, (h0, c0))
    return sequence.numpy(), h[0].numpy(), c[0].numpy()


CAPABILITIES = [
    "return_sequences", "return_state", "go_backwards", "initial_state", "stateful", "stacked", "use_bias_false",
    # Without a mask there is no masked step, so zero_output_for_mask changes nothing; masks themselves are unsupported.
    "zero_output_for_mask",
    # tanh and sigmoid mean the same in tf-keras and Keras 3.
    "dialect:tf-keras",
    "activation:tanh", "recurrent_activation:sigmoid",
]

if __name__ == "__main__":
    serve("python-torch", f"0.1.0 (torch {torch.__version__})", CAPABILITIES, lambda case: run_stack(case, lstm_sequence))
