"""The TFLite converter → LiteRT (spec/porting.md §17): `tf.lite.TFLiteConverter.from_keras_model`
under its default settings, the model built by Keras 3 or by tf_keras (they lower differently: only
a tf_keras LSTM can become the fused UNIDIRECTIONAL_SEQUENCE_LSTM op), run by ai-edge-litert's
interpreter through the model's signature, one interpreter per case so that variables (a stateful
layer's state) live exactly as long as the case."""
from __future__ import annotations

import re

import numpy as np

import tflite_graph
from route import Evidence, Route, refusal


def load_tflite(content: bytes):
    """LiteRT's interpreter for the file, allocated: a file it cannot prepare (e.g. Select TF ops,
    which need the Flex delegate ai-edge-litert does not ship) is refused here, as an import would be."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        interpreter = Interpreter(model_content=content, num_threads=1)
        interpreter.allocate_tensors()
    except Exception as e:
        raise refusal("LiteRT's interpreter", e) from e
    return interpreter


def output_order(signature_outputs: list, model_output_names: list) -> list:
    """The signature's output keys in the model's output order: Keras 3 models get output_0, output_1, …;
    tf_keras models their output names (model.output_names), which the signature lists sorted."""
    if all(re.fullmatch(r"output_\d+", n) for n in signature_outputs):
        return sorted(signature_outputs, key=lambda n: int(n.rsplit("_", 1)[1]))
    if sorted(signature_outputs) != sorted(model_output_names):
        raise ValueError(f"the TFLite signature's outputs {signature_outputs} are not the model's {model_output_names}")
    return list(model_output_names)


def run_tflite(loaded, feeds: list) -> list:
    interpreter, names = loaded
    runner = interpreter.get_signature_runner()
    order = output_order(interpreter.get_signature_list()["serving_default"]["outputs"], names)
    return [[np.asarray(r[name]) for name in order] for r in (runner(**f) for f in feeds)]


class TfliteLiteRt(Route):
    def __init__(self, builder: str, batch: str):
        self.builder = builder
        self.batch = batch
        who = "keras3" if builder == "keras3" else "tf-keras"
        self.name = f"tflite-{who}" + ("-dynamic" if batch == "dynamic" else "")
        self.describe = f"TFLiteConverter.from_keras_model (default settings) on the model built by {'Keras 3' if builder == 'keras3' else 'tf_keras'}, run by LiteRT's interpreter"

    def version(self) -> str:
        import ai_edge_litert
        import tensorflow as tf
        return f"tensorflow {tf.__version__} TFLiteConverter, ai-edge-litert {getattr(ai_edge_litert, '__version__', '2.3.0')}"

    def convert(self, model, spec, case, record: Evidence):
        import tensorflow as tf

        try:
            content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
        except Exception as e:
            raise refusal("the TFLite converter", e) from e
        record.lowering = tflite_graph.lowering(content)
        return load_tflite(content), list(getattr(model, "output_names", []))

    def run(self, interpreter, feeds: list, record: Evidence) -> list:
        return run_tflite(interpreter, feeds)
