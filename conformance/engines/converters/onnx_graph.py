"""What a converter put in an ONNX file, read from the file itself (spec/porting.md §17.2): the
lowering it chose (one `LSTM`/`GRU`/`RNN` node per layer, or a generic `Loop`/`Scan`) and, for a
stateful model, where the layer's state went — a route's pass says what it exercised, and a
divergence is confirmed inside the converted model, not only by the numbers. Needs `onnx` only."""
from __future__ import annotations

from collections import Counter

RECURRENT_OPS = ("LSTM", "GRU", "RNN")
LOOP_OPS = ("Loop", "Scan")


def _graphs(graph):
    """The graph and every subgraph (a Loop's or If's body), depth first."""
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.g is not None and attr.g.node:
                yield from _graphs(attr.g)
            for g in attr.graphs:
                yield from _graphs(g)


def op_counts(model) -> Counter:
    counts: Counter = Counter()
    for g in _graphs(model.graph):
        counts.update(n.op_type for n in g.node)
    return counts


def lowering(model) -> str:
    """One line: the recurrent ops, the loops, and the ops a porter would look for (ReverseSequence for go_backwards)."""
    counts = op_counts(model)
    top = Counter(n.op_type for n in model.graph.node)
    parts = [f"ONNX {op} node ×{counts[op]}" for op in RECURRENT_OPS if counts[op]]
    parts += [f"ONNX {op} ×{top[op]}" for op in LOOP_OPS if top[op]]
    if counts["ReverseSequence"]:
        parts.append(f"ReverseSequence ×{counts['ReverseSequence']}")
    if not parts:
        parts.append("no recurrent op and no loop (the time loop unrolled)")
    return f"lowering: {', '.join(parts)} (opset {model.opset_import[0].version}, {sum(counts.values())} nodes)"


def state_evidence(model, batch: int, units: int) -> str:
    """For a stateful model: ONNX has no variables, so a layer's state can only be a graph input, an
    initializer (a constant) or nothing. Names what feeds each recurrent node's or loop's initial
    state — a (batch, units) or (1, batch, units) initializer, and whether it is all zeros — and the
    graph's inputs and outputs, where a state written back would have to appear."""
    from onnx import numpy_helper

    inits = {}
    for g in _graphs(model.graph):
        for init in g.initializer:
            if list(init.dims) in ([batch, units], [1, batch, units]):
                inits[init.name] = (list(init.dims), not numpy_helper.to_array(init).any())
    fed = []
    for node in model.graph.node:
        if node.op_type in RECURRENT_OPS:
            # ONNX LSTM inputs 5, 6 (GRU/RNN 5) are initial_h, initial_c; empty means zeros by the operator's definition.
            for slot, name in zip(("initial_h", "initial_c"), list(node.input)[5:7]):
                fed.append(f"{node.op_type} {slot} = " + (f"constant {name} {inits[name][0]}{' all zeros' if inits[name][1] else ''}" if name in inits else name or "absent (zeros)"))
        if node.op_type == "Loop":
            carried = [n for n in list(node.input)[2:] if n in inits]
            fed += [f"Loop carries constant {n} {inits[n][0]}{' all zeros' if inits[n][1] else ''}" for n in carried]
    inputs = [i.name for i in model.graph.input]
    outputs = [o.name for o in model.graph.output]
    where = "; ".join(fed) if fed else "no (batch, units) constant feeds a recurrent op"
    return f"state evidence: {where}; graph inputs {inputs}, outputs {outputs}: no variable and no state output, so nothing carries a call's final state to the next"
