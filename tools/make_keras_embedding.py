"""A Keras-trained text classifier's start and end, for tests/test_embedding.py.

    PYTHONPATH=src python tools/make_keras_embedding.py      # with Keras 3 (TensorFlow backend)

Embedding(50, 8) -> GlobalAveragePooling1D -> Dense(1, sigmoid), SGD, 3 epochs on fixed
ids (repeated ids in a row: the scatter-add must add), shuffle=False: the start weights, the
losses and the end weights, in tests/fixtures/keras_embedding/text.npz.

SGD, because with TensorFlow's backend Keras hands an Embedding's gradient to the optimizer as
IndexedSlices (one slice per id occurrence), and its Adam and RMSprop then update their state
only on the rows in the batch, adding a repeated id's slices one by one (``scatter_add``);
glassnet's optimizers use the dense gradient, as Keras does on its other backends. With SGD
both are the same arithmetic, and the numbers agree.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_embedding", "text.npz")


def build(keras):
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Embedding(50, 8),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 50, (96, 6))
    x[:, 1] = x[:, 0]                                  # each row repeats an id
    return x, ((x[:, 0] % 2) == 0).astype(np.float32).reshape(-1, 1)


if __name__ == "__main__":
    import keras
    keras.utils.set_random_seed(3)
    model = build(keras)
    x, y = data()
    start = model.get_weights()
    losses = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history["loss"]
    np.savez(OUT, losses=np.array(losses), pred=model.predict(x, verbose=0),
             **{f"start_{i}": w for i, w in enumerate(start)}, **{f"end_{i}": w for i, w in enumerate(model.get_weights())})
    print("wrote", OUT)
