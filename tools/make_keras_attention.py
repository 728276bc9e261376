"""Keras 3's numbers for LayerNormalization, GroupNormalization, UnitNormalization,
MultiHeadAttention, Attention, AdditiveAttention and EinsumDense, and a Keras-written ``.keras`` file.

Run with a Python that has Keras 3 (TensorFlow backend), from the repository root:

    /work/peers/bin/python tools/make_keras_attention.py            # write the fixtures below
    /work/peers/bin/python tools/make_keras_attention.py --check    # glassnet saves -> Keras loads

Writes tests/fixtures/keras_attention.npz: for each case ``<case>/x`` (inputs), ``<case>/w<i>``
(the layer's weights in Keras's order), ``<case>/dy`` (an upstream gradient), and Keras's
``<case>/y`` (output), ``<case>/dx<i>`` (input gradients) and ``<case>/dw<i>`` (weight gradients),
computed with a GradientTape of ``sum(y * dy)``. And tests/fixtures/attention_files/attention_block.keras
(+ .npz: x and Keras's predictions): a functional transformer block (MultiHeadAttention with
self-attention, Add, LayerNormalization, Dense) saved by Keras, and attention_two_inputs.keras.
(Their own folder: tests/test_saving.py takes every file in keras_files/ for a trained, compiled one.)
"""
from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")

import numpy as np  # noqa: E402


def cases(keras):
    L = keras.layers
    rng = np.random.default_rng(7)
    n = lambda *s: rng.normal(size=s).astype("float32")        # noqa: E731
    ids_mask_q = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    ids_mask_v = np.array([[1, 1, 0], [1, 1, 1]], bool)
    return {
        "ln": (L.LayerNormalization(), [n(3, 4, 5)], {}),
        "ln_axes": (L.LayerNormalization(axis=[1, 2], epsilon=1e-5), [n(3, 4, 5)], {}),
        "ln_rms": (L.LayerNormalization(rms_scaling=True), [n(3, 4, 5)], {}),
        "ln_noscale": (L.LayerNormalization(center=False, scale=False), [n(3, 5)], {}),
        "gn": (L.GroupNormalization(groups=2), [n(3, 4, 6)], {}),
        "un": (L.UnitNormalization(), [n(3, 5)], {}),
        "mha": (L.MultiHeadAttention(num_heads=2, key_dim=3), [n(2, 4, 5), n(2, 3, 6)], {}),
        "mha_key": (L.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, output_shape=7),
                    [n(2, 4, 5), n(2, 3, 6), n(2, 3, 2)], {}),
        "mha_causal": (L.MultiHeadAttention(num_heads=2, key_dim=4), [n(2, 4, 5), None],
                       {"use_causal_mask": True}),
        "mha_masks": (L.MultiHeadAttention(num_heads=2, key_dim=3), [n(2, 4, 5), n(2, 3, 5)],
                      {"query_keras_mask": ids_mask_q, "value_mask": ids_mask_v}),
        "mha_masks_scores": (L.MultiHeadAttention(num_heads=2, key_dim=3), [n(2, 4, 5), n(2, 3, 5)],
                             {"query_keras_mask": ids_mask_q, "value_mask": ids_mask_v,
                              "return_attention_scores": True}),
        "mha_attention_mask": (L.MultiHeadAttention(num_heads=2, key_dim=3), [n(2, 4, 5), n(2, 3, 5)],
                               {"attention_mask": rng.random((2, 4, 3)) > 0.3}),
        "att": (L.Attention(), [n(2, 4, 5), n(2, 3, 5)], {}),
        "att_scale_key": (L.Attention(use_scale=True), [n(2, 4, 5), n(2, 3, 6), n(2, 3, 5)], {}),
        "att_concat": (L.Attention(use_scale=True, score_mode="concat"), [n(2, 4, 5), n(2, 3, 5)], {}),
        "att_masks": (L.Attention(), [n(2, 4, 5), n(2, 3, 5)], {"mask": [ids_mask_q, ids_mask_v]}),
        "att_causal": (L.Attention(), [n(2, 4, 5), n(2, 4, 5)], {"use_causal_mask": True}),
        "add": (L.AdditiveAttention(), [n(2, 4, 5), n(2, 3, 5)], {}),
        "add_masks": (L.AdditiveAttention(), [n(2, 4, 5), n(2, 3, 5)], {"mask": [ids_mask_q, ids_mask_v]}),
        "ed": (L.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d", activation="tanh"),
               [n(2, 3, 5)], {}),
        "ed_heads": (L.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de"), [n(2, 3, 5)], {}),
        "ed_dots": (L.EinsumDense("...b,bc->...c", output_shape=4, bias_axes="c"), [n(2, 3, 5)], {}),
    }


