"""What the TFLite converter put in a .tflite file, read from the LiteRT interpreter's op list
(spec/porting.md §17.2): the fused `UNIDIRECTIONAL_SEQUENCE_LSTM` / `_RNN` op, or a `WHILE` loop, and
whether the model keeps variables (`VAR_HANDLE`, `ASSIGN_VARIABLE`) — where a stateful layer's state
could live."""
from __future__ import annotations

from collections import Counter

FUSED = ("UNIDIRECTIONAL_SEQUENCE_LSTM", "UNIDIRECTIONAL_SEQUENCE_RNN", "BIDIRECTIONAL_SEQUENCE_LSTM")


def op_counts(model_content: bytes) -> Counter:
    """Every op of the model as the converter wrote it: read by an interpreter without the default
    delegates (XNNPACK would replace ops by one DELEGATE node in the running interpreter's list)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(model_content=model_content, experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    return Counter(op["op_name"] for op in interpreter._get_ops_details())


def lowering(model_content: bytes) -> str:
    counts = op_counts(model_content)
    parts = [f"fused {op} ×{counts[op]}" for op in FUSED if counts[op]]
    if counts["WHILE"]:
        parts.append(f"WHILE ×{counts['WHILE']}")
    if counts["REVERSE_V2"]:
        parts.append(f"REVERSE_V2 ×{counts['REVERSE_V2']}")
    variables = counts["VAR_HANDLE"]
    if variables:
        parts.append(f"variables: VAR_HANDLE ×{variables}, ASSIGN_VARIABLE ×{counts['ASSIGN_VARIABLE']}, READ_VARIABLE ×{counts['READ_VARIABLE']}")
    flex = sorted(op for op in counts if op.startswith("Flex") or op == "CUSTOM")
    if flex:
        parts.append(f"TF ops kept: {', '.join(flex)}")
    if not [p for p in parts if not p.startswith("variables")]:
        parts.append("no fused op and no loop (the time loop unrolled)")
    return f"lowering: {', '.join(parts)} ({sum(counts.values())} ops)"
