"""The numpy LSTM, GRU and SimpleRNN layers of numpy_lstm.py and their BPTT (numpy_gradients.py) as a layer engine (spec/adapter.md §8.9), with the package's helper."""
import numpy as np
from keras_rnn_conformance import serve_layer
from numpy_gradients import gru_gradients, lstm_gradients, simple_rnn_gradients
from numpy_lstm import CAPABILITIES, GRU_CAPABILITIES, gru_sequence, lstm_sequence, simple_rnn_sequence


def layer(sequence):  # one layer call, as the numpy layers take it
    return lambda call: sequence(call.config, call.weights, call.x, call.mask, call.initial_state, call.dialect)


def backward(gradients):  # the same call's backward, given the cotangents of what the layer returned (spec/gradients.md §7.2)
    return lambda call: gradients(call.config, call.weights, call.x, call.mask, call.initial_state, call.dialect, call.cotangents)


if __name__ == "__main__":
    serve_layer("python-numpy", f"0.3.0 (numpy {np.__version__})", CAPABILITIES + GRU_CAPABILITIES,
                layer(lstm_sequence), gru=layer(gru_sequence), simple_rnn=layer(simple_rnn_sequence),
                lstm_gradients=backward(lstm_gradients), gru_gradients=backward(gru_gradients),
                simple_rnn_gradients=backward(simple_rnn_gradients))
