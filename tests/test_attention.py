"""MultiHeadAttention (glassnet/layers/attention.py), Attention and AdditiveAttention
(dot_attention.py): Keras 3.15's outputs and gradients (tests/fixtures/keras_attention.npz from
tools/make_keras_attention.py), central differences with masks, masks from Embedding(mask_zero=True)
eagerly and in graphs, calls inside a layer written with ``call`` (the transformer tutorials'
BaseAttention), .keras files, bad arguments, and keras.io's "Text classification with Transformer"."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassnet
import glassnet as tf
from glassnet import layers
from conftest import central_difference_in_place

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "keras_attention.npz")


def _case(name):
    prefix = f"{name}/"
    return {k[len(prefix):]: FIXTURE[k] for k in FIXTURE.files if k.startswith(prefix)}


MAKERS = {
    "mha": lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3),
    "mha_key": lambda: layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, output_shape=7),
    "mha_causal": lambda: layers.MultiHeadAttention(num_heads=2, key_dim=4),
    "mha_masks": lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3),
    "mha_masks_scores": lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3),
    "mha_attention_mask": lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3),
    "att": lambda: layers.Attention(),
    "att_scale_key": lambda: layers.Attention(use_scale=True),
    "att_concat": lambda: layers.Attention(use_scale=True, score_mode="concat"),
    "att_masks": lambda: layers.Attention(),
    "att_causal": lambda: layers.Attention(),
    "add": lambda: layers.AdditiveAttention(),
    "add_masks": lambda: layers.AdditiveAttention(),
}


def _call(name, layer, case, xs):
    if name.startswith("mha"):
        kwargs = {k: case[k] for k in ("value_mask", "attention_mask") if k in case}
        if name == "mha_causal":
            kwargs["use_causal_mask"] = True
        query = xs[0]
        if "query_keras_mask" in case:              # the query carries its mask, as an Embedding's output
            query = tf.constant(xs[0])
            query._keras_mask = tf.constant(case["query_keras_mask"])
        if name == "mha_masks_scores":
            return layer(query, xs[1], return_attention_scores=True, **kwargs)[0]
        return layer(query, xs[1] if len(xs) > 1 else xs[0], *xs[2:], **kwargs)
    kwargs = {"use_causal_mask": True} if name == "att_causal" else {}
    if "query_mask" in case:
        kwargs["mask"] = [case["query_mask"], case["value_mask"]]
    return layer(list(xs), **kwargs)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_forward_and_gradients_match_keras(name):
    case = _case(name)
    xs = [case[f"x{i}"] for i in range(3) if f"x{i}" in case]
    layer = MAKERS[name]()
    _call(name, layer, case, xs)
    layer.set_weights([case[f"w{i}"] for i in range(len(layer.weights))])
    y = np.asarray(_call(name, layer, case, xs))
    np.testing.assert_allclose(y, case["y"], rtol=1e-4, atol=1e-5)
    dxs = layer.backward(case["dy"])
    if len(xs) == 1:                       # self-attention: the query was the value too
        dxs = [dxs[0] + dxs[1]]
    for i, dx in enumerate(dxs):
        np.testing.assert_allclose(dx, case[f"dx{i}"], rtol=1e-3, atol=1e-4, err_msg=f"dx{i}")
    for i, v in enumerate(layer.trainable_weights):
        np.testing.assert_allclose(v.grad, case[f"dw{i}"], rtol=1e-3, atol=1e-4, err_msg=v.path)


def test_weights_are_laid_out_as_kerass_einsum_dense():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, name="mha")
    mha(np.ones((1, 5, 8)), np.ones((1, 6, 7)))
    assert [(v.path, v.shape) for v in mha.weights] == [
        ("mha/query/kernel", (8, 2, 4)), ("mha/query/bias", (2, 4)),
        ("mha/key/kernel", (7, 2, 4)), ("mha/key/bias", (2, 4)),
        ("mha/value/kernel", (7, 2, 3)), ("mha/value/bias", (2, 3)),
        ("mha/attention_output/kernel", (2, 3, 8)), ("mha/attention_output/bias", (8,))]
    assert mha.count_params() == mha.count_params_for([(None, 5, 8), (None, 6, 7)])
    cfg = mha.get_config()
    assert cfg["num_heads"] == 2 and cfg["key_dim"] == 4 and cfg["value_dim"] == 3 and cfg["attention_axes"] == [1]
    again = layers.MultiHeadAttention.from_config(cfg)
    assert again.value_dim == 3 and again.use_bias


def _central_differences(f, arrays, eps=1e-6):
    return [central_difference_in_place(f, a, eps) for a in arrays]


@pytest.mark.parametrize("kwargs", [{}, {"use_causal_mask": True},
                                    {"query_mask": np.array([[1, 1, 0], [1, 1, 1]], bool),
                                     "value_mask": np.array([[1, 0, 1, 1], [1, 1, 1, 0]], bool),
                                     "key_mask": np.array([[1, 1, 1, 1], [0, 1, 1, 1]], bool)},
                                    {"attention_mask": np.random.default_rng(5).random((2, 3, 4)) > 0.4}])
def test_gradients_with_masks_match_central_differences(kwargs):
    glassnet.config.set_floatx("float64")
    try:
        rng = np.random.default_rng(1)
        q, v, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 5)), rng.normal(size=(2, 4, 3))
        if kwargs.get("use_causal_mask"):
            v, k = rng.normal(size=(2, 3, 5)), rng.normal(size=(2, 3, 3))
        mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)
        mha(q, v, k)
        for w in mha.weights:
            w.value = rng.normal(size=w.shape)
        dy = rng.normal(size=(2, 3, 4))
        ds = rng.normal(size=(2, 2, 3, v.shape[1]))

        given = dict(kwargs)
        query = q
        if "query_mask" in given:                   # carried by the query, as Keras reads it
            query = tf.constant(q)
            query._keras_mask = tf.constant(given.pop("query_mask"))

        def f():
            out, scores = mha(query if query is q else _carrying(query, q), v, k, return_attention_scores=True,
                              **given)
            return float((np.asarray(out) * dy).sum() + (np.asarray(scores) * ds).sum())
        f()
        dxs = mha.backward([dy, ds])
        weights = [w.value for w in mha.trainable_weights]
        dws = [w.grad.copy() for w in mha.trainable_weights]
        want = _central_differences(f, [q, v, k] + weights)
        for got, expected in zip(list(dxs) + dws, want):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    finally:
        glassnet.config.set_floatx("float32")


def _carrying(tensor, values):
    """``values`` (perturbed in place by the central differences) with ``tensor``'s mask."""
    t = tf.constant(values)
    t._keras_mask = tensor._keras_mask
    return t


