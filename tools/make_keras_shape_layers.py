"""Record what REAL Keras does with the transposed, depthwise and separable convolutions, the
resampling layers (UpSampling, ZeroPadding, Cropping), RepeatVector, Permute, Identity and
TimeDistributed, for tests/test_keras_shape_layers.py.

Run with a Python that has TensorFlow (the tests need none), from the repository root:

    python tools/make_keras_shape_layers.py           # write the fixtures
    python tools/make_keras_shape_layers.py --check   # glassnet -> Keras files, and back

Writes into ``tests/fixtures/keras_shape_layers/``:

* ``layers.npz`` + ``layers.json``: per case, one layer's output ``y`` for a seeded input and
  seeded weights, and the gradients of ``sum(G * y)`` (``dx`` and one per weight), as
  tools/make_keras_conv_fixtures.py records them (its seeding rules are reused), and Keras's
  config of each class once.
* ``<net>.npz``: for the convolutional autoencoder tutorial (scaled down to 12x12 images), a
  DCGAN-style generator and a U-Net-style functional model: starting weights (checksum),
  predict, the first batch's loss and gradients, and a few epochs of ``fit(shuffle=False)``
  with Adam (History, final predict). ``<net>.keras``: the fitted Keras model, for loading.

``--check`` builds glassnet models holding every new layer, fits them an epoch, saves them as
``.keras`` and checks that Keras loads each one and predicts the same; that glassnet loads
the file Keras saves back; and that glassnet's ``.weights.h5`` loads into the same Keras model.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "fixtures", "keras_shape_layers")

import numpy as np  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_keras_conv_fixtures", os.path.join(HERE, "make_keras_conv_fixtures.py"))
CONV = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CONV)                  # NumPy only at import
start_weights, layer_input, upstream, checksum = CONV.start_weights, CONV.layer_input, CONV.upstream, CONV.checksum


def layer_cases():
    """(name, Keras class name, config, input shape); a TimeDistributed's ``layer`` is
    ``(class name, config)``."""
    return [
        ("convT2d_same_s2", "Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same",
                                                    activation="relu"), (2, 4, 5, 2)),
        ("convT2d_valid_k5_s2", "Conv2DTranspose", dict(filters=2, kernel_size=(5, 5), strides=(2, 2)), (2, 3, 4, 3)),
        ("convT2d_valid_k2_s3", "Conv2DTranspose", dict(filters=2, kernel_size=2, strides=3, use_bias=False),
         (1, 3, 3, 2)),
        ("convT2d_same_k4_s2", "Conv2DTranspose", dict(filters=3, kernel_size=(4, 4), strides=(2, 2),
                                                       padding="same"), (2, 3, 3, 2)),
        ("convT2d_same_k5_s1", "Conv2DTranspose", dict(filters=2, kernel_size=(5, 5), strides=(1, 1),
                                                       padding="same", use_bias=False), (2, 4, 4, 3)),
        ("convT2d_outpad_same", "Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same",
                                                        output_padding=1), (2, 3, 4, 2)),
        ("convT2d_outpad_valid", "Conv2DTranspose", dict(filters=2, kernel_size=(3, 2), strides=(3, 2),
                                                         output_padding=(2, 0), activation="tanh"), (2, 3, 4, 2)),
        ("convT1d_same_s2", "Conv1DTranspose", dict(filters=3, kernel_size=4, strides=2, padding="same"), (2, 5, 2)),
        ("convT1d_valid_s3", "Conv1DTranspose", dict(filters=2, kernel_size=3, strides=3, activation="sigmoid"),
         (2, 4, 3)),
        ("depthwise_valid", "DepthwiseConv2D", dict(kernel_size=3), (2, 6, 5, 3)),
        ("depthwise_same_s2_dm2", "DepthwiseConv2D", dict(kernel_size=(3, 2), strides=2, padding="same",
                                                          depth_multiplier=2, activation="relu"), (2, 7, 6, 2)),
        ("depthwise_dilation_nobias", "DepthwiseConv2D", dict(kernel_size=2, dilation_rate=2, use_bias=False),
         (1, 6, 6, 2)),
        ("separable_same", "SeparableConv2D", dict(filters=4, kernel_size=3, padding="same", activation="relu"),
         (2, 6, 5, 3)),
        ("separable_s2_dm2", "SeparableConv2D", dict(filters=3, kernel_size=(2, 3), strides=2, depth_multiplier=2),
         (2, 7, 6, 2)),
        ("depthwise1d_same_dm2", "DepthwiseConv1D", dict(kernel_size=3, padding="same", depth_multiplier=2,
                                                         activation="tanh"), (2, 7, 2)),
        ("separable1d_s2", "SeparableConv1D", dict(filters=3, kernel_size=2, strides=2, depth_multiplier=2),
         (2, 7, 2)),
        ("upsampling2d", "UpSampling2D", dict(size=(2, 3)), (2, 3, 4, 2)),
        ("upsampling2d_default", "UpSampling2D", dict(), (2, 3, 3, 1)),
        ("upsampling2d_bilinear", "UpSampling2D", dict(size=(2, 3), interpolation="bilinear"), (2, 3, 4, 2)),
        ("upsampling2d_bicubic", "UpSampling2D", dict(size=2, interpolation="bicubic"), (1, 4, 3, 1)),
        ("upsampling1d", "UpSampling1D", dict(size=3), (2, 4, 2)),
        ("zeropadding2d_int", "ZeroPadding2D", dict(padding=1), (2, 3, 4, 2)),
        ("zeropadding2d_pairs", "ZeroPadding2D", dict(padding=((1, 2), (0, 3))), (2, 3, 4, 2)),
        ("zeropadding1d", "ZeroPadding1D", dict(padding=(2, 1)), (2, 4, 3)),
        ("cropping2d", "Cropping2D", dict(cropping=((1, 0), (2, 1))), (2, 5, 6, 2)),
        ("cropping2d_int", "Cropping2D", dict(cropping=1), (2, 5, 6, 2)),
        ("cropping1d", "Cropping1D", dict(cropping=(1, 2)), (2, 6, 3)),
        ("repeatvector", "RepeatVector", dict(n=3), (2, 4)),
        ("permute", "Permute", dict(dims=(2, 1)), (2, 3, 4)),
        ("permute3", "Permute", dict(dims=(3, 1, 2)), (2, 3, 4, 2)),
        ("identity", "Identity", dict(), (2, 3, 4)),
        ("timedistributed_dense", "TimeDistributed", dict(layer=("Dense", dict(units=3, activation="tanh"))),
         (2, 4, 5)),
        ("timedistributed_conv", "TimeDistributed", dict(layer=("Conv2D", dict(filters=2, kernel_size=2))),
         (2, 3, 4, 4, 1)),
        ("gmp2d", "GlobalMaxPooling2D", dict(), (2, 4, 5, 3)),
        ("gmp1d_keepdims", "GlobalMaxPooling1D", dict(keepdims=True), (2, 6, 3)),
        ("conv1d_valid_s2", "Conv1D", dict(filters=3, kernel_size=3, strides=2), (2, 9, 2)),
        ("avgpool1d_valid_s1", "AveragePooling1D", dict(pool_size=3, strides=1), (2, 7, 2)),
        ("avgpool2d_default_strides", "AveragePooling2D", dict(pool_size=(2, 2)), (2, 5, 4, 2)),
    ]


def make_layer(layers, cls, cfg):
    """``layers`` is keras.layers or glassnet.layers: the same names and arguments."""
    cfg = dict(cfg)
    if cls == "TimeDistributed":
        inner_cls, inner_cfg = cfg.pop("layer")
        return layers.TimeDistributed(getattr(layers, inner_cls)(**inner_cfg), **cfg)
    return getattr(layers, cls)(**cfg)


# networks: (input shape, loss, samples, batch, epochs); the models are built by build_net for either library
NETS = {
    "autoencoder": ((12, 12, 1), "mse", 32, 8, 2),
    "generator": ((6,), "mse", 24, 8, 2),
    "unet": ((8, 8, 2), "mse", 24, 8, 2),
}


def build_net(lib, name):
    """The same network in Keras (``lib`` = keras) or glassnet (``lib`` = glassnet)."""
    L = lib.layers
    if name == "autoencoder":        # TensorFlow's "Intro to Autoencoders", convolutional autoencoder, scaled down
        return lib.Sequential([
            lib.Input(shape=(12, 12, 1)),
            L.Conv2D(16, (3, 3), activation="relu", padding="same", strides=2),
            L.Conv2D(8, (3, 3), activation="relu", padding="same", strides=2),
            L.Conv2DTranspose(8, kernel_size=3, strides=2, activation="relu", padding="same"),
            L.Conv2DTranspose(16, kernel_size=3, strides=2, activation="relu", padding="same"),
            L.Conv2D(1, kernel_size=(3, 3), activation="sigmoid", padding="same")], name=name)
    if name == "generator":          # DCGAN's generator, scaled down
        return lib.Sequential([
            lib.Input(shape=(6,)),
            L.Dense(3 * 3 * 8, use_bias=False), L.BatchNormalization(), L.LeakyReLU(),
            L.Reshape((3, 3, 8)),
            L.Conv2DTranspose(6, (5, 5), strides=(1, 1), padding="same", use_bias=False),
            L.BatchNormalization(), L.LeakyReLU(),
            L.Conv2DTranspose(4, (4, 4), strides=(2, 2), padding="same", use_bias=False),
            L.BatchNormalization(), L.LeakyReLU(),
            L.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"),
            L.GlobalMaxPooling2D()], name=name)
    # a U-Net-style functional model: skip connection, padding, cropping, upsampling
    inputs = lib.Input(shape=(8, 8, 2))
    down = L.Conv2D(4, 3, strides=2, padding="same", activation="relu")(inputs)             # (4, 4, 4)
    deep = L.SeparableConv2D(6, 3, padding="same", activation="relu")(L.ZeroPadding2D(1)(down))   # (6, 6, 6)
    deep = L.DepthwiseConv2D(3, depth_multiplier=2)(deep)                                   # (4, 4, 12)
    up = L.Conv2DTranspose(4, 4, strides=2, padding="same")(deep)                            # (8, 8, 4)
    skip = L.UpSampling2D()(down)                                                            # (8, 8, 4)
    merged = L.Concatenate()([up, skip])
    merged = L.Cropping2D(((1, 1), (0, 2)))(L.ZeroPadding2D(((0, 1), (1, 0)))(merged))       # (7, 7, 8)
    outputs = L.Conv2D(1, 3, padding="same")(merged)
    return lib.Model(inputs, outputs, name=name)


def net_data(name, n, input_shape, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.random((n,) + input_shape).astype(np.float32)
    if name == "autoencoder":
        return x, x
    if name == "generator":
        return x, rng.normal(size=(n, 1)).astype(np.float32)
    return x, rng.normal(size=(n, 7, 7, 1)).astype(np.float32)


# ------------------------------------------------------------------------------------------
# Recording with Keras
# ------------------------------------------------------------------------------------------
def record_layers(keras, tf):
    arrays, meta, seen = {}, [], set()
    for i, (name, cls, cfg, shape) in enumerate(layer_cases()):
        x = layer_input(i, shape)
        layer = make_layer(keras.layers, cls, cfg)
        layer.build(shape)
        weights = start_weights([(w.name, tuple(w.shape)) for w in layer.weights], 200 + i)
        if weights:
            layer.set_weights(weights)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt)
            G = tf.constant(upstream(i, tuple(y.shape)))
            f = tf.reduce_sum(G * y)
        grads = tape.gradient(f, [xt] + list(layer.trainable_weights))
        arrays[f"{name}/checksum"] = checksum([x, G.numpy()] + weights)
        arrays[f"{name}/y"] = y.numpy()
        arrays[f"{name}/dx"] = grads[0].numpy()
        for w, g in zip(layer.trainable_weights, grads[1:]):
            arrays[f"{name}/grad/{w.name}"] = g.numpy()
        entry = dict(name=name, cls=cls, config=cfg, shape=list(shape),
                     weights=[w.name for w in layer.weights])
        if cls not in seen:
            seen.add(cls)
            entry["keras_config"] = json.loads(json.dumps(layer.get_config(), default=list))
        meta.append(entry)
    np.savez_compressed(os.path.join(OUT, "layers.npz"), **arrays)
    with open(os.path.join(OUT, "layers.json"), "w") as fh:
        json.dump({"keras": keras.__version__, "cases": meta}, fh, indent=1, default=list)


def record_net(keras, tf, name):
    input_shape, loss, n, batch, epochs = NETS[name]
    x, y = net_data(name, n, input_shape)
    model = build_net(keras, name)
    start = start_weights([(w.name, tuple(w.shape)) for w in model.weights], 11)
    out = {"start_checksum": checksum([x, y] + start)}
    model.set_weights(start)
    out["predict"] = model.predict(x, batch_size=n, verbose=0)
    loss_fn = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        pred = model(x[:batch], training=True)
        value = tf.reduce_mean(loss_fn(y[:batch], pred))
    grads = tape.gradient(value, model.trainable_weights)
    out["first_batch_loss"] = np.array(float(value))
    for i, g in enumerate(grads):
        out[f"grad_{i}"] = g.numpy()
    model = build_net(keras, name)
    model.set_weights(start)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.MeanSquaredError())
    history = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    out["history_loss"] = np.array(history.history["loss"])
    out["final_predict"] = model.predict(x, batch_size=n, verbose=0)
    np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **out)
    model.save(os.path.join(OUT, f"{name}.keras"))


def _keras():
    import keras
    import tensorflow as tf
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    return keras, tf


def main():
    keras, tf = _keras()
    os.makedirs(OUT, exist_ok=True)
    record_layers(keras, tf)
    for name in NETS:
        record_net(keras, tf, name)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {OUT} ({total / 1024:.0f} KB) with Keras {keras.__version__}")


# ------------------------------------------------------------------------------------------
# --check: glassnet writes, Keras reads (and back)
# ------------------------------------------------------------------------------------------
CHECK_MODELS = {
    "images": ((6, 5, 2), [
        ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same", activation="relu")),
        ("Conv2DTranspose", dict(filters=2, kernel_size=(3, 2), strides=(2, 1), output_padding=(1, 0))),
        ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same")),
        ("SeparableConv2D", dict(filters=3, kernel_size=2, strides=2, depth_multiplier=2)),
        ("ZeroPadding2D", dict(padding=((1, 0), (2, 1)))),
        ("Cropping2D", dict(cropping=((0, 1), (1, 1)))),
        ("UpSampling2D", dict(size=(1, 2))),
        ("UpSampling2D", dict(size=(2, 1), interpolation="bilinear")),
        ("Identity", dict()),
        ("Permute", dict(dims=(2, 1, 3))),
        ("GlobalMaxPooling2D", dict()),
        ("RepeatVector", dict(n=4)),
        ("TimeDistributed", dict(layer=("Dense", dict(units=2, activation="tanh")))),
        ("Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2)),
        ("UpSampling1D", dict(size=2)),
        ("ZeroPadding1D", dict(padding=1)),
        ("Cropping1D", dict(cropping=(2, 1))),
        ("Conv1D", dict(filters=2, kernel_size=3)),
        ("DepthwiseConv1D", dict(kernel_size=2, depth_multiplier=2)),
        ("SeparableConv1D", dict(filters=2, kernel_size=2, padding="same")),
        ("GlobalMaxPooling1D", dict()),
        ("Dense", dict(units=2)),
    ]),
    "time_distributed_conv": ((3, 6, 6, 1), [
        ("TimeDistributed", dict(layer=("Conv2D", dict(filters=2, kernel_size=3)))),
        ("TimeDistributed", dict(layer=("Flatten", dict()))),
        ("TimeDistributed", dict(layer=("Dense", dict(units=3)))),
        ("GlobalMaxPooling1D", dict()),
    ]),
}


def check():
    keras, tf = _keras()
    sys.path.insert(0, os.path.join(ROOT, "src"))
    import glassnet
    failures = 0
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        for name, (input_shape, layers) in CHECK_MODELS.items():
            glassnet.utils.clear_session()
            model = glassnet.Sequential([glassnet.Input(shape=input_shape)]
                                        + [make_layer(glassnet.layers, c, cfg) for c, cfg in layers])
            x = rng.normal(size=(5,) + input_shape).astype(np.float32)
            model.compile(optimizer="adam", loss="mse")
            model.fit(x, 0.5 * model.predict(x, verbose=0), epochs=1, verbose=0)
            fresh = keras.Sequential([keras.Input(input_shape)] + [make_layer(keras.layers, c, cfg)
                                                                   for c, cfg in layers])
            failures += CONV.files_both_ways(glassnet, keras, folder, name, model, x, fresh)
        # a wrapped Sequential (a per-frame CNN): Keras reads glassnet's file (glassnet's loader refuses a
        # model nested in a layer's config, so only this direction)
        glassnet.utils.clear_session()
        L = glassnet.layers
        frames = glassnet.Sequential([L.Conv2D(2, 3, activation="relu"), L.GlobalAveragePooling2D()])
        model = glassnet.Sequential([glassnet.Input(shape=(4, 8, 8, 1)), L.TimeDistributed(frames),
                                     L.TimeDistributed(L.Dense(2))])
        x = rng.normal(size=(3, 4, 8, 8, 1)).astype(np.float32)
        path = os.path.join(folder, "td_sequential.keras")
        model.save(path)
        got, want = keras.saving.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0)
        ok = np.allclose(got, want, rtol=1e-4, atol=1e-5)
        print(f"{'ok  ' if ok else 'FAIL'} TimeDistributed(Sequential): Keras loaded glassnet's file; "
              f"max |diff| {np.abs(got - want).max():.2e}")
        failures += not ok
    print("all checks passed" if not failures else f"{failures} check(s) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(check() if "--check" in sys.argv[1:] else main())
