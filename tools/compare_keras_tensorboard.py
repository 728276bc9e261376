"""Which tags, steps and runs REAL Keras's ``TensorBoard`` callback writes, beside glassnet's.

Run with a Python that has Keras 3 and TensorFlow (the tests need neither):

    TF_CPP_MIN_LOG_LEVEL=3 /work/peers/bin/python tools/compare_keras_tensorboard.py

(TensorFlow's ``tf.summary`` needs the ``tensorboard`` package; where that Python lacks it,
put a folder holding only a link to an installed ``tensorboard`` package on ``PYTHONPATH``.)

It fits the same small model (Dense(4, relu) -> Dense(1, sigmoid), binary cross-entropy,
accuracy, 12 samples in batches of 4, 2 epochs, validation data) with
``TensorBoard(histogram_freq=1, update_freq=...)`` for "epoch", "batch" and 2, reads the
event files back with TensorBoard's own loader and prints, for each run folder, each tag with
its steps. ``tests/test_tensorboard.py`` pins the Keras-3 tags printed here (KERAS_TAGS).
With ``--glassnet`` it runs glassnet instead (in a Python where glassnet is installed), so the
two listings can be put side by side.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402


def read_tags(log_dir) -> dict:
    """{run: {tag: [steps]}} for every event file under ``log_dir`` (TensorBoard's loader)."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    from tensorboard import data_compat
    out: dict = {}
    for path in sorted(Path(log_dir).rglob("events.out.tfevents.*")):
        run = path.parent.relative_to(log_dir).as_posix()
        for event in EventFileLoader(str(path)).Load():
            for value in event.summary.value:
                value = data_compat.migrate_value(value)
                out.setdefault(run, {}).setdefault(value.tag, []).append(int(event.step))
    return out


def main(use_glassnet: bool) -> None:
    if use_glassnet:
        from glassnet import keras
    else:
        import keras
    rng = np.random.default_rng(0)
    x = rng.random((12, 3)).astype("float32")
    y = (x.sum(axis=1) > 1.5).astype("float32")
    for update_freq in ("epoch", "batch", 2):
        model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        with tempfile.TemporaryDirectory() as log_dir:
            cb = keras.callbacks.TensorBoard(log_dir, histogram_freq=1, update_freq=update_freq)
            model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), callbacks=[cb],
                      shuffle=False, verbose=0)
            print(f"update_freq={update_freq!r}")
            for run, tags in read_tags(log_dir).items():
                print(f"  {run}/")
                for tag, steps in sorted(tags.items()):
                    print(f"    {tag:45s} {steps}")


if __name__ == "__main__":
    main("--glassnet" in sys.argv[1:])
