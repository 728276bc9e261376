"""Keras's ConvLSTM1D/2D/3D numbers, for tests/test_conv_lstm.py.

    PYTHONPATH=src /work/peers/bin/python tools/make_keras_conv_lstm.py   # Keras 3 (TensorFlow backend)

For each case in CASES: the layer built on ``x`` with weights drawn here (``weights``), its output
(and return_state's states) and, for ``J = sum(G * output) + sum_j sum(Gs_j * state_j)``,
TensorFlow's dJ/dx, dJ/d(initial states) and dJ/d(each weight). Then a next-frame model as
keras.io's Conv-LSTM example builds it (``model``): start weights, 2 epochs of SGD(0.05) on mse
(batch 4, no shuffling): losses, end weights, predictions; Keras's model file goes to
tests/fixtures/keras_conv_lstm.keras. Finally glassnet (from src/) trains the same model and
saves it; Keras loads glassnet's file and its predictions are stored as ``glassnet_file_in_keras``
(the test checks they equal glassnet's: the file works both ways).
Written to tests/fixtures/keras_conv_lstm.npz under ``<case>/<what>``.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")
OUT = os.path.join(FIXTURES, "keras_conv_lstm.npz")

# name: (class, filters, kernel_size, options, input shape without the batch)
CASES = {
    "same_sequences": ("ConvLSTM2D", 3, 3, {"padding": "same", "return_sequences": True}, (4, 5, 5, 2)),
    "valid_strides_backwards": ("ConvLSTM2D", 2, (3, 2), {"strides": 2, "go_backwards": True}, (3, 7, 6, 1)),
    "dilated_states": ("ConvLSTM2D", 2, 3, {"dilation_rate": 2, "return_state": True, "return_sequences": True},
                       (3, 6, 6, 2)),
    "channels_first": ("ConvLSTM2D", 2, 3, {"data_format": "channels_first", "padding": "same"}, (3, 2, 4, 5)),
    "no_bias_hard_sigmoid": ("ConvLSTM2D", 2, 2, {"use_bias": False, "recurrent_activation": "hard_sigmoid",
                                                  "activation": "relu", "return_sequences": True}, (3, 4, 4, 1)),
    "conv1d": ("ConvLSTM1D", 3, 3, {"padding": "same", "return_sequences": True, "return_state": True}, (4, 6, 2)),
    "conv3d": ("ConvLSTM3D", 2, 2, {}, (3, 3, 4, 3, 1)),
}


def layer(keras, case):
    kind, filters, kernel, options, _ = CASES[case]
    return getattr(keras.layers, kind)(filters, kernel, **options)


def weights(built):
    """Weights drawn from a seeded generator, the shapes of ``built``'s (both sides set them)."""
    rng = np.random.default_rng(5)
    return [(0.4 * rng.normal(size=tuple(w.shape))).astype(np.float32) for w in built.weights]


def case_data(case):
    shape = CASES[case][4]
    rng = np.random.default_rng(len(case))
    return rng.normal(size=(2,) + shape).astype(np.float32)


def seeds_for(outputs):
    rng = np.random.default_rng(9)
    return [rng.normal(size=np.shape(o)).astype(np.float32) for o in outputs]


def model(keras):
    """keras.io's next-frame prediction, small: two ConvLSTM2D and a Conv3D giving the next frames."""
    inp = keras.Input(shape=(4, 6, 6, 1))
    h = keras.layers.ConvLSTM2D(4, (3, 3), padding="same", return_sequences=True, activation="relu")(inp)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.ConvLSTM2D(3, (1, 1), padding="same", return_sequences=True, activation="relu")(h)
    out = keras.layers.Conv3D(1, (3, 3, 3), activation="sigmoid", padding="same")(h)
    m = keras.Model(inp, out)
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return m


def model_data():
    rng = np.random.default_rng(3)
    frames = (rng.random((8, 5, 6, 6, 1)) > 0.7).astype(np.float32)
    return frames[:, :-1], frames[:, 1:]


def main():
    import keras
    import tensorflow as tf
    arrays = {}
    for case in CASES:
        x = case_data(case)
        one = layer(keras, case)
        one.build(x.shape)
        w = weights(one)
        one.set_weights(w)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            outs = one(xt)
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            gs = seeds_for(outs)
            loss = sum(tf.reduce_sum(g * o) for g, o in zip(gs, outs))
        grads = tape.gradient(loss, [xt] + one.trainable_weights)
        arrays[f"{case}/x"] = x
        for j, (o, g) in enumerate(zip(outs, gs)):
            arrays[f"{case}/out_{j}"], arrays[f"{case}/g_{j}"] = np.asarray(o), g
        arrays[f"{case}/dx"] = np.asarray(grads[0])
        for j, (a, d) in enumerate(zip(w, grads[1:])):
            arrays[f"{case}/w_{j}"], arrays[f"{case}/dw_{j}"] = a, np.asarray(d)
    x, y = model_data()
    keras.utils.set_random_seed(4)
    m = model(keras)
    start = m.get_weights()
    arrays["model/losses"] = np.array(m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"])
    for j, (a, b) in enumerate(zip(start, m.get_weights())):
        arrays[f"model/start_{j}"], arrays[f"model/end_{j}"] = a, b
    arrays["model/pred"] = m.predict(x, verbose=0)
    m.save(os.path.join(FIXTURES, "keras_conv_lstm.keras"))
    # glassnet's file, read by Keras
    import glassnet
    ours = model(glassnet.keras)
    ours.set_weights(start)
    ours.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    path = os.path.join(FIXTURES, "glassnet_conv_lstm.keras")
    ours.save(path)
    arrays["glassnet_file_in_keras"] = keras.models.load_model(path).predict(x, verbose=0)
    np.savez(OUT, **arrays)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
