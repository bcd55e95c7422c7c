"""The control route: the same model, built by keras_model.py and fed by the same call path, run by
Keras itself with no conversion (spec/porting.md §17). It must pass the corpus before a converter's
failures count as the converter's."""
from __future__ import annotations

import numpy as np

from route import Evidence, Route


class KerasControl(Route):
    name = "keras-model"
    describe = "the wrapper with the conversion switched off: the functional model run by Keras"

    def __init__(self, builder: str = "dialect", name: str = "keras-model"):
        self.builder = builder
        self.name = name

    def version(self) -> str:
        import keras
        parts = [f"keras {keras.__version__}"]
        if self.builder != "keras3":
            import tf_keras
            parts.append(f"tf_keras {tf_keras.__version__}")
        return ", ".join(parts)

    def convert(self, model, spec, case, record: Evidence):
        record.lowering = "lowering: none (Keras runs the model)"
        return model

    def run(self, model, feeds: list, record: Evidence) -> list:
        # Call by call, eagerly: a stateful layer carries its state from one call to the next.
        results = []
        for f in feeds:
            y = model([f[i.name.split(":")[0]] for i in model.inputs] if len(model.inputs) > 1 else f["x"], training=False)
            results.append([np.asarray(t) for t in (y if isinstance(y, (list, tuple)) else [y])])
        return results
