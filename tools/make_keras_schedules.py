"""Record REAL Keras's learning-rate schedules: their values, and a short fit with each.

Run with a Python that has TensorFlow (the test needs none):

    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_schedules.py

Writes ``tests/fixtures/keras_schedules.json``: for each schedule, its config, the rate
Keras gives at a list of steps (float32 values, as Python floats), and the weights and
per-epoch losses of a small network trained with it (SGD with momentum, starting weights
from a seeded generator, ``shuffle=False``). ``tests/test_schedules.py`` replays them.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_schedules.json"
STEPS = [0, 1, 2, 3, 5, 7, 10, 11, 19, 20, 21, 37, 50, 99, 100, 101, 150, 300, 1000, 12345]

SCHEDULES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.96}),
    ("ExponentialDecay", {"initial_learning_rate": 0.05, "decay_steps": 7, "decay_rate": 0.5, "staircase": True}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.001, "decay_steps": 20, "decay_rate": 1}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.3, "decay_steps": 3, "decay_rate": 0.7, "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [5, 20, 100], "values": [0.1, 0.05, 0.01, 0.001]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    ("PolynomialDecay", {"initial_learning_rate": 0.2, "decay_steps": 30, "end_learning_rate": 0.01,
                         "power": 0.5, "cycle": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    ("CosineDecay", {"initial_learning_rate": 0.01, "decay_steps": 50, "alpha": 0.1,
                     "warmup_target": 0.1, "warmup_steps": 20}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 7, "t_mul": 1.0,
                             "m_mul": 0.8, "alpha": 0.05}),
]


def small_fit(optimizer, seed, epochs):
    """``(record, model)``: a 3-4-1 network, its data and starting weights drawn from ``seed``,
    trained by ``optimizer`` (batch 8, ``shuffle=False``); the record has the data, the
    starting and final weights and the losses. tools/make_keras_optimizers.py uses it too."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5]) > 0).astype("float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    start = [(rng.normal(size=w.shape) * 0.5).astype("float32") for w in model.get_weights()]
    model.set_weights(start)
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    history = model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return {"x": x.tolist(), "y": y.tolist(), "start": [w.tolist() for w in start],
            "final": [w.tolist() for w in model.get_weights()], "loss": history.history["loss"]}, model


def fit_with(schedule, seed):
    record, model = small_fit(keras.optimizers.SGD(learning_rate=schedule, momentum=0.9), seed, epochs=4)
    return {**record, "learning_rate_after": float(model.optimizer.learning_rate.numpy())}


def main():
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    cases = []
    for i, (name, config) in enumerate(SCHEDULES):
        schedule = getattr(keras.optimizers.schedules, name)(**config)
        values = [float(np.float32(schedule(step))) for step in STEPS]
        cases.append({"class": name, "config": config, "values": values,
                      "serialized": keras.optimizers.schedules.serialize(schedule),
                      "fit": fit_with(schedule, seed=i)})
    OUT.write_text(json.dumps({"keras_version": keras.__version__, "tensorflow_version": tf.__version__,
                               "steps": STEPS, "cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cases)} schedules)")


if __name__ == "__main__":
    main()
