"""Runs LSTM weights converted to PyTorch's layout (conformance/porting/pytorch.ts) through real
torch.nn.LSTM, for the end-to-end proof in pytorch-e2e.test.ts (spec/porting.md §3).

stdin: {"cases": [{"id", "x": {shape, data}, "initial_state"?: [h0, c0], "layers": [{"input_size",
"hidden_size", "bias", "bidirectional"?, "go_backwards", "return_sequences", "return_state", "state_dict": {name: {shape, data}}}]}]}
stdout: {"results": [{"id", "outputs": [{shape, data}, ...]} | {"id", "error"}]}
Only what nn.LSTM itself does is used: go_backwards is a flip of the input (nn.LSTM has no such
option); the output sequence is then in processing order, as Keras returns it.
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


def run_case(case):
    x = tensor(case["x"])  # (B, T, D)
    state = case.get("initial_state")
    outputs = None
    for k, layer in enumerate(case["layers"]):
        bidirectional = layer.get("bidirectional", False)
        lstm = torch.nn.LSTM(layer["input_size"], layer["hidden_size"], num_layers=1, bias=layer["bias"], batch_first=True,
                             bidirectional=bidirectional)
        lstm.load_state_dict({n: tensor(v) for n, v in layer["state_dict"].items()}, strict=True)
        xin = torch.flip(x, dims=[1]) if layer["go_backwards"] else x
        with torch.no_grad():
            if k == 0 and state is not None:
                seq, (h, c) = lstm(xin, (tensor(state[0]).unsqueeze(0), tensor(state[1]).unsqueeze(0)))
            else:
                seq, (h, c) = lstm(xin)
        if bidirectional and not layer["return_sequences"]:
            raise ValueError("a Bidirectional layer without return_sequences is not run here")
        out = seq if layer["return_sequences"] else seq[:, -1, :]
        outputs = [out, h[0], c[0]] if layer["return_state"] else [out]
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