def run_case(keras, tf, layer, xs, kwargs, rng):
    mha = isinstance(layer, keras.layers.MultiHeadAttention)
    if xs[-1] is None:                       # self-attention: value is the query
        xs = xs[:-1]
    listed = isinstance(layer, (keras.layers.Attention, keras.layers.AdditiveAttention))

    query_mask = kwargs.pop("query_keras_mask", None)       # the query's own mask, as an Embedding leaves it
    scores = kwargs.get("return_attention_scores", False)

    def call(ts):
        if query_mask is not None:
            keras.src.backend.set_keras_mask(ts[0], tf.constant(query_mask))
        if scores:
            return layer(ts[0], ts[1], **kwargs)[0]
        if listed:
            return layer(list(ts), **kwargs)
        if mha:
            return layer(ts[0], ts[1] if len(ts) > 1 else ts[0], *(ts[2:]), **kwargs)
        return layer(ts[0])

    call([tf.constant(x) for x in xs])                       # build
    weights = []
    for v in layer.weights:                                  # away from 1 and 0
        value = rng.normal(size=v.shape).astype("float32") * 0.5 + (1.0 if "gamma" in v.path else 0.0)
        v.assign(value)
        weights.append(value)
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        for t in ts:
            tape.watch(t)
        y = call(ts)
        dy = rng.normal(size=y.shape).astype("float32")
        total = tf.reduce_sum(y * dy)
    dxs = tape.gradient(total, ts)
    dws = tape.gradient(total, layer.trainable_weights)
    out = {"y": np.asarray(y), "dy": dy}
    for i, x in enumerate(xs):
        out[f"x{i}"] = x
        out[f"dx{i}"] = np.asarray(dxs[i])
    for i, (w, g) in enumerate(zip(weights, dws)):
        out[f"w{i}"] = w
        out[f"dw{i}"] = np.zeros_like(w) if g is None else np.asarray(g)
    return out


def block(keras):
    """A functional transformer encoder block, as keras.io's text classification one."""
    L = keras.layers
    inp = keras.Input((6, 8))
    att = L.MultiHeadAttention(num_heads=2, key_dim=4)(inp, inp)
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([inp, att]))
    ff = L.Dense(8)(L.Dense(12, activation="relu")(x))
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, ff]))
    out = L.Dense(2, activation="softmax")(L.GlobalAveragePooling1D()(x))
    return keras.Model(inp, out)


def two_inputs(keras):
    """MultiHeadAttention called with keywords (query=, value=, key=), then causal self-attention,
    Attention and AdditiveAttention on lists, from two inputs."""
    L = keras.layers
    a, b = keras.Input((4, 6)), keras.Input((3, 6))
    m = L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)(query=a, value=b, key=b)
    m = L.MultiHeadAttention(num_heads=2, key_dim=2)(m, m, use_causal_mask=True)
    d = L.Attention(use_scale=True)([a, b])
    e = L.AdditiveAttention()([a, b, b])
    x = L.LayerNormalization(axis=[1, 2], rms_scaling=True)(L.Concatenate()([m, d, e]))
    return keras.Model([a, b], L.Dense(1)(L.Flatten()(x)))


def make():
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(11)
    arrays = {}
    for name, (layer, xs, kwargs) in cases(keras).items():
        given = dict(kwargs)
        for k, v in run_case(keras, tf, layer, xs, kwargs, rng).items():
            arrays[f"{name}/{k}"] = v
        for k, v in given.items():
            if k == "mask":
                arrays[f"{name}/query_mask"], arrays[f"{name}/value_mask"] = v
            elif k not in ("use_causal_mask", "return_attention_scores"):
                arrays[f"{name}/{k}"] = v
    np.savez(os.path.join(FIXTURES, "keras_attention.npz"), **arrays)
    print("wrote keras_attention.npz", len(arrays))

    keras.utils.set_random_seed(4)
    model = block(keras)
    x = rng.normal(size=(5, 6, 8)).astype("float32")
    path = os.path.join(FIXTURES, "attention_files", "attention_block.keras")
    model.save(path)
    np.savez(os.path.join(FIXTURES, "attention_files", "attention_block.npz"), x=x, pred=model.predict(x, verbose=0))
    print("wrote", path)

    keras.utils.set_random_seed(5)
    model = two_inputs(keras)
    for v in model.weights:                        # (scales and biases away from their 1 and 0)
        v.assign(np.asarray(v) + rng.normal(size=v.shape).astype("float32") * 0.3)
    xs = [rng.normal(size=(5, 4, 6)).astype("float32"), rng.normal(size=(5, 3, 6)).astype("float32")]
    path = os.path.join(FIXTURES, "attention_files", "attention_two_inputs.keras")
    model.save(path)
    np.savez(os.path.join(FIXTURES, "attention_files", "attention_two_inputs.npz"), x0=xs[0], x1=xs[1],
             pred=model.predict(xs, verbose=0))
    print("wrote", path)


