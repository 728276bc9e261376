"""The workloads of the benchmark suite: their shapes, their data, and the Keras program.

One definition serves every contestant: the network (layer widths and activations), the
loss, the optimizer, the batch size and the number of epochs. glassnet and Keras run the
*same* function, ``build_keras_model``, handed either ``glassnet.keras`` or
``tensorflow.keras``: the benchmark times exactly the program a Keras user writes.
The NumPy floor (``floor.py``) and PyTorch (``peer_torch.py``) read the same spec.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spec:
    """A training workload: ``Dense`` layers as (units, activation) pairs, and how to fit."""

    name: str
    layers: tuple  # ((units, activation or None), ...)
    loss: str  # "bce" (sigmoid output, BinaryCrossentropy) or "scce_logits"
    optimizer: str  # "rmsprop" or "adam", Keras defaults
    batch_size: int
    epochs: int
    data: str  # "digits01", "digits10" or "mnist"

    def flops_per_sample(self, n_features: int) -> int:
        """Multiply-adds x 2 of one training sample: 1 matmul per layer forward,
        2 backward (dW and dX), except no dX for the first layer."""
        widths = [n_features] + [u for u, _ in self.layers]
        mk = [widths[i] * widths[i + 1] for i in range(len(widths) - 1)]
        return 2 * (sum(mk) + sum(mk) + sum(mk[1:]))


SEED = Spec("seed", ((25, "sigmoid"), (15, "sigmoid"), (1, "sigmoid")),
            "bce", "rmsprop", 32, 100, "digits01")
DIGITS10 = Spec("digits10", ((25, "relu"), (15, "relu"), (10, None)),
                "scce_logits", "adam", 32, 20, "digits10")
MNIST = Spec("mnist", ((256, "relu"), (128, "relu"), (10, None)),
             "scce_logits", "adam", 128, 1, "mnist")
TRAIN_SPECS = {s.name: s for s in (SEED, DIGITS10, MNIST)}

MNIST_ROWS = 60_000
MNIST_FEATURES = 784
PREDICT_ROWS = 10_000
PREDICT_BATCHES = (32, 4096)


# ---------------------------------------------------------------- the Keras program

def build_keras_model(keras, spec: Spec, n_features: int, **compile_args):
    """The user's Keras program, up to ``fit``: works with glassnet.keras and tf.keras
    (``compile_args``: e.g. ``jit_compile=True``, passed to ``compile``)."""
    model = keras.Sequential(
        [keras.Input(shape=(n_features,))]
        + [keras.layers.Dense(units, activation=act) for units, act in spec.layers]
    )
    if spec.loss == "bce":
        loss = keras.losses.BinaryCrossentropy()
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=spec.optimizer, loss=loss, **compile_args)
    return model


# ---------------------------------------------------------------- data

def prepare_digits(path: str) -> str:
    """Write the digits arrays the workers share to ``path`` (.npz); return a note on
    where they came from. Called once, in the parent, so every contestant sees the same
    bytes: glassnet's shipped digits if importable, else scikit-learn's, else synthetic."""
    note = ""
    try:
        from glassnet.datasets import digits  # noqa: PLC0415

        (a, b), (c, d) = digits.load_data(classes=10)
        x10 = np.concatenate([a, c]).astype(np.float32)
        y10 = np.concatenate([b, d]).astype(np.int64)
        note = "glassnet.datasets.digits (train+test)"
    except Exception:  # noqa: BLE001 - any failure means: use the next source
        try:
            from sklearn.datasets import load_digits  # noqa: PLC0415

            ds = load_digits()
            x10 = (ds.data / 16.0).astype(np.float32)
            y10 = ds.target.astype(np.int64)
            note = "sklearn.datasets.load_digits (glassnet.datasets.digits not importable)"
        except Exception:  # noqa: BLE001
            rng = np.random.default_rng(0)
            y10 = rng.integers(0, 10, 1797).astype(np.int64)
            x10 = (rng.integers(0, 17, (1797, 64)) / 16.0).astype(np.float32)
            note = "SYNTHETIC 1797x64 (no digits source importable)"
    keep = y10 < 2
    x01, y01 = x10[keep], y10[keep].astype(np.float32).reshape(-1, 1)
    np.savez(path, x10=x10, y10=y10, x01=x01, y01=y01)
    return note


def load_train_data(spec_data: str, digits_path: str | None, rows: int | None = None):
    """(x, y) float32 / int64 (float32 (n, 1) for the 0/1 task) for one workload."""
    if spec_data == "mnist":
        return synthetic_mnist(rows or MNIST_ROWS)
    with np.load(digits_path) as f:
        if spec_data == "digits01":
            return f["x01"], f["y01"]
        return f["x10"], f["y10"]


def synthetic_mnist(rows: int):
    """MNIST-shaped random data: pixels U[0, 1) float32, labels 0..9 (int64).
    Drawn directly as float32 so no float64 temporary inflates the memory figures."""
    rng = np.random.default_rng(1234)
    x = rng.random((rows, MNIST_FEATURES), dtype=np.float32)
    y = rng.integers(0, 10, rows, dtype=np.int64)
    return x, y


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up chatter (set before it is imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
