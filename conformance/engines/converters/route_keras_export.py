"""Keras 3's own `model.export` (spec/porting.md §17): format="onnx" (tf2onnx from the model's
concrete function, batch dynamic as the model's inputs declare it) run by ONNX Runtime, and
format="litert" (a SavedModel through the TFLite converter with SELECT_TF_OPS and resource variables
on) run by LiteRT. Keras 3 models only: tf_keras has no such export."""
from __future__ import annotations

import os
import tempfile

import keras_model
import onnx_graph
import tflite_graph
from route import Evidence, Route, refusal
from route_tf2onnx import Tf2onnxOrt
from route_tflite import load_tflite, run_tflite


class KerasExport(Route):
    builder = "keras3"
    batch = "dynamic"

    def __init__(self, fmt: str):
        self.format = fmt
        self.name = f"keras-export-{fmt}"
        self.describe = f'Keras 3 `model.export(path, format="{fmt}")`, run by {"ONNX Runtime" if fmt == "onnx" else "LiteRT"}'

    def version(self) -> str:
        import keras
        if self.format == "onnx":
            import onnxruntime
            import tf2onnx
            return f"keras {keras.__version__} (tf2onnx {tf2onnx.__version__}, onnxruntime {onnxruntime.__version__})"
        return f"keras {keras.__version__} (ai-edge-litert 2.3.0)"

    def convert(self, model, spec, case, record: Evidence):
        directory = tempfile.mkdtemp(prefix="keras-export-")
        path = os.path.join(directory, "model.onnx" if self.format == "onnx" else "model.tflite")
        import tensorflow as tf

        # The model has never been called (export_onnx refuses that without a signature) and calling it
        # would move a stateful layer's state: its inputs' own specs, batch as the model declares it.
        specs = [tf.TensorSpec(i.shape, i.dtype, name=i.name.split(":")[0]) for i in model.inputs]
        signature = [specs] if len(specs) > 1 else specs
        try:
            model.export(path, format=self.format, verbose=False, input_signature=signature)
        except Exception as e:
            raise refusal(f'model.export(format="{self.format}")', e) from e
        if self.format == "onnx":
            import onnx
            proto = onnx.load(path)
            record.lowering = onnx_graph.lowering(proto)
            if keras_model.is_stateful(case):
                record.evidence.append(onnx_graph.state_evidence(proto, int(case.calls[0].x.shape[0]), keras_model.cell_config(keras_model.first_recurrent(case))["units"]))
            return path
        with open(path, "rb") as f:
            content = f.read()
        record.lowering = tflite_graph.lowering(content)
        return load_tflite(content), []

    def run(self, artefact, feeds: list, record: Evidence) -> list:
        if self.format == "onnx":
            return Tf2onnxOrt("dynamic").run(artefact, feeds, record)
        return run_tflite(artefact, feeds)