def test_a_causal_mask_keeps_the_future_out():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 5, 4)).astype(np.float32)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    before = np.asarray(mha(x, x, use_causal_mask=True))
    later = x.copy()
    later[:, 3:] += 5.0                             # change the last two steps only
    after = np.asarray(mha(later, later, use_causal_mask=True))
    np.testing.assert_allclose(after[:, :3], before[:, :3], rtol=1e-6)
    assert not np.allclose(after[:, 3:], before[:, 3:])
    _, scores = mha(x, x, use_causal_mask=True, return_attention_scores=True)
    assert np.allclose(np.triu(np.asarray(scores)[0, 0], 1), 0)


def test_padding_masks_from_an_embedding_reach_attention_eagerly_and_in_a_graph():
    ids = np.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0]])
    glassnet.utils.set_random_seed(0)
    emb = layers.Embedding(8, 6, mask_zero=True)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    x = emb(ids)
    out, scores = mha(x, x, return_attention_scores=True)
    scores = np.asarray(scores)
    assert np.allclose(scores[0, :, :, 3:], 0) and np.allclose(scores[1, :, :, 2:][:, :2], 0)
    np.testing.assert_array_equal(np.asarray(out._keras_mask), ids != 0)    # the query's mask goes on
    # a query step that sees nothing: zeros when the scores are returned, uniform weights otherwise (Keras 3.15)
    plain = np.asarray(mha(x, x))
    np.testing.assert_allclose(plain[ids != 0], np.asarray(out)[ids != 0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(plain[ids == 0], np.asarray(out)[ids == 0])
    # the same layers in a functional model: the same numbers
    inputs = glassnet.Input(shape=(5,), dtype="int32")
    e = emb(inputs)
    model = glassnet.Model(inputs, mha(e, e))
    np.testing.assert_allclose(model.predict(ids, verbose=0), plain, rtol=1e-5, atol=1e-6)
    # padding does not change what the kept steps see
    longer = np.concatenate([ids, np.zeros((2, 2), int)], axis=1)
    x2 = emb(longer)
    np.testing.assert_allclose(np.asarray(mha(x2, x2))[:, :5][ids != 0], np.asarray(out)[ids != 0], rtol=1e-5,
                               atol=1e-6)


def test_attention_takes_the_embeddings_masks_and_zeroes_padded_queries():
    ids = np.array([[3, 5, 0], [4, 0, 0]])
    emb = layers.Embedding(8, 4, mask_zero=True)
    x = emb(ids)
    out, w = layers.Attention()([x, x], return_attention_scores=True)
    assert np.allclose(np.asarray(out)[ids == 0], 0)
    assert np.allclose(np.asarray(w)[1, :, 1:], 0)


class BaseAttention(tf.keras.layers.Layer):
    """The "Neural machine translation with a Transformer" tutorial's, as written there."""

    def __init__(self, **kwargs):
        super().__init__()
        self.mha = tf.keras.layers.MultiHeadAttention(**kwargs)
        self.layernorm = tf.keras.layers.LayerNormalization()
        self.add = tf.keras.layers.Add()


class CrossAttention(BaseAttention):
    def call(self, x, context):
        attn_output, attn_scores = self.mha(query=x, key=context, value=context, return_attention_scores=True)
        self.last_attn_scores = attn_scores
        x = self.add([x, attn_output])
        return self.layernorm(x)


class CausalSelfAttention(BaseAttention):
    def call(self, x):
        attn_output = self.mha(query=x, value=x, key=x, use_causal_mask=True)
        x = self.add([x, attn_output])
        return self.layernorm(x)


def test_the_tutorials_attention_layers_run_and_differentiate_on_a_tape():
    rng = np.random.default_rng(3)
    x = tf.constant(rng.normal(size=(2, 4, 8)).astype(np.float32))
    context = tf.constant(rng.normal(size=(2, 6, 8)).astype(np.float32))
    cross = CrossAttention(num_heads=2, key_dim=8)
    out = cross(x, context)
    assert out.shape == (2, 4, 8) and cross.last_attn_scores.shape == (2, 2, 4, 6)
    causal = CausalSelfAttention(num_heads=2, key_dim=8)
    assert causal(x).shape == (2, 4, 8)
    variables = cross.trainable_variables
    assert len(variables) == 10                     # the four projections' kernels and biases, gamma, beta
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(cross(x, context) ** 2)
    grads = tape.gradient(loss, variables)
    assert all(g is not None for g in grads)
    # the query's kernel: its tape gradient equals central differences of the same loss
    kernel = cross.mha.query_kernel
    i = (1, 0, 2)

    def loss_at(value):
        saved = kernel.value.copy()
        kernel.value[i] = value
        result = float(np.sum(np.asarray(cross(x, context), np.float64) ** 2))
        kernel.value = saved
        return result
    w = float(kernel.value[i])
    numeric = (loss_at(w + 1e-2) - loss_at(w - 1e-2)) / 2e-2
    got = float(np.asarray(grads[[v is kernel for v in variables].index(True)])[i])
    assert abs(got - numeric) < 2e-2 * max(1.0, abs(numeric))


def test_cross_attention_called_as_the_tutorial_calls_it_trains_what_feeds_its_context():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 4, 8)).astype(np.float32)
    context = rng.normal(size=(2, 6, 8)).astype(np.float32)
    cross = CrossAttention(num_heads=2, key_dim=8)
    np.testing.assert_allclose(np.asarray(cross(x=x, context=context)), np.asarray(cross(x, context)), rtol=1e-6)
    with pytest.raises(TypeError, match="two values"):
        cross(x, context, context=context)

    class Translator(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = tf.keras.layers.Dense(8, activation="tanh")
            self.cross_attention = CrossAttention(num_heads=2, key_dim=4)
            self.final = tf.keras.layers.Dense(3)

        def call(self, inputs):                 # (one array: fit takes a subclassed model one x here)
            context, x = inputs[:, :6], inputs[:, 6:]
            context = self.encoder(context)
            return self.final(self.cross_attention(x=x, context=context))

    tf.keras.utils.set_random_seed(0)
    model = Translator()
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    xs = rng.normal(size=(16, 10, 8)).astype(np.float32)         # 6 context steps, then 4 query steps
    y = rng.normal(size=(16, 4, 3)).astype(np.float32)
    model(xs[:1])
    kernel = model.encoder.kernel.numpy().copy()
    history = model.fit(xs, y, epochs=5, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < history[0]
    assert not np.allclose(model.encoder.kernel.numpy(), kernel)      # the gradient reached the context


@pytest.mark.parametrize("make, match", [
    (lambda: layers.MultiHeadAttention(num_heads=0, key_dim=2), "num_heads"),
    (lambda: layers.MultiHeadAttention(num_heads=2, key_dim=2.5), "key_dim"),
    (lambda: layers.MultiHeadAttention(2, 2, dropout=1.0), "dropout"),
    (lambda: layers.MultiHeadAttention(2, 2, attention_axes=(1, 2)), "attention_axes"),
    (lambda: layers.MultiHeadAttention(2, 2, kernel_constraint="non_neg"), "kernel_constraint"),
    (lambda: layers.Attention(score_mode="cosine"), "score_mode"),
    (lambda: layers.AdditiveAttention(dropout=-0.1), "dropout"),
])
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_calls_are_refused_clearly():
    mha = layers.MultiHeadAttention(2, 2)
    with pytest.raises(TypeError, match="query and a value"):
        mha(np.ones((1, 3, 4)))
    with pytest.raises(ValueError, match=r"\(batch, steps, features\)"):
        mha(np.ones((1, 4)), np.ones((1, 4)))
    with pytest.raises(ValueError, match="key and value need the same steps"):
        mha(np.ones((1, 3, 4)), np.ones((1, 5, 4)), np.ones((1, 2, 4)))
    assert not mha.built                             # nothing half-built
    with pytest.raises(ValueError, match=r"\[query, value\]"):
        layers.Attention()(np.ones((1, 3, 4)))


def test_dropout_acts_in_training_only_and_is_seeded():
    x = np.random.default_rng(0).normal(size=(2, 4, 6)).astype(np.float32)
    def made():                     # Keras 3: seeds (weights', dropout's) are taken when made and built
        glassnet.utils.set_random_seed(1)
        mha = layers.MultiHeadAttention(2, 3, dropout=0.5)
        return mha, np.asarray(mha(x, x))
    mha, a = made()
    np.testing.assert_array_equal(a, np.asarray(mha(x, x)))
    t1 = np.asarray(mha(x, x, training=True))
    assert not np.array_equal(t1, np.asarray(mha(x, x, training=True)))       # the dropout seed moves on
    again, _ = made()
    np.testing.assert_array_equal(t1, np.asarray(again(x, x, training=True)))
    assert not np.allclose(t1, a)


def test_a_functional_model_with_attention_saves_and_loads(tmp_path):
    glassnet.utils.set_random_seed(0)
    q, v = glassnet.Input(shape=(4, 6)), glassnet.Input(shape=(3, 5))
    a = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(q, v, v)
    b = layers.AdditiveAttention(name="add_att")([q, layers.Dense(6)(v)])
    c = layers.Attention(use_scale=True, name="dot_att")([q, q])
    out = layers.Dense(1)(layers.Flatten()(layers.Concatenate()([a, b, c])))
    model = glassnet.Model([q, v], out)
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(16, 4, 6)), rng.normal(size=(16, 3, 5))]
    history = model.fit(xs, rng.normal(size=(16, 1)), epochs=5, verbose=0).history["loss"]
    assert history[-1] < history[0]
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0), rtol=1e-5, atol=1e-6)


