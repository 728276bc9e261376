"""An optimizer's ``loss_scale_factor`` in ``fit`` (and ``train_on_batch``, and a ``train_step``
that calls ``super().train_step``), as Keras 3's ``train_step`` applies it: the gradients are
those of ``optimizer.scale_loss(loss) = loss * factor`` (the factor entering where the backward
pass starts, divided by the batch size first), and the optimizer takes the factor back out
before its update; the loss reported is the loss itself. Keras's compiled step divides by
multiplying with the reciprocal in float32, so a factor of 1e38 (reciprocal 1e-38, subnormal,
flushed to zero) and one of 2**-124 (a seed of 2**-128, flushed) leave the weights as they were;
128 changes nothing; 3 only the last bits.

TF_OUTPUT was printed by TF 2.21 / Keras 3.15 running ``LOSS_SCALE`` of tools/make_keras_fit_loop.py
(``/work/peers/bin/python tools/make_keras_fit_loop.py LOSS_SCALE``), the same program run here
renamed; each number within float32's rounding (glassnet's float32 sums are not TensorFlow's,
to the last bits).
"""
import numpy as np
import pytest

from conftest import _numbers_close, load_tool, run_printing

import glassnet

PROGRAM = load_tool("make_keras_fit_loop").LOSS_SCALE

TF_OUTPUT = [
    'sgd None loss [1.0497866868972778, 0.4519834518432617, 0.2893660068511963]',
    '  kernel [-0.21942970156669617, -0.38299131393432617, 1.4264194965362549] bias [0.0445568710565567]',
    'sgd 128 same as without: True',
    'sgd 3.0 loss [1.0497866868972778, 0.4519834518432617, 0.2893660068511963]',
    '  kernel [-0.21942970156669617, -0.38299131393432617, 1.4264194965362549] bias [0.044556874781847]',
    'sgd 1e+38 loss [1.3771835565567017, 1.3771835565567017, 1.3771835565567017]',
    '  kernel [-0.3193954527378082, -0.3272075951099396, 1.355963110923767] bias [0.0]',
    'sgd 4.70197740328915e-38 loss [1.3771835565567017, 1.3771835565567017, 1.3771835565567017]',
    '  kernel [-0.3193954527378082, -0.3272075951099396, 1.355963110923767] bias [0.0]',
    'adam None loss [1.312939167022705, 1.117649793624878, 0.9530012011528015]',
    '  kernel [-0.25544115900993347, -0.4113992154598236, 1.278449296951294] bias [0.038739562034606934]',
    'adam 3.0 loss [1.312939167022705, 1.117649793624878, 0.9530012011528015]',
    '  kernel [-0.25544115900993347, -0.4113992154598236, 1.278449296951294] bias [0.038739562034606934]',
    'sgd 3.0, a train_step calling super() loss [1.0497866868972778, 0.4519834518432617, 0.2893660068511963]',
    '  kernel [-0.21942970156669617, -0.38299131393432617, 1.4264194965362549] bias [0.044556874781847]',
    'sgd 1e+38, a train_step calling super() loss [1.3771835565567017, 1.3771835565567017, 1.3771835565567017]',
    '  kernel [-0.3193954527378082, -0.3272075951099396, 1.355963110923767] bias [0.0]',
    'train_on_batch 1e38 1.4516358375549316 [0.0]',
    '',
]


def test_the_program_prints_what_keras_printed():
    got = run_printing(PROGRAM)
    assert len(got) == len(TF_OUTPUT), "\n".join(got)
    for line, want in zip(got, TF_OUTPUT):
        assert line == want or _numbers_close(line, want, rtol=1e-6), (line, want)


def _model(factor):
    rng = np.random.default_rng(2)
    model = glassnet.Sequential([glassnet.Input((4,)), glassnet.layers.Dense(3, activation="tanh"),
                                 glassnet.layers.Dense(1, kernel_regularizer="l2")])
    model.compile(optimizer=glassnet.optimizers.SGD(0.05, loss_scale_factor=factor), loss="mse")
    x = rng.normal(size=(32, 4)).astype("float32")
    return model, x, (x @ rng.normal(size=(4, 1))).astype("float32")


def test_a_power_of_two_changes_nothing_with_a_penalty_too():
    plain, x, y = _model(None)
    scaled, _, _ = _model(256.0)
    scaled.set_weights(plain.get_weights())
    a = plain.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    b = scaled.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert a.history["loss"] == b.history["loss"]
    assert all(np.array_equal(p, q) for p, q in zip(plain.get_weights(), scaled.get_weights()))


def test_an_overflowing_scale_stops_fit_as_a_non_finite_loss_does(capsys):
    # Keras: loss * 3e38 is inf in float32, its gradients inf and NaN, the weights NaN (TF printed
    # loss [nan, nan, nan]); glassnet stops at the loss that follows and restores the weights
    model, x, y = _model(3e38)
    before = model.get_weights()
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert history.history["loss"] == []
    assert "the loss became nan at epoch 1, batch 2" in capsys.readouterr().err
    assert all(np.array_equal(p, q) for p, q in zip(before, model.get_weights()))


def test_gradients_taken_without_an_update_are_not_scaled():
    model, x, y = _model(1e38)
    value = glassnet.engine.step.train_step(model, x, y, update=False)[0]
    assert np.isfinite(value)
    grads = [v.grad for v in model.trainable_weights]
    plain, _, _ = _model(None)
    plain.set_weights(model.get_weights())
    glassnet.engine.step.train_step(plain, x, y, update=False)
    for g, h in zip(grads, [v.grad for v in plain.trainable_weights]):
        np.testing.assert_array_equal(g, h)


@pytest.mark.parametrize("factor", [0, -1.0, float("inf"), "2"])
def test_a_bad_factor_is_refused_by_name(factor):
    with pytest.raises(ValueError, match="loss_scale_factor"):
        glassnet.optimizers.SGD(0.1, loss_scale_factor=factor)