def check():
    """glassnet saves the block -> Keras 3 loads it and predicts the same."""
    import subprocess
    import keras
    root = os.path.join(HERE, "..")
    with tempfile.TemporaryDirectory() as tmp:
        script = (
            "import numpy as np, glassnet as g\n"
            "m = g.keras.models.load_model('tests/fixtures/attention_files/attention_block.keras')\n"
            "x = np.load('tests/fixtures/attention_files/attention_block.npz')['x']\n"
            f"m.save('{tmp}/g.keras'); np.save('{tmp}/p.npy', m.predict(x, verbose=0))\n")
        subprocess.run([os.path.join(root, ".venv", "bin", "python"), "-c", script], check=True, cwd=root)
        model = keras.models.load_model(f"{tmp}/g.keras")
        x = np.load(os.path.join(FIXTURES, "attention_files", "attention_block.npz"))["x"]
        np.testing.assert_allclose(model.predict(x, verbose=0), np.load(f"{tmp}/p.npy"), rtol=1e-4, atol=1e-5)
        print("Keras 3 loads glassnet's attention_block and predicts the same")
        script = (
            "import numpy as np, glassnet as g\n"
            "m = g.keras.models.load_model('tests/fixtures/attention_files/attention_two_inputs.keras')\n"
            "d = np.load('tests/fixtures/attention_files/attention_two_inputs.npz')\n"
            f"m.save('{tmp}/g2.keras'); np.save('{tmp}/p2.npy', m.predict([d['x0'], d['x1']], verbose=0))\n")
        subprocess.run([os.path.join(root, ".venv", "bin", "python"), "-c", script], check=True, cwd=root)
        model = keras.models.load_model(f"{tmp}/g2.keras")
        d = np.load(os.path.join(FIXTURES, "attention_files", "attention_two_inputs.npz"))
        np.testing.assert_allclose(model.predict([d["x0"], d["x1"]], verbose=0), np.load(f"{tmp}/p2.npy"),
                                   rtol=1e-4, atol=1e-5)
        print("Keras 3 loads glassnet's attention_two_inputs and predicts the same")
        script = (                               # the other new layers in a Sequential, glassnet -> Keras -> glassnet
            "import numpy as np, glassnet as g\n"
            "L = g.layers\n"
            "m = g.Sequential([g.Input(shape=(6, 4)), L.GaussianNoise(0.1), L.SpatialDropout1D(0.2), "
            "L.GaussianDropout(0.1), L.AlphaDropout(0.1), L.ActivityRegularization(l1=0.01), L.GroupNormalization(2), "
            "L.UnitNormalization(), L.EinsumDense('abc,cd->abd', (None, 3), bias_axes='d', activation='relu'), "
            "L.LayerNormalization(axis=[1, 2]), L.Flatten(), L.Dense(1)])\n"
            "m.compile(optimizer='adam', loss='mse')\n"
            "x = np.random.default_rng(0).normal(size=(8, 6, 4)).astype('float32')\n"
            "m.fit(x, np.zeros((8, 1)), epochs=1, verbose=0)\n"
            f"m.save('{tmp}/s.keras'); np.save('{tmp}/sx.npy', x); np.save('{tmp}/sp.npy', m.predict(x, verbose=0))\n")
        subprocess.run([os.path.join(root, ".venv", "bin", "python"), "-c", script], check=True, cwd=root)
        model = keras.models.load_model(f"{tmp}/s.keras")
        x = np.load(f"{tmp}/sx.npy")
        np.testing.assert_allclose(model.predict(x, verbose=0), np.load(f"{tmp}/sp.npy"), rtol=1e-4, atol=1e-5)
        model.save(f"{tmp}/sk.keras")
        back = ("import numpy as np, glassnet as g\n"
                f"m = g.models.load_model('{tmp}/sk.keras')\n"
                f"np.testing.assert_allclose(m.predict(np.load('{tmp}/sx.npy'), verbose=0), np.load('{tmp}/sp.npy'), "
                "rtol=1e-4, atol=1e-5)\n")
        subprocess.run([os.path.join(root, ".venv", "bin", "python"), "-c", back], check=True, cwd=root)
        print("the noise layers, GroupNormalization, UnitNormalization and EinsumDense go glassnet -> Keras 3 -> "
              "glassnet with the same predictions")


if __name__ == "__main__":
    check() if "--check" in sys.argv else make()
