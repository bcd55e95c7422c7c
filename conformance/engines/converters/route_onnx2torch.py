"""tf2onnx's ONNX file → onnx2torch → a torch.fx module (spec/porting.md §17). This process never
imports TensorFlow: torch and TensorFlow 2.21 in one process crashed, so the ONNX file comes from a
child process (`engine.py --make-onnx`, the tf2onnx route's conversion, same cache). onnx2torch
imports torchvision for two detection ops; PyPI's torchvision is the CUDA build, which cannot load
beside the CPU torch, so a stub stands in for it (an RNN model uses neither op)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import types

import numpy as np

from keras_rnn_conformance import Case, Unsupported, array_to_wire, note
from route import ConverterRefused, Evidence, Route, refusal, write_evidence


def _stub_torchvision() -> None:
    def unavailable(*_a, **_k):
        raise RuntimeError("torchvision stub: detection ops are not available in the converter venv")
    vision = types.ModuleType("torchvision")
    ops = types.ModuleType("torchvision.ops")
    ops.nms = ops.box_convert = ops.roi_align = unavailable
    vision.ops = ops
    sys.modules.setdefault("torchvision", vision)
    sys.modules.setdefault("torchvision.ops", ops)


def case_to_message(case: Case) -> dict:
    def layer(l):
        wire = {"class_name": l.class_name, "config": l.config, "weights": [{"name": n, **array_to_wire(w)} for n, w in l.weights.items()]}
        for direction in ("forward", "backward"):  # a Bidirectional's two layers (keras_model.case_from_wire)
            if getattr(l, direction, None) is not None:
                wire[direction] = layer(getattr(l, direction))
        return wire

    def call(c):
        m = {"x": array_to_wire(c.x)}
        if c.mask is not None:
            m["mask"] = {"dtype": "bool", "shape": list(c.mask.shape), "data": c.mask.ravel().tolist()}
        if c.initial_state is not None:
            m["initial_state"] = [array_to_wire(s) for s in c.initial_state]
        return m

    return {"type": "run", "id": case.id, "dialect": case.dialect, "layers": [layer(l) for l in case.layers], "calls": [call(c) for c in case.calls]}


class OnnxMaker:
    """The child process that turns a case into tf2onnx's ONNX file."""

    def __init__(self):
        self.proc = None

    def make(self, case: Case) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            engine = os.path.join(os.path.dirname(os.path.abspath(__file__)), "engine.py")
            self.proc = subprocess.Popen([sys.executable, engine, "--make-onnx"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.proc.stdin.write(json.dumps(case_to_message(case)) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the ONNX-making child process ended without a reply")
        return json.loads(line)


class OnnxTorch(Route):
    name = "onnx-onnx2torch"
    describe = "tf2onnx's ONNX file (static batch) converted by onnx2torch and run by torch"

    def __init__(self):
        self.maker = OnnxMaker()

    def version(self) -> str:
        import onnx2torch  # noqa: F401 (the version comes from its metadata)
        import torch
        from importlib.metadata import version
        return f"tf2onnx 1.17.0, onnx2torch {version('onnx2torch')}, torch {torch.__version__}"

    def run_case(self, case: Case, evidence_file) -> list:
        import onnx
        import onnx2torch
        import torch

        record = Evidence(case.id)
        t = time.perf_counter()
        made = self.maker.make(case)
        if "unsupported" in made:
            raise Unsupported(made["unsupported"])
        if "error" in made:
            raise RuntimeError(f"making the ONNX file: {made['error']}")
        record.lowering = made["lowering"]
        record.evidence = made["evidence"]
        try:
            module = onnx2torch.convert(onnx.load(made["path"]))
        except Exception as e:
            raise refusal("onnx2torch", e) from e
        record.timing.convert_s = time.perf_counter() - t
        inputs = made["inputs"]
        t = time.perf_counter()
        results = []
        with torch.no_grad():
            for c in case.calls:
                feed = {"x": c.x}
                if c.mask is not None:
                    feed["mask"] = c.mask
                for n, s in zip(("h0", "c0"), c.initial_state or []):
                    feed[n] = s
                y = module(*[torch.from_numpy(np.ascontiguousarray(feed[n])) for n in inputs])
                results.append([np.asarray(t.numpy()) for t in (y if isinstance(y, (list, tuple)) else [y])])
        record.timing.run_s = time.perf_counter() - t
        note(record.lowering)
        for e in record.evidence:
            note(e)
        note(f"timing: convert (tf2onnx in the child, then onnx2torch) {record.timing.convert_s:.2f} s, run {record.timing.run_s:.3f} s")
        if evidence_file:
            write_evidence(evidence_file, self.name, record)
        return results


_stub_torchvision()
__all__ = ["OnnxTorch", "ConverterRefused"]
