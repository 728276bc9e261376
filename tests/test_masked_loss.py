"""A masked loss (Keras 3's): when the model's output carries a mask (``Embedding(mask_zero=True)``
or ``Masking`` -> a recurrent layer with ``return_sequences=True`` -> ``Dense`` /
``TimeDistributed(Dense)``), the loss and the compiled metrics count only the unmasked steps:
"sum_over_batch_size" is ``sum(mask * L) / sum(mask)``, and a padded step sends no gradient back.
Real Keras 3.15's numbers (the loss and every weight's gradient on a tape, evaluate,
test_on_batch, train_on_batch, two epochs of fit) from tests/fixtures/keras_masked_loss.npz
(tools/make_keras_masked_loss.py)."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
import glassnet as tf
from conftest import load_tool

HERE = pathlib.Path(__file__).parent
FIXTURE = np.load(HERE / "fixtures" / "keras_masked_loss.npz")
NAMES = ["lstm_softmax", "gru_sigmoid", "masking_time_distributed", "simple_rnn_logits"]


def _case(name):
    layers, loss, metrics, xin, yin = load_tool("make_keras_masked_loss").models(glassnet.keras)[name]
    model = glassnet.keras.Sequential(layers)
    model.set_weights([FIXTURE[f"{name}/start_{i}"] for i in range(len(model.get_weights()))])
    given = {"ids": FIXTURE["x"], "numbers": FIXTURE["numbers"], "labels": FIXTURE["labels"],
             "targets": FIXTURE["targets"], "binary": FIXTURE["binary"]}
    return model, loss, metrics, given[xin], given[yin]


def _compiled(name):
    model, loss, metrics, x, y = _case(name)
    model.compile(glassnet.keras.optimizers.SGD(0.5), loss, metrics=metrics)
    return model, metrics[0], x, y


@pytest.mark.parametrize("name", NAMES)
def test_loss_and_gradients_on_a_tape_match_keras(name):
    model, loss, _, x, y = _case(name)
    with tf.GradientTape() as tape:
        value = loss(y, model(x, training=True))
    np.testing.assert_allclose(float(value), FIXTURE[f"{name}/loss"], rtol=1e-5)
    for i, g in enumerate(tape.gradient(value, model.trainable_weights)):
        np.testing.assert_allclose(np.asarray(g), FIXTURE[f"{name}/grad_{i}"], atol=2e-6, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_evaluate_and_the_batch_calls_match_keras(name):
    model, metric, x, y = _compiled(name)
    ev = model.evaluate(x, y, batch_size=5, verbose=0, return_dict=True)
    np.testing.assert_allclose([ev["loss"], ev[metric]], FIXTURE[f"{name}/evaluate"], rtol=1e-5)
    tb = model.test_on_batch(x[:4], y[:4], return_dict=True)
    np.testing.assert_allclose([tb["loss"], tb[metric]], FIXTURE[f"{name}/test_on_batch"], rtol=1e-5)
    tr = model.train_on_batch(x[:4], y[:4], return_dict=True)
    np.testing.assert_allclose([tr["loss"], tr[metric]], FIXTURE[f"{name}/train_on_batch"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, FIXTURE[f"{name}/after_batch_{i}"], atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_two_epochs_of_fit_match_keras(name):
    model, metric, x, y = _compiled(name)
    model.train_on_batch(x[:4], y[:4])
    h = model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history
    np.testing.assert_allclose([h["loss"], h[metric]], FIXTURE[f"{name}/history"], rtol=2e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, FIXTURE[f"{name}/end_{i}"], atol=2e-6)
    ev = model.evaluate(x, y, batch_size=5, verbose=0, return_dict=True)
    np.testing.assert_allclose([ev["loss"], ev[metric]], FIXTURE[f"{name}/evaluate_end"], rtol=2e-5)


@pytest.mark.parametrize("fast", [True, False], ids=["fast_path", "readable"])
def test_the_readable_step_and_the_fast_one_both_mask(fast):
    glassnet.config.set_fast_path(fast)
    try:
        model, metric, x, y = _compiled("lstm_softmax")
        model.train_on_batch(x[:4], y[:4])
        h = model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history
    finally:
        glassnet.config.set_fast_path(True)
    np.testing.assert_allclose([h["loss"], h[metric]], FIXTURE["lstm_softmax/history"], rtol=2e-5)


def _per_step_losses(model, x, y):
    p = model.predict(x, verbose=0)
    return -np.log(np.take_along_axis(p, y[..., None], -1)[..., 0])


def test_the_loss_is_the_mean_over_unmasked_steps_and_padded_labels_change_nothing():
    model, metric, x, y = _compiled("lstm_softmax")
    mask = x != 0
    steps = _per_step_losses(model, x, y)
    got = model.evaluate(x, y, batch_size=12, verbose=0, return_dict=True)
    np.testing.assert_allclose(got["loss"], (steps * mask).sum() / mask.sum(), rtol=1e-6)
    assert abs(got["loss"] - steps.mean()) > 1e-4                   # the unmasked mean differs
    hits = model.predict(x, verbose=0).argmax(-1) == y
    np.testing.assert_allclose(got[metric], (hits * mask).sum() / mask.sum(), rtol=1e-6)
    other = np.where(mask, y, (y + 1) % 3)                           # new labels on the padded steps only
    a, b = _compiled("lstm_softmax")[0], _compiled("lstm_softmax")[0]
    a.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    b.fit(x, other, epochs=1, batch_size=4, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)                        # a padded step sends no gradient back


def test_sample_weights_multiply_each_samples_unmasked_steps():
    model, _, x, y = _compiled("lstm_softmax")
    mask = x != 0
    sw = np.linspace(0.5, 2.0, 12)
    steps = _per_step_losses(model, x, y)
    got = model.evaluate(x, y, sample_weight=sw, batch_size=12, verbose=0)
    np.testing.assert_allclose(got[0], (steps * mask * sw[:, None]).sum() / mask.sum(), rtol=1e-6)
    loss = glassnet.keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        direct = loss(y, model(x), sample_weight=sw)
    np.testing.assert_allclose(float(direct), got[0], rtol=1e-6)
    assert all(np.all(np.isfinite(np.asarray(g))) for g in tape.gradient(direct, model.trainable_weights))


def test_a_batch_with_every_step_masked_has_loss_zero_and_no_gradient():
    model, _, x, y = _compiled("lstm_softmax")
    before = [w.copy() for w in model.get_weights()]
    padded = np.zeros_like(x[:3])
    assert model.test_on_batch(padded, y[:3]) == [0.0, 0.0]
    assert model.train_on_batch(padded, y[:3])[0] == 0.0
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)


@pytest.mark.parametrize("reduction, divide", [("sum", lambda mask: 1.0),
                                               ("mean_with_sample_weight", lambda mask: mask.sum())])
def test_other_reductions_with_a_mask(reduction, divide):
    model, _, x, y = _case("masking_time_distributed")[:1] + (None,) + _case("masking_time_distributed")[3:]
    mask = np.any(FIXTURE["numbers"] != 0, axis=-1)
    loss = glassnet.keras.losses.MeanSquaredError(reduction=reduction)
    p = model(x)
    steps = ((np.asarray(p) - y) ** 2)[..., 0]
    np.testing.assert_allclose(float(loss(y, p)), (steps * mask).sum() / divide(mask), rtol=1e-5)
    none = glassnet.keras.losses.MeanSquaredError(reduction="none")(y, p)
    np.testing.assert_allclose(np.asarray(none), steps * mask, rtol=1e-5)


def test_a_mask_that_does_not_fit_the_loss_is_refused_by_shape():
    p = tf.constant(np.full((2, 3, 2), 0.5, "float32"))
    p._keras_mask = tf.constant(np.ones((2, 4), bool))
    with pytest.raises(ValueError, match=r"mask has shape \(2, 4\).*values of shape \(2, 3\)"):
        glassnet.keras.losses.MeanSquaredError()(np.zeros((2, 3, 2)), p)


def test_a_functional_model_whose_two_outputs_keep_the_mask_matches_keras():
    model = load_tool("make_keras_masked_loss").two_heads(glassnet.keras)
    assert model.__dict__.get("_graph") is not None              # a graph, not a chain: engine/graph.py's forward
    n = len(model.get_weights())
    model.set_weights([FIXTURE[f"two_heads/start_{i}"] for i in range(n)])
    x, ys = FIXTURE["x"], [FIXTURE["labels"], FIXTURE["targets"]]
    assert all(getattr(o, "_keras_mask", None) is not None for o in model(x))
    total = model.evaluate(x, ys, batch_size=5, verbose=0)[0]      # (the per-output logs: not masked yet)
    np.testing.assert_allclose(total, FIXTURE["two_heads/evaluate"][0], rtol=1e-5)
    h = model.fit(x, ys, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h, FIXTURE["two_heads/history"], rtol=2e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, FIXTURE[f"two_heads/end_{i}"], atol=2e-6)
