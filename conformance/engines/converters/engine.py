"""A route out of Keras as a keras-rnn-conformance engine (protocol 2, spec/adapter.md §8;
spec/porting.md §17): `python engine.py <route>` builds each case's Keras model, converts it with the
route's converter, runs the converted model on the case's calls and returns its outputs. A case the
converter refuses is *unsupported* with the converter's words; each reply's notes say which lowering
the converter chose, read from the converted file. With CONVERTER_EVIDENCE=<file> each case's
lowering, evidence and timings are appended to that file as a JSON line (results/routes/)."""
from __future__ import annotations

import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, "..", "..", "..", "python")]
sys.dont_write_bytecode = True
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras_rnn_conformance  # noqa: E402
from keras_rnn_conformance import Unsupported, serve  # noqa: E402

import keras_model  # noqa: E402

# The helper reads a case without a Bidirectional's two layers; serve() reads cases through this name.
keras_rnn_conformance.case_from_message = keras_model.case_from_wire
case_from_message = keras_model.case_from_wire

ACTIVATIONS = ["tanh", "sigmoid", "hard_sigmoid", "linear", "relu", "relu6", "softsign", "softplus", "exponential",
               "elu", "selu", "swish", "silu"]
# Every feature of the corpus: a route answers per case what it cannot express (unsupported, with the reason).
CAPABILITIES = [
    "cell:lstm", "cell:gru", "cell:simple_rnn", "gru:reset_after_false",
    "return_sequences", "return_state", "go_backwards", "initial_state", "mask", "masking_layer",
    "zero_output_for_mask", "stateful", "stacked", "use_bias_false", "dialect:tf-keras", "bidirectional",
    *[f"activation:{n}" for n in ACTIVATIONS], *[f"recurrent_activation:{n}" for n in ACTIVATIONS],
]


def make_route(name: str):
    """The routes, by engine name (spec/porting.md §17). Imported lazily: onnx2torch's process must not load TensorFlow."""
    if name == "onnx-onnx2torch":
        from route_onnx2torch import OnnxTorch
        return OnnxTorch()
    import tensorflow as tf

    # Tiny models: thread pools only add overhead, and the suite's machines are shared.
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    from route_keras import KerasControl
    from route_keras_export import KerasExport
    from route_openvino import OnnxOpenVino
    from route_tf2onnx import Tf2onnxOrt
    from route_tflite import TfliteLiteRt

    routes = {
        "keras-model": lambda: KerasControl(),
        "keras-model-tf-keras": lambda: KerasControl("tf-keras", "keras-model-tf-keras"),
        "tf2onnx-ort": lambda: Tf2onnxOrt("static"),
        "tf2onnx-ort-dynamic": lambda: Tf2onnxOrt("dynamic"),
        "tflite-keras3": lambda: TfliteLiteRt("keras3", "static"),
        "tflite-keras3-dynamic": lambda: TfliteLiteRt("keras3", "dynamic"),
        "tflite-tf-keras": lambda: TfliteLiteRt("tf-keras", "static"),
        "keras-export-onnx": lambda: KerasExport("onnx"),
        "keras-export-litert": lambda: KerasExport("litert"),
        "onnx-openvino": lambda: OnnxOpenVino(),
        "onnx-openvino-f32": lambda: OnnxOpenVino("f32"),
    }
    if name not in routes:
        raise SystemExit(f"unknown route {name!r}; one of {', '.join([*routes, 'onnx-onnx2torch'])}")
    return routes[name]()


ROUTES = ["keras-model", "keras-model-tf-keras", "tf2onnx-ort", "tf2onnx-ort-dynamic", "tflite-keras3", "tflite-keras3-dynamic",
          "tflite-tf-keras", "keras-export-onnx", "keras-export-litert", "onnx-openvino", "onnx-openvino-f32", "onnx-onnx2torch"]


def make_onnx_server() -> None:
    """The child of the onnx2torch route: a run message per line in, tf2onnx's ONNX file (path, lowering, evidence) out."""
    make_route("tf2onnx-ort")  # sets TensorFlow's threads
    import keras_model
    from route import Evidence
    from route_tf2onnx import onnx_file

    out, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            case = case_from_message(json.loads(line))
            batch = int(case.calls[0].x.shape[0])
            model, spec = keras_model.build_model(case, case.dialect, batch)
            record = Evidence(case.id)
            path = onnx_file(model, case, batch, record)
            names = [i.name.split(":")[0] for i in model.inputs]
            reply = {"path": path, "lowering": record.lowering, "evidence": record.evidence, "inputs": names}
        except Unsupported as e:
            reply = {"unsupported": str(e)}
        except Exception as e:
            reply = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


def main() -> None:
    if sys.argv[1:] == ["--make-onnx"]:
        make_onnx_server()
        return
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: engine.py <route>, one of {', '.join(ROUTES)}")
    route = make_route(sys.argv[1])
    evidence = os.environ.get("CONVERTER_EVIDENCE") or None
    serve(route.name, route.version(), CAPABILITIES, lambda case: route.run_case(case, evidence))


if __name__ == "__main__":
    main()
