"""Keras's SimpleRNN, LSTM and GRU numbers, for tests/test_recurrent.py.

    PYTHONPATH=src /work/peers/bin/python tools/make_keras_recurrent.py   # Keras 3 (TensorFlow backend)

For each kind (SimpleRNN, LSTM, GRU with reset_after True and False): a model
``Input((6, 3)) -> <kind>(4) -> Dense(1)``, SGD(0.1), mean squared error; its start weights,
the layer's outputs on a batch with those weights (last state; every state; every state read
backwards; the final states of return_state), then 2 epochs of fit with batch_size=8 and
shuffle=False: the losses, the end weights and the predictions. Written to
tests/fixtures/keras_recurrent.npz under ``<kind>/<what>``; the trained models themselves to
tests/fixtures/keras_recurrent_<kind>.keras (glassnet must load Keras's files).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_recurrent.npz")
KINDS = {"SimpleRNN": ("SimpleRNN", {}), "LSTM": ("LSTM", {}), "GRU": ("GRU", {}),
         "GRU_reset_before": ("GRU", {"reset_after": False})}


def layer(keras, kind, **kwargs):
    name, options = KINDS[kind]
    return getattr(keras.layers, name)(4, **options, **kwargs)


def build(keras, kind):
    model = keras.Sequential([keras.Input(shape=(6, 3)), layer(keras, kind), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 3)).astype(np.float32)
    y = (np.tanh(x[:, :, 0].sum(axis=1, keepdims=True)) + 0.1 * x[:, -1, 1:2]).astype(np.float32)
    return x, y


def outputs(keras, kind, weights, x):
    """The layer alone with ``weights``: {name: array} for each way of calling it."""
    got = {}
    for what, kwargs in (("last", {}), ("sequences", {"return_sequences": True}),
                         ("backwards", {"return_sequences": True, "go_backwards": True})):
        one = layer(keras, kind, **kwargs)
        one.build((None,) + x.shape[1:])
        one.set_weights(weights)
        got[what] = np.asarray(one(x))
    one = layer(keras, kind, return_state=True)
    one.build((None,) + x.shape[1:])
    one.set_weights(weights)
    for i, s in enumerate(one(x)):
        got[f"state_{i}"] = np.asarray(s)             # state_0: the output, then h (and c)
    return got


if __name__ == "__main__":
    import keras
    x, y = data()
    arrays = {"x": x, "y": y}
    for seed, kind in enumerate(KINDS):
        keras.utils.set_random_seed(seed)
        model = build(keras, kind)
        start = model.get_weights()
        for what, a in outputs(keras, kind, start[:3], x).items():
            arrays[f"{kind}/{what}"] = a
        losses = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
        arrays[f"{kind}/losses"] = np.array(losses)
        for i, (w0, w1) in enumerate(zip(start, model.get_weights())):
            arrays[f"{kind}/start_{i}"], arrays[f"{kind}/end_{i}"] = w0, w1
        arrays[f"{kind}/pred"] = model.predict(x, verbose=0)
        model.save(os.path.join(HERE, "..", "tests", "fixtures", f"keras_recurrent_{kind}.keras"))
    np.savez(OUT, **arrays)
    print("wrote", OUT)
