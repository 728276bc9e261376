"""Record REAL Keras training a small network with the optimizers that have no case in
tools/make_keras_fixtures.py (Adagrad, Adamax); tests/test_optimizers.py replays them.

    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_optimizers.py   # tests/fixtures/keras_optimizers.json
"""
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import keras  # noqa: E402
import numpy as np  # noqa: E402
from make_keras_schedules import small_fit  # noqa: E402 - the same network, data and starting weights

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_optimizers.json"
CASES = [("Adagrad", {"learning_rate": 0.05}), ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5,
                                                            "epsilon": 1e-4}),
         ("Adamax", {"learning_rate": 0.01}), ("Adamax", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99,
                                                          "weight_decay": 0.01})]


def main():
    out = []
    for i, (name, kwargs) in enumerate(CASES):
        record, model = small_fit(getattr(keras.optimizers, name)(**kwargs), seed=i, epochs=5)
        out.append({"class": name, "kwargs": kwargs, **record,
                    "state": [np.asarray(v).tolist() for v in model.optimizer.variables]})
    OUT.write_text(json.dumps({"keras_version": keras.__version__, "cases": out}) + "\n")
    print("wrote", OUT, len(out))


if __name__ == "__main__":
    main()
