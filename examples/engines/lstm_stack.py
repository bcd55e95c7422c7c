"""What a Keras model of Masking/LSTM layers does around each LSTM (spec/lstm.md): the Masking
layer's mask, passing the mask down a stack, initial_state to the first LSTM only, state kept from
call to call by stateful layers, and the outputs each layer returns. Each engine supplies only
``lstm_sequence``: the layer's loop, returning the per-step outputs in processing order and the final h, c.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from conformance_protocol import Case, Unsupported

# lstm_sequence(layer, x (B,T,D), mask (B,T) or None, (h0, c0) or None, dialect) -> (outputs (B,T,u), h, c)
LstmSequence = Callable[..., tuple]


def run_stack(case: Case, lstm_sequence: LstmSequence) -> list:
    carried: dict = {}  # layer index -> (h, c), for stateful layers
    results = []
    for call in case.calls:
        x = call.x
        mask: Optional[np.ndarray] = call.mask
        mask_is_attached = False  # computed by a Masking layer rather than passed as mask=
        outputs: list = []
        first_lstm = True
        for index, layer in enumerate(case.layers):
            if layer.class_name == "Masking":
                # keras Masking: a step is valid when any feature differs from mask_value; masked steps are zeroed.
                mask = np.any(x != np.float32(layer.config["mask_value"]), axis=-1)
                x = x * mask[..., None].astype(x.dtype)
                mask_is_attached = True
                continue
            if layer.class_name != "LSTM":
                raise Unsupported(f"layer class {layer.class_name}")
            cfg = layer.config
            state = call.initial_state if first_lstm and call.initial_state is not None else None
            if state is None and cfg.get("stateful") and index in carried:
                state = carried[index]
            # spec/lstm.md §3.5.7: Keras 3 does not hand a Masking layer's mask to the layer called with
            # initial_state; the mask still reaches the next layer of the stack.
            given_initial_state = first_lstm and call.initial_state is not None
            drops_mask = given_initial_state and mask_is_attached and case.dialect == "keras3"
            sequence, h, c = lstm_sequence(layer, x, None if drops_mask else mask, state, case.dialect)
            if cfg.get("stateful"):
                carried[index] = (h, c)
            first_lstm = False
            output = sequence if cfg["return_sequences"] else sequence[:, -1]
            outputs = [output, h, c] if cfg["return_state"] else [output]
            x = output
            if not cfg["return_sequences"]:
                mask = None  # Keras passes the mask on only with the sequence
        results.append(outputs)
    return results
