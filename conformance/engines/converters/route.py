"""What every converter route shares (spec/porting.md §17): a route builds the case's Keras model
(keras_model.py), converts it, runs the converted artefact on the case's calls and says, in notes,
which lowering the converter chose. A converter that refuses a case makes it *unsupported* with the
converter's own words (the route cannot express it); anything else that goes wrong is an *error*."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Optional

from keras_rnn_conformance import Case, Unsupported, note

import keras_model


class ConverterRefused(Unsupported):
    """The converter (or the runtime's importer) refused the model: the route cannot express this case."""


def refusal(step: str, e: BaseException) -> ConverterRefused:
    """The converter's own words, shortened to the part that says why: MLIR-style converters (TFLite)
    prefix each error with a location naming this model's functions, which would make every case's
    reason different; the text after the last "error: " is what they mean."""
    lines = [l.strip() for l in str(e).strip().splitlines() if l.strip()]
    errors = [l.rsplit("error: ", 1)[1] for l in lines if "error: " in l]
    if errors:
        text = errors[-1]
    else:
        text = lines[0] if lines else ""
        # The last line of a long message is often the one that says why (OpenVINO).
        if len(lines) > 1 and lines[-1] != text:
            text = f"{text[:200]} … {lines[-1]}"
    return ConverterRefused(f"{step} refused: {type(e).__name__}: {text[:400]}")


@dataclass
class Timing:
    build_s: float = 0.0
    convert_s: float = 0.0
    run_s: float = 0.0


@dataclass
class Evidence:
    """One case's record in the route's evidence file (results/routes/<route>.evidence.jsonl)."""
    case: str
    lowering: str = ""
    evidence: list = field(default_factory=list)
    timing: Timing = field(default_factory=Timing)


_cache_dir = os.environ.get("CONVERTER_CACHE", os.path.join(os.path.dirname(__file__), "..", "..", "..", ".cache", "converters"))


def cache_path(key: str, suffix: str) -> str:
    os.makedirs(_cache_dir, exist_ok=True)
    return os.path.join(_cache_dir, f"{key}{suffix}")


class Route:
    """A route out of Keras. Subclasses set `name`, `builder`, `batch` and implement `convert`, `run`."""
    name = ""
    builder = "dialect"  # "dialect": the case's own Keras; "keras3" / "tf-keras": always that one
    batch = "static"  # "static": the batch of the case's calls is part of the model; "dynamic": None
    describe = ""

    def version(self) -> str:
        raise NotImplementedError

    def convert(self, model, spec: keras_model.ModelInputs, case: Case, record: Evidence):
        """The converted artefact; raises ConverterRefused when the converter refuses."""
        raise NotImplementedError

    def run(self, artefact, feeds: list, record: Evidence) -> list:
        """Per call, the outputs in Keras's order."""
        raise NotImplementedError

    # --- shared flow -------------------------------------------------------------------------
    def builder_for(self, case: Case) -> str:
        if self.builder == "dialect":
            return case.dialect
        if self.builder == "tf-keras" and case.dialect == "keras3":
            gap = tf_keras_meaning_gap(case)
            if gap:
                raise Unsupported(f"built with tf_keras this case means something else: {gap}")
        if self.builder == "keras3" and case.dialect == "tf-keras":
            raise Unsupported("this route builds with Keras 3; a tf-keras case has tf_keras's semantics")
        return self.builder

    def model_batch(self, case: Case) -> Optional[int]:
        return None if self.batch == "dynamic" else int(case.calls[0].x.shape[0])

    def run_case(self, case: Case, evidence_file: Optional[str]) -> list:
        record = Evidence(case.id)
        builder = self.builder_for(case)
        t = time.perf_counter()
        batch = self.model_batch(case)
        model, spec = keras_model.build_model(case, builder, batch)
        if batch is None and keras_model.is_stateful(case):
            note("stateful: Keras needs a fixed batch for a stateful layer, so this model has one even on a dynamic-batch route")
        record.timing.build_s = time.perf_counter() - t
        t = time.perf_counter()
        artefact = self.convert(model, spec, case, record)
        record.timing.convert_s = time.perf_counter() - t
        t = time.perf_counter()
        outputs = self.run(artefact, keras_model.call_feeds(case, spec), record)
        record.timing.run_s = time.perf_counter() - t
        if record.lowering:
            note(record.lowering)
        for e in record.evidence:
            note(e)
        note(f"timing: build {record.timing.build_s:.2f} s, convert {record.timing.convert_s:.2f} s, run {record.timing.run_s:.3f} s")
        if evidence_file:
            write_evidence(evidence_file, self.name, record)
        return outputs


def tf_keras_meaning_gap(case: Case) -> str:
    """Where tf_keras computes a Keras 3 case differently (spec/lstm.md §3.5.7, spec/porting.md §17.1)."""
    for layer in case.layers:
        for d in keras_model.directions(layer) if layer.class_name != "Masking" else []:
            if "hard_sigmoid" in (d.config.get("activation"), d.config.get("recurrent_activation")):
                return "tf_keras's hard_sigmoid is 0.2x+0.5, Keras 3's x/6+0.5"
    masking = any(l.class_name == "Masking" for l in case.layers)
    if masking and any(c.initial_state is not None for c in case.calls):
        return "Keras 3 drops the Masking layer's mask when initial_state is passed (spec/lstm.md §3.5.7); tf_keras applies it"
    return ""


def write_evidence(path: str, route: str, record: Evidence) -> None:
    line = {"route": route, "case": record.case, "lowering": record.lowering, "evidence": record.evidence,
            "build_s": round(record.timing.build_s, 3), "convert_s": round(record.timing.convert_s, 3), "run_s": round(record.timing.run_s, 4)}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, sort_keys=True) + "\n")
