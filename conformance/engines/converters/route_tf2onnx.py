"""tf2onnx → ONNX Runtime (spec/porting.md §17): `tf2onnx.convert.from_keras`, as a porter calls it,
with the batch static (the case's) or dynamic (None); the ONNX file is kept in .cache/converters/ so
that the routes reading ONNX (OpenVINO, onnx2torch) run the very same file."""
from __future__ import annotations

import contextlib
import logging
import os

import numpy as np

import keras_model
import onnx_graph
from route import Evidence, Route, cache_path, refusal

OPSET = 15  # tf2onnx 1.17's default


def onnx_file(model, case, batch, record: Evidence) -> str:
    """The case's model as tf2onnx converts it (cached by layers, signature and batch); evidence noted."""
    import onnx

    path = cache_path(keras_model.case_key(case, "tf2onnx", batch), ".onnx")
    if not os.path.exists(path):
        import tensorflow as tf
        import tf2onnx

        signature = [tf.TensorSpec(i.shape, i.dtype, name=i.name.split(":")[0]) for i in model.inputs]
        with converter_warnings("tf2onnx") as warnings:
            try:
                tf2onnx.convert.from_keras(model, input_signature=signature, opset=OPSET, output_path=path + ".part")
            except Exception as e:
                raise refusal("tf2onnx", e) from e
        with open(path + ".warnings", "w", encoding="utf-8") as f:
            f.write("\n".join(warnings))
        os.replace(path + ".part", path)
    proto = onnx.load(path)
    record.lowering = onnx_graph.lowering(proto)
    if keras_model.is_stateful(case):
        units = keras_model.cell_config(keras_model.first_recurrent(case))["units"]
        record.evidence.append(onnx_graph.state_evidence(proto, int(case.calls[0].x.shape[0]), units))
        with open(path + ".warnings", encoding="utf-8") as f:
            said = [w for w in f.read().splitlines() if "freez" in w.lower() or "assignvariable" in w.lower()]
        if said:
            record.evidence.append("tf2onnx said (warnings only): " + " | ".join(w[:200] for w in said[:3]))
    return path


@contextlib.contextmanager
def converter_warnings(logger: str):
    """The converter's WARNING-and-above log lines while it runs: what it tells a porter, kept as evidence."""
    lines: list = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage().splitlines()[0] if record.getMessage() else "")

    handler = Keep(logging.WARNING)
    log = logging.getLogger(logger)
    log.addHandler(handler)
    try:
        yield lines
    finally:
        log.removeHandler(handler)


def input_names(path: str) -> list:
    import onnx
    return [i.name for i in onnx.load(path, load_external_data=False).graph.input]


class Tf2onnxOrt(Route):
    describe = "tf2onnx.convert.from_keras (opset 15), run by ONNX Runtime's CPU provider"

    def __init__(self, batch: str):
        self.batch = batch
        self.name = "tf2onnx-ort" if batch == "static" else "tf2onnx-ort-dynamic"

    def version(self) -> str:
        import onnxruntime
        import tf2onnx
        return f"tf2onnx {tf2onnx.__version__}, onnxruntime {onnxruntime.__version__}"

    def convert(self, model, spec, case, record: Evidence):
        return onnx_file(model, case, model.inputs[0].shape[0], record)  # None on the dynamic route, unless stateful

    def run(self, path, feeds: list, record: Evidence) -> list:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        # Each call is one session.run: whatever state the converted model keeps must be in the file.
        return [[np.asarray(t) for t in session.run(None, {n: f[n] for n in names})] for f in feeds]
