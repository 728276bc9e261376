"""Write tests/fixtures/keras_optimizer_files/: a small model fitted two epochs by TF 2.21 / Keras 3.15
with Nadam, Ftrl and Lion, saved as .keras, and the optimizer's variables in Keras's order
(<name>_state.npz: iteration, learning_rate, then the slots). Run with /work/peers/bin/python:

    /work/peers/bin/python tools/make_keras_optimizer_files.py
"""
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_optimizer_files"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    for name in ("nadam", "ftrl", "lion"):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(name, "binary_crossentropy")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
        model.save(OUT / f"{name}.keras")
        np.savez(OUT / f"{name}_state.npz", *[np.asarray(v) for v in model.optimizer.variables])
    np.savez(OUT / "data.npz", x=x, y=y)


if __name__ == "__main__":
    main()
