"""tf2onnx's ONNX file → OpenVINO (spec/porting.md §17): the file route_tf2onnx.py writes, read by
OpenVINO's ONNX frontend and compiled for its CPU plugin."""
from __future__ import annotations

from collections import Counter

import numpy as np

from route import Evidence, Route, refusal
from route_tf2onnx import onnx_file


class OnnxOpenVino(Route):
    """`precision` None keeps the CPU plugin's default inference precision — bfloat16 on a CPU with
    BF16 instructions, whatever the file says — "f32" asks for float32, which isolates the import."""

    def __init__(self, precision=None):
        self.precision = precision
        self.name = "onnx-openvino" + ("-f32" if precision else "")
        self.describe = "tf2onnx's ONNX file (static batch) read and compiled by OpenVINO (CPU" + (", INFERENCE_PRECISION_HINT f32)" if precision else ", default settings)")

    def version(self) -> str:
        import openvino
        import tf2onnx
        return f"tf2onnx {tf2onnx.__version__}, openvino {openvino.get_version().split('-')[0]}"

    def convert(self, model, spec, case, record: Evidence):
        import openvino as ov

        path = onnx_file(model, case, int(case.calls[0].x.shape[0]), record)
        core = ov.Core()
        try:
            ov_model = core.read_model(path)
            config = {"INFERENCE_NUM_THREADS": 1, **({"INFERENCE_PRECISION_HINT": self.precision} if self.precision else {})}
            compiled = core.compile_model(ov_model, "CPU", config)
        except Exception as e:
            raise refusal("OpenVINO's ONNX import", e) from e
        ops = Counter(op.get_type_name() for op in ov_model.get_ops())
        seen = [f"{t} ×{ops[t]}" for t in ("LSTMSequence", "GRUSequence", "RNNSequence", "TensorIterator", "Loop", "LSTMCell") if ops[t]]
        record.lowering += f"; OpenVINO: {', '.join(seen) or 'no sequence op and no loop'}"
        # The precision the CPU plugin computes in is not in the file: it is the plugin's choice, so say it.
        record.evidence.append(f"OpenVINO CPU inference precision: {compiled.get_property('INFERENCE_PRECISION_HINT')}")
        return compiled

    def run(self, compiled, feeds: list, record: Evidence) -> list:
        names = [i.get_any_name() for i in compiled.inputs]
        results = []
        for f in feeds:
            r = compiled({n: f[n] for n in names})
            results.append([np.asarray(r[o]) for o in compiled.outputs])
        return results
