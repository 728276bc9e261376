"""Keras's activity regularizers on recurrent layers, for tests/test_rnn_activity_regularizer.py.

    PYTHONPATH=src /work/peers/bin/python tools/make_keras_rnn_activity.py   # Keras 3 (TensorFlow backend)

For each case in CASES: the layer on ``x`` with weights drawn here, ``layer.losses`` (one term per
output the call returns: r(y) / batch), and for ``J = sum(G_j * output_j) + sum(layer.losses)``
TensorFlow's dJ/dx and dJ/d(each weight). Then ``model()`` (Bidirectional(LSTM(...,
activity_regularizer)) -> GRU(..., activity_regularizer) -> Dense) with its start weights:
``model.losses`` after one call, the loss ``evaluate`` reports, 2 epochs of SGD(0.1) (batch 8, no
shuffling): losses, end weights. Written to tests/fixtures/keras_rnn_activity.npz.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_rnn_activity.npz")

# name: (class, regularizer as (class name, kwargs), options)
CASES = {
    "lstm_l2_last": ("LSTM", ("L2", {"l2": 0.1}), {}),
    "gru_l1_sequences": ("GRU", ("L1", {"l1": 0.05}), {"return_sequences": True}),
    "simple_l1l2_states": ("SimpleRNN", ("L1L2", {"l1": 0.02, "l2": 0.1}), {"return_state": True}),  # Keras drops it
    "gru_l2_states": ("GRU", ("L2", {"l2": 0.1}), {"return_state": True}),
    "conv_lstm_l2_states": ("ConvLSTM2D", ("L2", {"l2": 0.1}), {"return_state": True}),
    "lstm_l2_sequences_states": ("LSTM", ("L2", {"l2": 0.1}), {"return_state": True, "return_sequences": True,
                                                               "go_backwards": True}),
}


def layer(keras, case):
    kind, (reg, reg_kwargs), options = CASES[case]
    shape = (2, 3) if kind == "ConvLSTM2D" else (4,)            # ConvLSTM2D(2, 3): 2 filters, 3x3 kernel
    return getattr(keras.layers, kind)(*shape, activity_regularizer=getattr(keras.regularizers, reg)(**reg_kwargs),
                                       **options)


def case_data(case):
    if CASES[case][0] == "ConvLSTM2D":
        return np.random.default_rng(1).normal(size=(4, 3, 5, 5, 1)).astype(np.float32)
    return data()[0]


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5, 3)).astype(np.float32)
    y = np.tanh(x[:, :, 0].sum(axis=1, keepdims=True)).astype(np.float32)
    return x, y


def weights(built):
    rng = np.random.default_rng(5)
    return [(0.5 * rng.normal(size=tuple(w.shape))).astype(np.float32) for w in built.weights]


def seeds_for(outputs):
    rng = np.random.default_rng(9)
    return [rng.normal(size=np.shape(o)).astype(np.float32) for o in outputs]


def model(keras):
    m = keras.Sequential([
        keras.Input(shape=(5, 3)),
        keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True,
                                                     activity_regularizer=keras.regularizers.L2(0.05))),
        keras.layers.GRU(3, activity_regularizer="l1"),
        keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return m


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
            loss = sum(tf.reduce_sum(g * o) for g, o in zip(gs, outs)) + sum(one.losses)
        grads = tape.gradient(loss, [xt] + one.trainable_weights)
        arrays[f"{case}/x"] = x
        arrays[f"{case}/losses"] = np.array([float(v) for v in one.losses])
        for j, (o, g) in enumerate(zip(outs, gs)):
            arrays[f"{case}/out_{j}"], arrays[f"{case}/g_{j}"] = np.asarray(o), g
        arrays[f"{case}/dx"] = np.asarray(grads[0])
        for j, (a, d) in enumerate(zip(w, grads[1:])):
            arrays[f"{case}/w_{j}"], arrays[f"{case}/dw_{j}"] = a, np.asarray(d)
    x, y = data()
    keras.utils.set_random_seed(3)
    m = model(keras)
    start = m.get_weights()
    m(x[:8])
    arrays["model/call_losses"] = np.array([float(v) for v in m.losses])
    arrays["model/evaluate"] = np.array(m.evaluate(x, y, batch_size=8, verbose=0))
    arrays["model/fit"] = np.array(m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"])
    for j, (a, b) in enumerate(zip(start, m.get_weights())):
        arrays[f"model/start_{j}"], arrays[f"model/end_{j}"] = a, b
    np.savez(OUT, **arrays)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
