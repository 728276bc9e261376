"""Record what REAL Keras does with the image layers, for tests/test_keras_conv_parity.py.

Run with a Python that has TensorFlow (the tests need none), from the repository root:

    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_conv_fixtures.py           # write the fixtures
    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_conv_fixtures.py --check   # glassnet -> Keras files

Writes into ``tests/fixtures/keras_conv/``:

* ``layers.npz`` + ``layers.json``: for each case, one layer's input ``x``, weights, output
  ``y`` (inference, or ``training=True`` for BatchNormalization's training case), and the
  gradients of ``sum(G * y)`` for a seeded ``G``: ``dx`` and one per weight (GradientTape),
  plus the moving statistics after the training forward.
* ``<net>.npz`` + ``<net>.keras`` for two small convnets and the "simple MNIST convnet"
  (without its Dropout, whose random mask cannot be replayed): starting weights, data,
  inference output, the gradients of the first batch's loss (training mode), the weights
  after one ``train_on_batch`` with SGD, then the per-epoch History and final weights of a
  few epochs of ``fit(shuffle=False)`` from the starting weights.

Starting weights come from ``numpy.random.default_rng(seed)`` (:func:`start_weights`; the
MNIST convnet's and its data are regenerated in the test from the same rule, with a
checksum stored to prove it), installed with ``set_weights``.

``--check`` builds models with every image layer in glassnet (``sys.path`` gets ``src/``),
trains them an epoch, saves them as ``.keras`` and checks that Keras loads each one and
predicts what glassnet predicts; that glassnet loads the file Keras saves back; and that
glassnet's ``.weights.h5`` loads into a Keras model of the same layers.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "fixtures", "keras_conv")

import numpy as np  # noqa: E402


# ------------------------------------------------------------------------------------------
# Shared with the test (kept as plain NumPy so the test can import the same rules)
# ------------------------------------------------------------------------------------------
def start_weights(shapes, seed):
    """Weights for ``shapes``: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)) for kernels,
    small uniform values for biases and BatchNormalization's vectors (moving variance > 0)."""
    rng = np.random.default_rng(seed)
    out = []
    for name, shape in shapes:
        if name == "moving_variance":
            w = rng.uniform(0.5, 1.5, shape)
        elif name == "gamma":
            w = rng.uniform(0.8, 1.2, shape)
        elif len(shape) == 1:
            w = rng.uniform(-0.1, 0.1, shape)
        else:
            receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
            limit = np.sqrt(6.0 / (shape[-2] * receptive + shape[-1] * receptive))
            w = rng.uniform(-limit, limit, shape)
        out.append(w.astype(np.float32))
    return out


