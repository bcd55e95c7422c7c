"""Unit tests of the converter routes' own logic (run in the converter venv:
`bash scripts/converters-env.sh python -m unittest discover -s conformance/engines/converters -p '*_test.py'`).
What they guard: a lowering or state evidence read wrongly from a file would make the route table
say something the converted model does not do (spec/porting.md §17.2)."""
from __future__ import annotations

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, "..", "..", "..", "python")]

import numpy as np  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import onnx_graph  # noqa: E402
from keras_rnn_conformance import Call, Case, Layer  # noqa: E402
from route import refusal, tf_keras_meaning_gap  # noqa: E402
from route_tflite import output_order  # noqa: E402


def lstm_model(initial_h: np.ndarray, with_loop: bool = False):
    """A one-node ONNX LSTM graph (batch 2, units 3) whose initial_h/initial_c are a constant."""
    b, u, d = 2, 3, 4
    inits = [numpy_helper.from_array(np.zeros((1, 4 * u, d), np.float32), "W"), numpy_helper.from_array(np.zeros((1, 4 * u, u), np.float32), "R"),
             numpy_helper.from_array(initial_h.astype(np.float32), "h0const")]
    nodes = [helper.make_node("LSTM", ["x", "W", "R", "", "", "h0const", "h0const"], ["y", "yh", "yc"], hidden_size=u)]
    if with_loop:
        body = helper.make_graph([helper.make_node("Identity", ["s"], ["s_out"])], "body",
                                 [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("i", "c", "s")],
                                 [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("c_out", "s_out")])
        nodes.append(helper.make_node("Loop", ["", "", "h0const"], ["loop_out"], body=body))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, b, d])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])


class OnnxGraphTest(unittest.TestCase):
    def test_lowering_names_the_recurrent_node_and_the_loop(self):
        self.assertEqual(onnx_graph.lowering(lstm_model(np.zeros((1, 2, 3)))), "lowering: ONNX LSTM node ×1 (opset 15, 1 nodes)")
        self.assertIn("ONNX Loop ×1", onnx_graph.lowering(lstm_model(np.zeros((1, 2, 3)), with_loop=True)))

    def test_state_evidence_says_all_zeros_only_when_the_constant_is(self):
        zeros = onnx_graph.state_evidence(lstm_model(np.zeros((1, 2, 3))), 2, 3)
        self.assertIn("LSTM initial_h = constant h0const [1, 2, 3] all zeros", zeros)
        self.assertIn("no variable and no state output", zeros)
        nonzero = onnx_graph.state_evidence(lstm_model(np.full((1, 2, 3), 0.5)), 2, 3)
        self.assertIn("constant h0const [1, 2, 3]", nonzero)
        self.assertNotIn("all zeros", nonzero)
        # A constant of another shape is not called this layer's state: only its name is given.
        other = onnx_graph.state_evidence(lstm_model(np.zeros((1, 2, 3))), 4, 3)
        self.assertIn("LSTM initial_h = h0const;", other)
        self.assertNotIn("all zeros", other)


class RouteTest(unittest.TestCase):
    def test_refusal_keeps_the_clause_that_says_why(self):
        e = RuntimeError('<unknown>:0: error: loc(callsite("f@__inference_12")): failed\n<unknown>:0: error: Lowering tensor list ops is failed.')
        self.assertEqual(str(refusal("the TFLite converter", e)), "the TFLite converter refused: RuntimeError: Lowering tensor list ops is failed.")
        self.assertEqual(str(refusal("onnx2torch", NotImplementedError("Converter is not implemented (LSTM)"))), "onnx2torch refused: NotImplementedError: Converter is not implemented (LSTM)")

    def test_output_order_follows_the_model_not_the_signature_listing(self):
        self.assertEqual(output_order(["output_10", "output_2", "output_0"], []), ["output_0", "output_2", "output_10"])
        self.assertEqual(output_order(["lstm", "lstm_1", "lstm_2"], ["lstm_2", "lstm", "lstm_1"]), ["lstm_2", "lstm", "lstm_1"])
        with self.assertRaises(ValueError):
            output_order(["a", "b"], ["a", "c"])

    def test_tf_keras_meaning_gap_names_what_tf_keras_computes_differently(self):
        x = np.zeros((1, 2, 3), np.float32)
        lstm = Layer("LSTM", {"units": 2, "activation": "tanh", "recurrent_activation": "hard_sigmoid"})
        self.assertIn("hard_sigmoid", tf_keras_meaning_gap(Case("c", "keras3", [lstm], [Call(x)])))
        plain = Layer("LSTM", {"units": 2, "activation": "tanh", "recurrent_activation": "sigmoid"})
        self.assertEqual(tf_keras_meaning_gap(Case("c", "keras3", [plain], [Call(x)])), "")
        masked = Case("c", "keras3", [Layer("Masking", {"mask_value": 0.0}), plain], [Call(x, initial_state=[np.zeros((1, 2)), np.zeros((1, 2))])])
        self.assertIn("Masking", tf_keras_meaning_gap(masked))


if __name__ == "__main__":
    unittest.main()