# -- keras.io "Text classification with Transformer", renamed ---------------------------------------
class TransformerBlock(tf.keras.layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = tf.keras.layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = tf.keras.Sequential([tf.keras.layers.Dense(ff_dim, activation="relu"),
                                        tf.keras.layers.Dense(embed_dim)])
        self.layernorm1 = tf.keras.layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = tf.keras.layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = tf.keras.layers.Dropout(rate)
        self.dropout2 = tf.keras.layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(tf.keras.layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = tf.keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = tf.keras.layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = tf.shape(x)[-1]
        positions = tf.range(start=0, limit=maxlen, delta=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def test_kerasio_text_classification_with_transformer_trains():
    tf.keras.utils.set_random_seed(0)
    vocab_size, maxlen, embed_dim, num_heads, ff_dim = 50, 12, 8, 2, 16
    rng = np.random.default_rng(0)
    x_train = rng.integers(1, vocab_size, size=(64, maxlen))
    y_train = (x_train[:, 0] > vocab_size // 2).astype(int)          # learnable from the first token

    inputs = tf.keras.layers.Input(shape=(maxlen,))
    embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
    x = embedding_layer(inputs)
    transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
    x = transformer_block(x)
    x = tf.keras.layers.GlobalAveragePooling1D()(x)
    x = tf.keras.layers.Dropout(0.1)(x)
    x = tf.keras.layers.Dense(20, activation="relu")(x)
    x = tf.keras.layers.Dropout(0.1)(x)
    outputs = tf.keras.layers.Dense(2, activation="softmax")(x)
    model = tf.keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=15, verbose=0).history
    # noisy on 64 samples (Keras 3.15 too: 0.683, 0.672, 0.688 ... 0.653, 0.621 from this seed): on average
    assert np.mean(history["loss"][-5:]) < np.mean(history["loss"][:3])
    assert np.isfinite(history["loss"]).all()
    att = transformer_block.att
    assert att.query_kernel.shape == (embed_dim, num_heads, embed_dim)
    assert model.predict(x_train[:3], verbose=0).shape == (3, 2)


# -- keras.io "Timeseries classification with a Transformer model", renamed --------------------------
def transformer_encoder(inputs, head_size, num_heads, ff_dim, dropout=0):
    x = tf.keras.layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads, dropout=dropout)(inputs, inputs)
    x = tf.keras.layers.Dropout(dropout)(x)
    x = tf.keras.layers.LayerNormalization(epsilon=1e-6)(x)
    res = x + inputs
    x = tf.keras.layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
    x = tf.keras.layers.Dropout(dropout)(x)
    x = tf.keras.layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    x = tf.keras.layers.LayerNormalization(epsilon=1e-6)(x)
    return x + res


def test_kerasio_timeseries_transformer_trains():
    tf.keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(48, 20, 1)).astype(np.float32)
    y_train = (x_train[:, :10, 0].mean(axis=1) > 0).astype(int)
    inputs = tf.keras.Input(shape=x_train.shape[1:])
    x = inputs
    for _ in range(2):
        x = transformer_encoder(x, head_size=8, num_heads=2, ff_dim=4, dropout=0.25)
    x = tf.keras.layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    x = tf.keras.layers.Dense(16, activation="relu")(x)
    x = tf.keras.layers.Dropout(0.4)(x)
    outputs = tf.keras.layers.Dense(2, activation="softmax")(x)
    model = tf.keras.Model(inputs, outputs)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=tf.keras.optimizers.Adam(learning_rate=3e-3),
                  metrics=["sparse_categorical_accuracy"])
    callbacks = [tf.keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)]
    history = model.fit(x_train, y_train, validation_split=0.2, epochs=8, batch_size=16, callbacks=callbacks,
                        verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    assert model.predict(x_train[:5], verbose=0).shape == (5, 2)
    # (saving it waits on symbolic `x + inputs`, a Lambda glassnet does not write into files)


def test_a_keras_written_model_with_keyword_and_list_calls_loads_and_saves(tmp_path):
    # MultiHeadAttention(query=a, value=b, key=b), Attention([a, b]), AdditiveAttention([a, b, b]), then an
    # RMS-scaled LayerNormalization over two axes: Keras 3.15's file and numbers
    folder = Path(__file__).parent / "fixtures" / "attention_files"
    data = np.load(folder / "attention_two_inputs.npz")
    xs = [data["x0"], data["x1"]]
    model = glassnet.models.load_model(folder / "attention_two_inputs.keras")
    np.testing.assert_allclose(model.predict(xs, verbose=0), data["pred"], rtol=1e-4, atol=1e-5)
    model.save(tmp_path / "again.keras")
    again = glassnet.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(xs, verbose=0), data["pred"], rtol=1e-4, atol=1e-5)
