"""Runs recurrent weights converted to PyTorch's layout (conformance/porting/pytorch.ts, gru.ts,
simple-rnn.ts) through real torch.nn.LSTM, torch.nn.GRU and torch.nn.RNN, for the end-to-end proof in
pytorch-e2e.test.ts (spec/porting.md §3, §14.1, §15.1).

stdin: {"cases": [{"id", "x": {shape, data}, "initial_state"?: [h0, c0] or [h0], "layers": [{"module"?:
"lstm" | "gru" | "rnn" (default lstm), "nonlinearity"?: "tanh" | "relu" (rnn), "input_size", "hidden_size",
"bias", "bidirectional"?, "go_backwards", "return_sequences", "return_state", "state_dict": {name: {shape, data}}}]}]}
stdout: {"results": [{"id", "outputs": [{shape, data}, ...]} | {"id", "error"}]}
Only what the modules themselves do is used: go_backwards is a flip of the input (no module has such
an option); the output sequence is then in processing order, as Keras returns it. The state is
(h, c) for nn.LSTM and h for nn.GRU and nn.RNN, as Keras returns [output, h, c] or [output, h].
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


def run_case(case):
    x = tensor(case["x"])  # (B, T, D)
    state = case.get("initial_state")
    outputs = None
    for k, layer in enumerate(case["layers"]):
        module = make_module(layer)
        module.load_state_dict({n: tensor(v) for n, v in layer["state_dict"].items()}, strict=True)
        xin = torch.flip(x, dims=[1]) if layer["go_backwards"] else x
        lstm = layer.get("module", "lstm") == "lstm"
        with torch.no_grad():
            if k == 0 and state is not None:
                given = tuple(tensor(s).unsqueeze(0) for s in state)
                seq, final = module(xin, given if lstm else given[0])
            else:
                seq, final = module(xin)
        if layer.get("bidirectional", False) and not layer["return_sequences"]:
            raise ValueError("a Bidirectional layer without return_sequences is not run here")
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
