"""Every activation, loss and layer gradient against central differences in float64.
(The whole model's gradient, as ``train_step`` computes it, is checked in ``test_step.py``.)"""
import numpy as np

from glassnet.step import add_penalty_gradients
import pytest

from glassnet import activations, layers, losses, regularizers
from conftest import central_difference, rel_error

TOL = 1e-6

ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu",
               "softplus", "softsign", "hard_sigmoid", "exponential", "softmax", "log_softmax"]


def _points(shape, seed=0):
    x = np.random.default_rng(seed).normal(0, 1.5, shape)
    # keep away from kinks (relu at 0, hard_sigmoid at +-3) where the derivative jumps
    x[np.abs(x) < 1e-2] += 0.1
    x[np.abs(np.abs(x) - 3) < 1e-2] += 0.1
    return x


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_backward_matches_central_differences(name):
    fn = activations.get(name)
    back = activations.backward_of(fn)
    x = _points((4, 5))
    upstream = np.random.default_rng(1).normal(size=x.shape)
    analytic = back(x, fn(x), upstream)
    numeric = central_difference(lambda v: float(np.sum(fn(v) * upstream)), x)
    assert analytic.shape == x.shape
    assert rel_error(analytic, numeric) <= TOL


def test_gelu_approximate_backward():
    x = _points((3, 4))
    g = np.ones_like(x)
    analytic = activations._gelu_backward(x, None, g, approximate=True)
    numeric = central_difference(lambda v: float(np.sum(activations.gelu(v, approximate=True))), x)
    assert rel_error(analytic, numeric) <= TOL


def _labels(kind, shape, rng):
    if kind == "binary":
        return rng.integers(0, 2, shape).astype(np.float64)
    if kind == "soft":
        return rng.uniform(0, 1, shape)
    if kind == "onehot":
        return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[0])]
    if kind == "sparse":
        return rng.integers(0, shape[-1], shape[0])
    return rng.normal(size=shape)


LOSS_CASES = [
    (losses.BinaryCrossentropy(), "binary", "prob"),
    (losses.BinaryCrossentropy(label_smoothing=0.2), "binary", "prob"),
    (losses.BinaryCrossentropy(), "soft", "prob"),
    (losses.BinaryCrossentropy(from_logits=True), "binary", "logit"),
    (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), "binary", "logit"),
    (losses.CategoricalCrossentropy(), "onehot", "prob_unnormalised"),
    (losses.CategoricalCrossentropy(label_smoothing=0.1), "onehot", "simplex"),
    (losses.CategoricalCrossentropy(from_logits=True), "onehot", "logit"),
    (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), "soft", "logit"),
    (losses.SparseCategoricalCrossentropy(), "sparse", "simplex"),
    (losses.SparseCategoricalCrossentropy(from_logits=True), "sparse", "logit"),
    (losses.MeanSquaredError(), "real", "logit"),
    (losses.MeanAbsoluteError(), "real", "logit"),
    (losses.Huber(), "real", "logit"),
    (losses.Huber(delta=0.3), "real", "logit"),
]


def _predictions(kind, shape, rng):
    if kind == "prob":
        return rng.uniform(0.05, 0.95, shape)
    if kind == "prob_unnormalised":
        return rng.uniform(0.1, 2.0, shape)
    if kind == "simplex":
        p = rng.uniform(0.1, 1.0, shape)
        return p / p.sum(-1, keepdims=True)
    return rng.normal(0, 2, shape)


@pytest.mark.parametrize("loss,label_kind,pred_kind", LOSS_CASES, ids=lambda c: repr(c)[:60])
def test_loss_gradient_matches_central_differences(loss, label_kind, pred_kind):
    rng = np.random.default_rng(3)
    shape = (6, 3) if label_kind in ("onehot", "sparse") or pred_kind in ("simplex", "prob_unnormalised") else (6, 2)
    y = _labels(label_kind, shape, rng)
    p = _predictions(pred_kind, shape, rng)
    yp = loss.prepare(y, p)
    analytic = loss.gradient(yp, p)
    numeric = central_difference(lambda v: float(np.sum(loss.call(yp, v))), p)
    assert analytic.shape == p.shape
    assert rel_error(analytic, numeric) <= TOL


@pytest.mark.parametrize("loss,act,label_kind", [
    (losses.BinaryCrossentropy(), activations.sigmoid, "binary"),
    (losses.BinaryCrossentropy(label_smoothing=0.3), activations.sigmoid, "soft"),
    (losses.CategoricalCrossentropy(), activations.softmax, "onehot"),
    (losses.CategoricalCrossentropy(label_smoothing=0.1), activations.softmax, "soft"),
    (losses.SparseCategoricalCrossentropy(), activations.softmax, "sparse"),
])
def test_declared_shortcut_is_the_chain_rule(loss, act, label_kind):
    """The fused dL/dz = a - y (declared by fuses_with) equals the loss of act(z), differentiated."""
    assert loss.fuses_with(act)
    rng = np.random.default_rng(4)
    z = rng.normal(0, 2, (5, 1 if act is activations.sigmoid else 4))
    y = loss.prepare(_labels(label_kind, z.shape, rng), z)
    analytic = loss.gradient_from_logits(y, z, act(z))
    numeric = central_difference(lambda v: float(np.sum(loss.call_from_logits(y, v))), z)
    assert rel_error(analytic, numeric) <= TOL
    # and the logits form is the same function as the probability form where nothing is clipped
    np.testing.assert_allclose(loss.call_from_logits(y, z), loss.call(y, act(z)), rtol=1e-9)


