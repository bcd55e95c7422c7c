"""The numpy LSTM of numpy_lstm.py as a layer engine (spec/adapter.md §8.9), with the package's helper."""
import numpy as np
from keras_rnn_conformance import serve_layer
from numpy_lstm import CAPABILITIES, lstm_sequence

if __name__ == "__main__":
    serve_layer("python-numpy", f"0.1.0 (numpy {np.__version__})", CAPABILITIES,
                lambda call: lstm_sequence(call.config, call.weights, call.x, call.mask, call.initial_state, call.dialect))
