"""Keras's "Simple MNIST convnet" example, in glassnet: the same program line for line.

    python examples/mnist_convnet.py                  # MNIST from ~/.glassnet/datasets (downloaded once)
    python examples/mnist_convnet.py --path mnist.npz --epochs 3 --limit 6000

Keras's example reaches about 99% test accuracy after 15 epochs. ``--limit N`` (or the
environment variable ``GLASSNET_MNIST_LIMIT``) trains on the first N images only, for a quick
look; ``--path`` takes a local ``mnist.npz`` or a folder of the four IDX files
(see ``glassnet.datasets.mnist``). Writes ``filters.png`` and ``feature_maps.png`` beside
``--out`` when matplotlib is installed.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import glassnet
from glassnet.keras import layers
from glassnet.keras.datasets import mnist


def main(path=None, epochs=15, batch_size=128, limit=None, out=None, verbose=1):
    """Train the convnet; returns ``(model, history, [test loss, test accuracy])``."""
    if limit is None and os.environ.get("GLASSNET_MNIST_LIMIT"):
        limit = int(os.environ["GLASSNET_MNIST_LIMIT"])
    # Model / data parameters
    num_classes = 10
    input_shape = (28, 28, 1)

    # Load the data and split it between train and test sets
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path) if path else mnist.load_data()
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[:max(limit // 6, 1)], y_test[:max(limit // 6, 1)]

    # Scale images to the [0, 1] range
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    # Make sure images have shape (28, 28, 1)
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")

    # convert class vectors to binary class matrices
    y_train = glassnet.utils.to_categorical(y_train, num_classes)
    y_test = glassnet.utils.to_categorical(y_test, num_classes)

    model = glassnet.Sequential(
        [
            glassnet.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.summary()

    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1,
                        verbose=verbose)

    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])

    if out is not None:
        os.makedirs(out, exist_ok=True)
        model.save(os.path.join(out, "mnist_convnet.keras"))
        try:
            from glassnet import plot
            plot.filters(model).savefig(os.path.join(out, "filters.png"), dpi=100)
            plot.feature_maps(model, x_test[0]).savefig(os.path.join(out, "feature_maps.png"), dpi=100)
        except ImportError:
            print("matplotlib is not installed: no figures", file=sys.stderr)
    return model, history, score


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="a local mnist.npz, or a folder of the four IDX files")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--out", default="runs/mnist_convnet", help="where the model and figures go")
    args = parser.parse_args()
    main(args.path, args.epochs, args.batch_size, args.limit, args.out)
