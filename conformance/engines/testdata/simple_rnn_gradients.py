"""A tiny Python engine over protocol 3 (spec/gradients.md §7.3), for the round-trip tests: a SimpleRNN
layer (tanh) in numpy with its own backpropagation through time, served by python/keras_rnn_conformance.py
as a layer engine (the suite composes stacks, Masking and stateful calls). argv[1] = "model-zeros"
serves a model engine whose gradients are all zeros instead: it must fail every gradient case.
"""
import sys

import numpy as np

from keras_rnn_conformance import Unsupported, serve, serve_layer


def _check(call):
    if call.config.get("activation", "tanh") != "tanh":
        raise Unsupported("tanh only")


def _steps(call):
    """The forward as Keras's masked loop runs it (spec/simple-rnn.md §2, spec/lstm.md §3.5): per processing step k, the time t it reads."""
    _check(call)
    x = call.x.astype(np.float64)
    B, T, _ = x.shape
    W = call.weights["kernel"].astype(np.float64)
    U = call.weights["recurrent_kernel"].astype(np.float64)
    b = call.weights["bias"].astype(np.float64) if "bias" in call.weights else 0.0
    u = U.shape[0]
    mask = np.ones((B, T), bool) if call.mask is None else call.mask.astype(bool)
    h = np.zeros((B, u)) if call.initial_state is None else call.initial_state[0].astype(np.float64)
    zero = call.config.get("zero_output_for_mask", False)
    emitted = np.zeros((B, u))
    tape, sequence = [], []
    for k in range(T):
        t = T - 1 - k if call.config.get("go_backwards", False) else k
        new = np.tanh(x[:, t] @ W + b + h @ U)
        valid = mask[:, t][:, None]
        tape.append((t, h, new, mask[:, t]))
        h = np.where(valid, new, h)
        emitted = np.where(valid, new, 0.0 if zero else emitted)
        sequence.append(emitted)
    return x, W, U, tape, np.stack(sequence, axis=1), h


def simple_rnn(call):
    _, _, _, _, sequence, h = _steps(call)
    return sequence, h


def simple_rnn_gradients(call):
    x, W, U, tape, sequence, _ = _steps(call)
    B, T, D = x.shape
    u = U.shape[0]
    cot = call.cotangents
    rs = call.config.get("return_sequences", False)
    zero = call.config.get("zero_output_for_mask", False)
    dW, dU, db, dx = np.zeros_like(W), np.zeros_like(U), np.zeros(u), np.zeros_like(x)
    ds = cot["h"].astype(np.float64)  # the gradient of the carried state
    demit = np.zeros((B, u)) if rs else cot["output"].astype(np.float64)  # of the step's emitted output
    for k in range(T - 1, -1, -1):
        t, prev, new, valid = tape[k]
        if rs:
            demit = demit + cot["output"][:, k].astype(np.float64)
        v = valid[:, None]
        da = np.where(v, (ds + demit) * (1.0 - new * new), 0.0)  # a masked step computed nothing that was kept
        dW += x[:, t].T @ da
        dU += prev.T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ W.T
        ds = np.where(v, da @ U.T, ds)  # masked: the state passes through unchanged
        demit = np.where(v, 0.0, 0.0 if zero else demit)  # masked: the output repeats the previous one
    g = {"kernel": dW, "recurrent_kernel": dU, "x": dx}
    if "bias" in call.weights:
        g["bias"] = db
    if call.initial_state is not None:
        g["initial_state"] = [ds]
    return g


def zero_gradients(case):
    answers = []
    for n, call in enumerate(case.calls):
        layers = [{"layer": i, **{name: np.zeros_like(w) for name, w in l.weights.items()}} for i, l in enumerate(case.layers) if l.class_name not in ("Masking", "Bidirectional")]
        a = {"layers": layers, "x": np.zeros_like(call.x)}
        if call.initial_state is not None:
            a["initial_state"] = [np.zeros_like(s) for s in call.initial_state]
        answers.append(a)
    return answers


def no_forward(case):
    raise Unsupported("gradients only")


if __name__ == "__main__":
    features = ["go_backwards", "mask", "initial_state", "zero_output_for_mask", "use_bias_false", "activation:tanh"]
    if len(sys.argv) > 1 and sys.argv[1] == "model-zeros":
        serve("zero-gradients", "0", ["cell:simple_rnn", "cell:lstm", "cell:gru", "return_sequences", "return_state", "stacked", "stateful", "masking_layer", "gru:reset_after_false",
                                      "activation:relu", "activation:linear", "activation:sigmoid", "activation:hard_sigmoid", "recurrent_activation:sigmoid",
                                      "recurrent_activation:hard_sigmoid", "recurrent_activation:tanh", *features], no_forward, gradients=zero_gradients)
    else:
        serve_layer("numpy-simple-rnn-bptt", "0", features, simple_rnn=simple_rnn, simple_rnn_gradients=simple_rnn_gradients)
