"""Writes tests/fixtures/tf_higher_order_layers.npz with TensorFlow 2.21 / Keras 3.15: second
derivatives (a gradient taken inside another tape) through Conv2D, Conv1D, pooling,
BatchNormalization (training and inference), LayerNormalization, and a functional model with
branches. For each case: the inputs, the weights (Keras's order), and the numbers.

* ``wgan_gp``: WGAN-GP's gradient penalty ``mean((||dD/dx|| - 1)^2)`` of a critic
  (Conv2D, LeakyReLU, AveragePooling2D, LayerNormalization, Flatten, Dense) at interpolated
  images, and its gradient w.r.t. every critic weight;
* ``bn_hvp_train`` / ``bn_hvp_infer``: a Hessian-vector product ``H v`` of an MSE loss w.r.t.
  the first kernel, through Dense -> BatchNormalization -> tanh -> Dense (training / not);
* ``gradnorm``: ``loss + 0.5 sum(g^2)`` with ``g`` the inner tape's gradient w.r.t. every
  weight (a MAML-style nested tape), through a functional model with branches: Conv1D ->
  MaxPooling1D -> {GlobalAveragePooling1D, GlobalMaxPooling1D} -> Concatenate -> Dense.

    /work/peers/bin/python tools/make_tf_higher_order_layers.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "tf_higher_order_layers.npz")


def critic(keras):
    L = keras.layers
    return keras.Sequential([L.Input((6, 6, 1)), L.Conv2D(3, 3, padding="same"), L.LeakyReLU(0.2),
                             L.AveragePooling2D(2), L.LayerNormalization(), L.Flatten(), L.Dense(1)])


def bn_net(keras):
    L = keras.layers
    return keras.Sequential([L.Input((3,)), L.Dense(4), L.BatchNormalization(), L.Activation("tanh"),
                             L.Dense(1)])


def branches(keras):
    L = keras.layers
    i = keras.Input((8, 2))
    h = L.MaxPooling1D(2)(L.Conv1D(3, 3, activation="tanh")(i))
    out = L.Dense(1)(L.Concatenate()([L.GlobalAveragePooling1D()(h), L.GlobalMaxPooling1D()(h)]))
    return keras.Model(i, out)


def data():
    rng = np.random.default_rng(7)
    return {
        "real": rng.normal(size=(3, 6, 6, 1)).astype("float32"),
        "fake": rng.normal(size=(3, 6, 6, 1)).astype("float32"),
        "alpha": rng.uniform(size=(3, 1, 1, 1)).astype("float32"),
        "bn_x": rng.normal(size=(5, 3)).astype("float32"),
        "bn_y": rng.normal(size=(5, 1)).astype("float32"),
        "bn_v": rng.normal(size=(3, 4)).astype("float32"),
        "seq_x": rng.normal(size=(4, 8, 2)).astype("float32"),
        "seq_y": rng.normal(size=(4, 1)).astype("float32"),
    }


def set_random(model, rng):
    """Random weights, a BatchNormalization's moving variance positive; returned in Keras's order."""
    ws = []
    for v in model.weights:
        w = rng.normal(0, 0.6, v.shape).astype("float32")
        if "variance" in v.path:
            w = rng.uniform(0.5, 1.5, v.shape).astype("float32")
        v.assign(w)
        ws.append(w)
    return ws


def main():
    import keras
    import tensorflow as tf
    rng = np.random.default_rng(11)
    d = data()
    out = dict(d)

    m = critic(keras)
    for i, w in enumerate(set_random(m, rng)):
        out[f"wgan_gp/w_{i}"] = w
    x = tf.constant(d["alpha"] * d["real"] + (1 - d["alpha"]) * d["fake"])
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            t1.watch(x)
            score = m(x, training=True)
        g = t1.gradient(score, x)
        norms = tf.sqrt(tf.reduce_sum(tf.square(g), axis=[1, 2, 3]))
        penalty = tf.reduce_mean((norms - 1.0) ** 2)
    out["wgan_gp/penalty"] = np.array(float(penalty))
    out["wgan_gp/input_grad"] = g.numpy()
    for i, gw in enumerate(t2.gradient(penalty, m.trainable_weights)):
        if gw is not None:              # (the last bias does not reach dD/dx: None)
            out[f"wgan_gp/grad_{i}"] = gw.numpy()

    for name, training in (("bn_hvp_train", True), ("bn_hvp_infer", False)):
        m = bn_net(keras)
        for i, w in enumerate(set_random(m, rng)):
            out[f"{name}/w_{i}"] = w
        kernel = m.layers[0].kernel
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                loss = tf.reduce_mean((m(d["bn_x"], training=training) - d["bn_y"]) ** 2)
            g = t1.gradient(loss, kernel)
            gv = tf.reduce_sum(g * d["bn_v"])
        out[f"{name}/grad"] = g.numpy()
        out[f"{name}/hvp"] = t2.gradient(gv, kernel).numpy()

    m = branches(keras)
    for i, w in enumerate(set_random(m, rng)):
        out[f"gradnorm/w_{i}"] = w
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            loss = tf.reduce_mean((m(d["seq_x"]) - d["seq_y"]) ** 2)
        gs = t1.gradient(loss, m.trainable_weights)
        total = loss + 0.5 * tf.add_n([tf.reduce_sum(g ** 2) for g in gs])
    out["gradnorm/total"] = np.array(float(total))
    for i, gw in enumerate(t2.gradient(total, m.trainable_weights)):
        out[f"gradnorm/grad_{i}"] = gw.numpy()
    np.savez(OUT, **out)


if __name__ == "__main__":
    main()
