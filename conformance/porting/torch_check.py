"""Runs recurrent weights converted to PyTorch's layout (conformance/porting/pytorch.ts, gru.ts,
simple-rnn.ts) through real torch.nn.LSTM, torch.nn.GRU and torch.nn.RNN, for the end-to-end proof in
pytorch-e2e.test.ts (spec/porting.md §3, §14.1, §15.1).

stdin: {"cases": [{"id", "x": {shape, data}, "initial_state"?: [h0, c0] or [h0], "layers": [{"module"?:
"lstm" | "gru" | "rnn" (default lstm), "nonlinearity"?: "tanh" | "relu" (rnn), "input_size", "hidden_size",
"bias", "bidirectional"?, "merge_mode"?: "concat" (default) | "sum" | "mul" | "ave" | null, "forward_slot"?: 0 | 1,
"go_backwards", "return_sequences", "return_state", "state_dict": {name: {shape, data}}}]}]}
stdout: {"results": [{"id", "outputs": [{shape, data}, ...]} | {"id", "error"}]}
Only what the modules themselves do is used: go_backwards is a flip of the input (no module has such
an option); the output sequence is then in processing order, as Keras returns it. The state is
(h, c) for nn.LSTM and h for nn.GRU and nn.RNN, as Keras returns [output, h, c] or [output, h].

A Keras Bidirectional (spec/bidirectional.md, spec/porting.md §18) is one module with bidirectional=True: its
output's two halves are the two directions, both in original time order, so Keras's merge (whose backward
output is flipped back before merging) is a merge of the halves. Keras's forward layer sits in direction
`forward_slot` (1 when tf-keras toggled it to go backwards; its weights are then the `_reverse` ones, and the
merged sequence is flipped as Keras's processing order is). Without return_sequences each layer's last output
is its direction's h_n. initial_state is Keras's: the forward layer's states, then the backward layer's.
"""
import json
import sys

import numpy as np
import torch


def tensor(t):
    return torch.tensor(np.asarray(t["data"], dtype=np.float32).reshape(t["shape"]))


def encode(a):
    a = a.detach().numpy().astype(np.float32)
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def make_module(layer):
    kind = layer.get("module", "lstm")
    common = dict(num_layers=1, bias=layer["bias"], batch_first=True, bidirectional=layer.get("bidirectional", False))
    if kind == "lstm":
        return torch.nn.LSTM(layer["input_size"], layer["hidden_size"], **common)
    if kind == "gru":
        return torch.nn.GRU(layer["input_size"], layer["hidden_size"], **common)
    if kind == "rnn":
        return torch.nn.RNN(layer["input_size"], layer["hidden_size"], nonlinearity=layer.get("nonlinearity", "tanh"), **common)
    raise ValueError(f"unknown module {kind}")


def merge(mode, y, y_rev):
    """Keras's merge of the forward output and the (time-ordered) backward one (bidirectional.py call)."""
    if mode == "concat":
        return [torch.cat([y, y_rev], dim=-1)]
    if mode == "sum":
        return [y + y_rev]
    if mode == "mul":
        return [y * y_rev]
    if mode == "ave":
        return [(y + y_rev) / 2]
    if mode is None:
        return [y, y_rev]
    raise ValueError(f"unknown merge_mode {mode!r}")


def run_bidirectional(module, layer, x, state, lstm):
    """One Bidirectional: [merged..., fwd states..., bwd states...] as Keras returns them, and the next layer's input."""
    kf = layer.get("forward_slot", 0)
    kb = 1 - kf
    with torch.no_grad():
        if state is not None:
            n = 2 if lstm else 1
            halves = [tensor(s) for s in state[:n]], [tensor(s) for s in state[n:]]
            slots = halves if kf == 0 else halves[::-1]
            given = tuple(torch.stack([slots[0][i], slots[1][i]]) for i in range(n))
            seq, final = module(x, given if lstm else given[0])
        else:
            seq, final = module(x)
    finals = final if lstm else (final,)  # each (2, B, H): direction 0, direction 1
    H = layer["hidden_size"]
    if layer["return_sequences"]:
        halves = [seq[..., :H], seq[..., H:]]
        merged = merge(layer.get("merge_mode", "concat"), halves[kf], halves[kb])
        if kf == 1:  # Keras's outputs are in its forward layer's processing order, reversed time here
            merged = [torch.flip(m, dims=[1]) for m in merged]
    else:
        merged = merge(layer.get("merge_mode", "concat"), finals[0][kf], finals[0][kb])
    states = [f[kf] for f in finals] + [f[kb] for f in finals]
    return (merged + states if layer["return_state"] else merged), merged[0]


def run_case(case):
    x = tensor(case["x"])  # (B, T, D)
    state = case.get("initial_state")
    outputs = None
    for k, layer in enumerate(case["layers"]):
        module = make_module(layer)
        module.load_state_dict({n: tensor(v) for n, v in layer["state_dict"].items()}, strict=True)
        lstm = layer.get("module", "lstm") == "lstm"
        if layer.get("bidirectional", False):
            outputs, x = run_bidirectional(module, layer, x, state if k == 0 else None, lstm)
            continue
        xin = torch.flip(x, dims=[1]) if layer["go_backwards"] else x
        with torch.no_grad():
            if k == 0 and state is not None:
                given = tuple(tensor(s).unsqueeze(0) for s in state)
                seq, final = module(xin, given if lstm else given[0])
            else:
                seq, final = module(xin)
        out = seq if layer["return_sequences"] else seq[:, -1, :]
        states = [final[0][0], final[1][0]] if lstm else [final[0]]
        outputs = [out, *states] if layer["return_state"] else [out]
        x = seq
    return [encode(o) for o in outputs]


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        try:
            results.append({"id": case["id"], "outputs": run_case(case)})
        except Exception as e:  # reported per case by the test, never swallowed
            results.append({"id": case["id"], "error": f"{type(e).__name__}: {e}"})
    json.dump({"results": results, "torch": torch.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
