"""ONNX Runtime from Python: the native anchor of `npm run bench` (scripts/bench.ts).

Builds one ONNX `LSTM` node per grid size (opset 14, layout 0: X is (T, B, D)), random weights,
creates the session once, then times `session.run` with warm-up and repeated measurement
(median, min, max) — the same protocol as scripts/bench/timing.ts. One intra-op thread, like the
JavaScript engines. Prints JSON to stdout.

Usage: python scripts/bench_onnxruntime.py '<json list of {"batch","timesteps","inputDim","units"}>'
Requires scripts/requirements-bench.txt (onnxruntime, onnx, numpy).
"""

import json
import platform
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def lstm_model(batch: int, timesteps: int, input_dim: int, units: int) -> bytes:
    rng = np.random.default_rng(7)
    w = rng.uniform(-0.1, 0.1, (1, 4 * units, input_dim)).astype(np.float32)
    r = rng.uniform(-0.1, 0.1, (1, 4 * units, units)).astype(np.float32)
    b = rng.uniform(-0.1, 0.1, (1, 8 * units)).astype(np.float32)
    node = helper.make_node("LSTM", ["X", "W", "R", "B"], ["Y", "Y_h", "Y_c"], hidden_size=units)
    graph = helper.make_graph(
        [node],
        "bench_lstm",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [timesteps, batch, input_dim])],
        [
            helper.make_tensor_value_info("Y", TensorProto.FLOAT, [timesteps, 1, batch, units]),
            helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, [1, batch, units]),
            helper.make_tensor_value_info("Y_c", TensorProto.FLOAT, [1, batch, units]),
        ],
        [numpy_helper.from_array(a, n) for a, n in ((w, "W"), (r, "R"), (b, "B"))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def measure(fn, warmup=1, min_runs=3, max_runs=25, budget_ms=1000.0):
    for _ in range(warmup):
        fn()
    times = []
    cpu_times = []
    spent = 0.0
    while len(times) < min_runs or (len(times) < max_runs and spent < budget_ms):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        dt = (time.perf_counter() - t0) * 1000.0
        cpu_times.append((time.process_time() - c0) * 1000.0)
        times.append(dt)
        spent += dt
    return {"medianMs": median(times), "minMs": min(times), "maxMs": max(times), "cpuMedianMs": median(cpu_times), "runs": len(times), "warmupRuns": warmup}


def main() -> None:
    grid = json.loads(sys.argv[1])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    results = []
    for size in grid:
        b, t, d, u = size["batch"], size["timesteps"], size["inputDim"], size["units"]
        session = ort.InferenceSession(lstm_model(b, t, d, u), options, providers=["CPUExecutionProvider"])
        x = np.random.default_rng(1).uniform(-1, 1, (t, b, d)).astype(np.float32)
        timing = measure(lambda: session.run(["Y"], {"X": x}))
        results.append({"size": size, "timing": timing})
    json.dump(
        {
            "name": "onnxruntime (Python)",
            "version": f"onnxruntime {ort.__version__}, CPUExecutionProvider, 1 thread, Python {platform.python_version()}",
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