def test_shortcut_not_declared_elsewhere():
    assert not losses.BinaryCrossentropy().fuses_with(activations.softmax)
    assert not losses.BinaryCrossentropy(from_logits=True).fuses_with(activations.sigmoid)
    assert not losses.MeanSquaredError().fuses_with(activations.sigmoid)
    assert not losses.CategoricalCrossentropy().fuses_with(activations.sigmoid)


def _check_layer(layer, x, float64_mode=True):
    out = layer(x)
    upstream = np.random.default_rng(7).normal(size=out.shape)
    layer.forward(x, training=True)
    dx = layer.backward(upstream)

    def f_of_x(v):
        return float(np.sum(layer.forward(v, training=True) * upstream))

    assert rel_error(dx, central_difference(f_of_x, x)) <= TOL
    for var in layer.trainable_weights:
        layer.forward(x, training=True)
        layer.backward(upstream)
        analytic = var.grad.copy()
        original = var.value.copy()

        def f_of_w(w, var=var):
            var.value[...] = w
            return float(np.sum(layer.forward(x, training=True) * upstream))

        numeric = central_difference(f_of_w, original)
        var.value[...] = original
        assert analytic.shape == var.shape
        assert rel_error(analytic, numeric) <= TOL, var.path


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_layer_gradients(float64, activation):
    layer = layers.Dense(3, activation=activation, bias_initializer="random_normal")
    x = _points((5, 4), seed=11) * 0.5
    layer.build_from_shape((None, 4))
    _check_layer(layer, x)


def test_dense_with_regularizers_and_no_bias(float64):
    layer = layers.Dense(3, activation="tanh", kernel_regularizer=regularizers.L1L2(0.01, 0.02))
    layer.build_from_shape((None, 4))
    x = _points((5, 4), seed=2)
    upstream = np.ones((5, 3))
    layer.forward(x, True)
    layer.backward(upstream)
    add_penalty_gradients(layer.trainable_weights)     # the penalty's gradient is added in one place
    analytic = layer.kernel.grad.copy()
    w0 = layer.kernel.value.copy()

    def f(w):
        layer.kernel.value[...] = w
        return float(np.sum(layer.forward(x, True))) + layer.regularization_loss()

    assert rel_error(analytic, central_difference(f, w0)) <= TOL
    nobias = layers.Dense(2, use_bias=False)
    nobias.build_from_shape((None, 4))
    _check_layer(nobias, x)
    assert len(nobias.weights) == 1


def test_dense_on_3d_input(float64):
    layer = layers.Dense(2, activation="relu")
    layer.build_from_shape((None, 3, 4))
    _check_layer(layer, _points((2, 3, 4), seed=5))


@pytest.mark.parametrize("make", [
    lambda: layers.Activation("softmax"),
    lambda: layers.Activation("tanh"),
    lambda: layers.Flatten(),
])
def test_other_layers(float64, make):
    layer = make()
    x = _points((3, 2, 3), seed=9) if isinstance(layer, layers.Flatten) else _points((3, 4), seed=9)
    layer.build_from_shape((None,) + x.shape[1:])
    _check_layer(layer, x)


def test_dropout_backward_uses_the_same_mask(float64):
    layer = layers.Dropout(0.5, seed=3)
    x = _points((4, 6))
    out = layer.forward(x, training=True)
    mask = out / x
    g = np.random.default_rng(0).normal(size=x.shape)
    np.testing.assert_allclose(layer.backward(g), g * mask)
    assert set(np.round(np.unique(mask), 6)) <= {0.0, 2.0}
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


@pytest.mark.parametrize("loss,label_kind,pred_kind", LOSS_CASES, ids=lambda c: repr(c)[:60])
def test_value_and_gradient_is_call_and_gradient(loss, label_kind, pred_kind):
    """The one-pass forms some losses use in training give the same numbers as call/gradient."""
    rng = np.random.default_rng(5)
    shape = (6, 3) if label_kind in ("onehot", "sparse") or pred_kind in ("simplex", "prob_unnormalised") else (6, 2)
    y = _labels(label_kind, shape, rng)
    p = _predictions(pred_kind, shape, rng)
    yp = loss.prepare(y, p)
    values, grad = loss.value_and_gradient(yp, p)
    np.testing.assert_allclose(values, loss.call(yp, p), rtol=1e-12)
    np.testing.assert_allclose(grad, loss.gradient(yp, p), rtol=1e-12, atol=1e-15)
    if loss.fuses_with(activations.softmax) or loss.fuses_with(activations.sigmoid):
        act = activations.sigmoid if loss.fuses_with(activations.sigmoid) else activations.softmax
        values, grad = loss.value_and_gradient_from_logits(yp, p, act(p))
        np.testing.assert_allclose(values, loss.call_from_logits(yp, p), rtol=1e-12)
        np.testing.assert_allclose(grad, loss.gradient_from_logits(yp, p, act(p)), rtol=1e-12, atol=1e-15)


def test_gradcheck_checks_a_model_with_several_inputs():
    import glassnet as _g
    _g.keras.utils.set_random_seed(0)
    a, b = _g.keras.Input((2,)), _g.keras.Input((3,))
    model = _g.keras.Model([a, b], _g.layers.Dense(1)(_g.layers.Dense(4, activation="tanh")(
        _g.layers.concatenate([a, b]))))
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    report = _g.gradcheck(model, [rng.normal(size=(3, 2)), rng.normal(size=(3, 3))], rng.normal(size=(3, 1)))
    assert report.passed and "on 3 samples" in str(report), str(report)
    assert str(report).count(" ok") == 4                  # the two Dense layers' kernels and biases
