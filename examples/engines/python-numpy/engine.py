"""The numpy LSTM, GRU and SimpleRNN layers of numpy_lstm.py as a layer engine (spec/adapter.md §8.9), with the package's helper."""
import numpy as np
from keras_rnn_conformance import serve_layer
from numpy_lstm import CAPABILITIES, GRU_CAPABILITIES, gru_sequence, lstm_sequence, simple_rnn_sequence


def layer(sequence):  # one layer call, as the numpy layers take it
    return lambda call: sequence(call.config, call.weights, call.x, call.mask, call.initial_state, call.dialect)


if __name__ == "__main__":
    serve_layer("python-numpy", f"0.2.0 (numpy {np.__version__})", CAPABILITIES + GRU_CAPABILITIES,
                layer(lstm_sequence), gru=layer(gru_sequence), simple_rnn=layer(simple_rnn_sequence))