def mnist_like(n, seed):
    """MNIST-shaped images (N, 28, 28, 1) in [0, 1], mostly blank like digits, and labels."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1)) * (rng.random((n, 28, 28, 1)) < 0.2)
    return x.astype(np.float32), rng.integers(0, 10, n)


def layer_cases():
    """(name, Keras class name, config, input shape, training)"""
    return [
        ("conv2d_valid", "Conv2D", dict(filters=3, kernel_size=3), (2, 7, 6, 2), False),
        ("conv2d_same_stride2", "Conv2D", dict(filters=3, kernel_size=(3, 2), strides=2, padding="same",
                                              activation="relu"), (2, 7, 6, 2), False),
        ("conv2d_same_even_kernel", "Conv2D", dict(filters=2, kernel_size=4, strides=(2, 3), padding="same"),
         (2, 7, 8, 3), False),
        ("conv2d_dilation_same", "Conv2D", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same",
                                               activation="tanh"), (2, 7, 6, 2), False),
        ("conv2d_no_bias_dilation", "Conv2D", dict(filters=4, kernel_size=(2, 3), dilation_rate=(2, 1),
                                                  use_bias=False), (1, 6, 5, 1), False),
        ("conv1d_causal_dilation", "Conv1D", dict(filters=3, kernel_size=3, padding="causal", dilation_rate=2),
         (2, 9, 2), False),
        ("conv1d_same_stride3", "Conv1D", dict(filters=2, kernel_size=4, strides=3, padding="same",
                                              activation="sigmoid"), (2, 10, 3), False),
        ("maxpool2d_valid", "MaxPooling2D", dict(pool_size=2), (2, 7, 6, 3), False),
        ("maxpool2d_same_stride2", "MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 6, 3), False),
        ("avgpool2d_valid", "AveragePooling2D", dict(pool_size=(3, 2), strides=(1, 2)), (2, 7, 6, 3), False),
        ("avgpool2d_same", "AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 6, 3), False),
        ("maxpool1d_same", "MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 9, 2), False),
        ("avgpool1d_same", "AveragePooling1D", dict(pool_size=2, padding="same"), (2, 9, 2), False),
        ("gap2d", "GlobalAveragePooling2D", dict(), (2, 5, 4, 3), False),
        ("gmp2d_keepdims", "GlobalMaxPooling2D", dict(keepdims=True), (2, 5, 4, 3), False),
        ("gap1d", "GlobalAveragePooling1D", dict(), (2, 6, 3), False),
        ("gmp1d", "GlobalMaxPooling1D", dict(), (2, 6, 3), False),
        ("reshape", "Reshape", dict(target_shape=(-1, 4)), (2, 3, 8), False),
        ("bn_inference", "BatchNormalization", dict(), (4, 5, 5, 3), False),
        ("bn_training", "BatchNormalization", dict(momentum=0.9), (4, 5, 5, 3), True),
        ("bn_training_dense", "BatchNormalization", dict(), (8, 5), True),
        ("bn_axis1_no_scale", "BatchNormalization", dict(axis=1, scale=False), (6, 3, 4), True),
    ]


NETS = {
    # name: (input shape, layers [(class, config)], loss, optimizer (class, kwargs), samples, batch, epochs)
    "net_bn_gap": ((12, 12, 1), [
        ("Conv2D", dict(filters=4, kernel_size=3, padding="same", activation="relu")),
        ("BatchNormalization", dict()),
        ("MaxPooling2D", dict(pool_size=2)),
        ("Conv2D", dict(filters=6, kernel_size=3, strides=2, padding="same", activation="relu")),
        ("AveragePooling2D", dict(pool_size=2, padding="same")),
        ("GlobalAveragePooling2D", dict()),
        ("Dense", dict(units=3, activation="softmax")),
    ], "sparse_categorical_crossentropy", ("Adam", dict(learning_rate=0.01)), 48, 16, 3),
    "net_avg_flatten": ((10, 10, 2), [
        ("Conv2D", dict(filters=5, kernel_size=3, activation="tanh")),
        ("AveragePooling2D", dict(pool_size=2)),
        ("Conv2D", dict(filters=4, kernel_size=2, strides=2, padding="valid", use_bias=False)),
        ("Flatten", dict()),
        ("Dense", dict(units=1, activation="sigmoid")),
    ], "binary_crossentropy", ("RMSprop", dict(learning_rate=0.005)), 40, 8, 3),
    "mnist_convnet": ((28, 28, 1), [
        ("Conv2D", dict(filters=32, kernel_size=(3, 3), activation="relu")),
        ("MaxPooling2D", dict(pool_size=(2, 2))),
        ("Conv2D", dict(filters=64, kernel_size=(3, 3), activation="relu")),
        ("MaxPooling2D", dict(pool_size=(2, 2))),
        ("Flatten", dict()),
        ("Dense", dict(units=10, activation="softmax")),
    ], "categorical_crossentropy", ("Adam", dict()), 96, 32, 2),
}


def subset(name, w):
    """The MNIST convnet's big arrays are kept in part (the fixtures stay small): every 4th
    filter of the second convolution, every 8th row of the Dense kernel."""
    if name != "mnist_convnet":
        return w
    if w.shape == (3, 3, 32, 64):
        return w[..., ::4]
    if w.shape == (64,):
        return w[::4]
    if w.shape == (1600, 10):
        return w[::8]
    return w


def net_data(name, n, input_shape, seed=7):
    if name == "mnist_convnet":
        x, labels = mnist_like(n, seed)
        return x, np.eye(10, dtype=np.float32)[labels]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n,) + input_shape).astype(np.float32)
    score = x.reshape(n, -1)[:, : x[0].size // 2].mean(1) - x.reshape(n, -1)[:, x[0].size // 2:].mean(1)
    if name == "net_bn_gap":
        y = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype(np.int64)
    else:
        y = (score > 0).astype(np.float32)[:, None]
    return x, y


# ------------------------------------------------------------------------------------------
# Recording with Keras
# ------------------------------------------------------------------------------------------
def _keras():
    import keras
    import tensorflow as tf
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    return keras, tf


def record_layers(keras, tf):
    arrays, meta, seen = {}, [], set()
    for i, (name, cls, cfg, shape, training) in enumerate(layer_cases()):
        rng = np.random.default_rng(100 + i)
        x = rng.normal(size=shape).astype(np.float32)
        layer = getattr(keras.layers, cls)(**cfg)
        layer.build(shape)
        weights = start_weights([(w.name, tuple(w.shape)) for w in layer.weights], 200 + i)
        if weights:
            layer.set_weights(weights)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt, training=training)
            G = tf.constant(np.random.default_rng(300 + i).normal(size=y.shape).astype(np.float32))
            f = tf.reduce_sum(G * y)
        grads = tape.gradient(f, [xt] + list(layer.trainable_weights))
        arrays[f"{name}/x"] = x
        arrays[f"{name}/y"] = y.numpy()
        arrays[f"{name}/G"] = G.numpy()
        arrays[f"{name}/dx"] = grads[0].numpy()
        for w, start in zip(layer.weights, weights):
            arrays[f"{name}/w/{w.name}"] = start
        for w, g in zip(layer.trainable_weights, grads[1:]):
            arrays[f"{name}/grad/{w.name}"] = g.numpy()
        for w in layer.non_trainable_weights:
            arrays[f"{name}/after/{w.name}"] = w.numpy()
        entry = dict(name=name, cls=cls, config=cfg, shape=list(shape), training=training)
        if cls not in seen:               # Keras's config keys, once per class
            seen.add(cls)
            entry["keras_config"] = json.loads(json.dumps(layer.get_config(), default=list))
        meta.append(entry)
    np.savez_compressed(os.path.join(OUT, "layers.npz"), **arrays)
    with open(os.path.join(OUT, "layers.json"), "w") as fh:
        json.dump({"keras": keras.__version__, "cases": meta}, fh, indent=1)


def build_net(keras, name):
    input_shape, layers, loss, (opt, okw), n, batch, epochs = NETS[name]
    model = keras.Sequential([keras.Input(input_shape)] + [getattr(keras.layers, c)(**cfg) for c, cfg in layers],
                             name=name)
    return model


def record_net(keras, tf, name):
    input_shape, layers, loss, (opt, okw), n, batch, epochs = NETS[name]
    x, y = net_data(name, n, input_shape)
    model = build_net(keras, name)
    shapes = [(w.name, tuple(w.shape)) for w in model.weights]
    start = start_weights(shapes, 11)
    out = {"start_checksum": np.array([float(np.sum([np.sum(w, dtype=np.float64) for w in start])),
                                       float(np.sum(x, dtype=np.float64))])}
    if name != "mnist_convnet":
        out.update({f"start_{i}": w for i, w in enumerate(start)})
        out.update(x=x, y=y)
    model.set_weights(start)
    out["predict"] = model.predict(x, batch_size=n, verbose=0)
    # the first batch's gradients in training mode (BatchNormalization uses the batch's statistics)
    loss_fn = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        pred = model(x[:batch], training=True)
        value = tf.reduce_mean(loss_fn(y[:batch], pred))
    grads = tape.gradient(value, model.trainable_weights)
    out["first_batch_loss"] = np.array(float(value))
    for i, g in enumerate(grads):
        out[f"grad_{i}"] = subset(name, g.numpy())
    # one SGD step from the start: only the moving statistics are kept (the trainable weights
    # after it are start - 0.1 * grad, which the test checks from the gradients above)
    model.set_weights(start)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    model.train_on_batch(x[:batch], y[:batch])
    trainable = {id(v) for v in model.trainable_weights}
    for i, (v, w) in enumerate(zip(model.weights, model.get_weights())):
        if id(v) not in trainable:
            out[f"sgd_{i}"] = w
    # a few epochs from the start
    model = build_net(keras, name)
    model.set_weights(start)
    model.compile(optimizer=getattr(keras.optimizers, opt)(**okw), loss=loss, metrics=["accuracy"])
    history = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    for k, v in history.history.items():
        out[f"history_{k}"] = np.array(v)
    for i, w in enumerate(model.get_weights()):
        out[f"final_{i}"] = subset(name, w)
    out["final_predict"] = model.predict(x, batch_size=n, verbose=0)
    np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **out)
    if name == "net_bn_gap":
        model.save(os.path.join(OUT, f"{name}.keras"))


def main():
    keras, tf = _keras()
    os.makedirs(OUT, exist_ok=True)
    record_layers(keras, tf)
    for name in NETS:
        record_net(keras, tf, name)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {OUT} ({total / 1024:.0f} KB) with Keras {keras.__version__}")


# ------------------------------------------------------------------------------------------
# --check: glassnet writes, Keras reads
# ------------------------------------------------------------------------------------------
def check():
    keras, tf = _keras()
    sys.path.insert(0, os.path.join(ROOT, "src"))
    import glassnet
    failures = 0
    models = {name: (NETS[name][0], NETS[name][1]) for name in NETS}
    models["every_layer"] = ((9, 8, 2), [
        ("Conv2D", dict(filters=3, kernel_size=(3, 2), strides=2, padding="same", activation="relu",
                        kernel_regularizer={"module": "keras.regularizers", "class_name": "L2",
                                            "config": {"l2": 0.01}, "registered_name": None})),
        ("BatchNormalization", dict(momentum=0.9, epsilon=0.01)),
        ("MaxPooling2D", dict(pool_size=2, strides=1, padding="same")),
        ("AveragePooling2D", dict(pool_size=2, padding="same")),
        ("GlobalMaxPooling2D", dict(keepdims=True)),
        ("Reshape", dict(target_shape=(3, 1))),
        ("Conv1D", dict(filters=2, kernel_size=2, padding="causal", dilation_rate=2)),
        ("MaxPooling1D", dict(pool_size=2, padding="same")),
        ("AveragePooling1D", dict(pool_size=1)),
        ("GlobalAveragePooling1D", dict()),
        ("Dense", dict(units=2)),
    ])
    models["pool1d"] = ((9, 2), [
        ("Conv1D", dict(filters=3, kernel_size=3, strides=2, padding="same", activation="tanh")),
        ("GlobalMaxPooling1D", dict(keepdims=True)),
        ("Flatten", dict()),
        ("Dense", dict(units=1, activation="sigmoid")),
    ])
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        for name, (input_shape, layers) in models.items():
            glassnet.utils.clear_session()
            model = glassnet.Sequential([glassnet.Input(shape=input_shape)]
                                        + [getattr(glassnet.layers, c)(**cfg) for c, cfg in layers])
            x = rng.normal(size=(5,) + input_shape).astype(np.float32)
            bn = [l for l in model.layers if isinstance(l, glassnet.layers.BatchNormalization)]
            for layer in bn:                 # non-trivial moving statistics
                layer.moving_mean.value = rng.normal(size=layer.moving_mean.shape)
                layer.moving_variance.value = rng.uniform(0.5, 2, layer.moving_variance.shape)
            model.compile(optimizer="adam", loss="mse")
            model.fit(x, 0.5 * model.predict(x, verbose=0), epochs=1, verbose=0)    # the optimizer has state
            want = model.predict(x, verbose=0)
            path = os.path.join(folder, f"{name}.keras")
            model.save(path)
            loaded = keras.saving.load_model(path)
            got = loaded.predict(x, verbose=0)
            ok = np.allclose(got, want, rtol=1e-4, atol=1e-5)
            names = [type(l).__name__ for l in loaded.layers]
            print(f"{'ok  ' if ok else 'FAIL'} {name}: Keras loaded {names}; max |diff| {np.abs(got - want).max():.2e}")
            failures += not ok
            # and back: Keras saves what it loaded, glassnet reads it
            path2 = os.path.join(folder, f"{name}_keras.keras")
            loaded.save(path2)
            again = glassnet.models.load_model(path2).predict(x, verbose=0)
            ok2 = np.allclose(again, want, rtol=1e-4, atol=1e-5)
            print(f"{'ok  ' if ok2 else 'FAIL'} {name}: Keras re-saved, glassnet loaded; "
                  f"max |diff| {np.abs(again - want).max():.2e}")
            failures += not ok2
            # the weights alone: glassnet's .weights.h5 into a fresh Keras model of the same layers
            path3 = os.path.join(folder, f"{name}.weights.h5")
            model.save_weights(path3)
            fresh = keras.Sequential([keras.Input(input_shape)] + [getattr(keras.layers, c)(**cfg)
                                                                   for c, cfg in layers])
            fresh.load_weights(path3)
            got3 = fresh.predict(x, verbose=0)
            ok3 = np.allclose(got3, want, rtol=1e-4, atol=1e-5)
            print(f"{'ok  ' if ok3 else 'FAIL'} {name}: glassnet .weights.h5 into Keras; "
                  f"max |diff| {np.abs(got3 - want).max():.2e}")
            failures += not ok3
    print("all checks passed" if not failures else f"{failures} check(s) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(check() if "--check" in sys.argv[1:] else main())
