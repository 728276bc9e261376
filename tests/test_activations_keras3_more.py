"""Keras 3's newer activations (``glassnet/activations_more.py``): each forward on a float32
grid (0, negatives, large values) and each derivative through a GradientTape, against real
Keras 3.15 / TensorFlow 2.21: the numbers below were printed by
``/work/peers/bin/python tools/make_keras_activations_more.py`` and pasted as they came.
Also: the names in Dense/Conv2D, serialization by name, keras.activations.<name>, float32 kept,
and each backward (with its options) against central differences in float64."""
import json

import numpy as np
import pytest

import glassnet
from glassnet import activations, keras, layers
from glassnet.activations import backward_of

GRID = np.array([-100.0, -10.0, -3.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 10.0, 100.0],
                dtype=np.float32)
# Keras 3.15: keras.activations.<name>(GRID, **options), float32
KERAS_FORWARD = {
    'relu6': [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 6.0, 6.0],
    'mish': [-0.0, -0.00045398896327242255, -0.14564748108386993, -0.29809972643852234, -0.30340149998664856, -0.22074377536773682, -0.12992697954177856, 0.0, 0.16957241296768188, 0.37524524331092834, 0.8650984168052673, 1.4033781290054321, 2.98653507232666, 10.0, 100.0],
    'hard_silu': [-0.0, -0.0, -0.0, -0.375, -0.3333333432674408, -0.2083333283662796, -0.1145833358168602, 0.0, 0.1354166716337204, 0.2916666567325592, 0.6666666865348816, 1.125, 3.0, 10.0, 100.0],
    'hard_swish': [-0.0, -0.0, -0.0, -0.375, -0.3333333432674408, -0.2083333283662796, -0.1145833358168602, 0.0, 0.1354166716337204, 0.2916666567325592, 0.6666666865348816, 1.125, 3.0, 10.0, 100.0],
    'log_sigmoid': [-100.0, -10.000045776367188, -3.0485870838165283, -1.7014132738113403, -1.31326162815094, -0.9740769267082214, -0.825939416885376, -0.6931471824645996, -0.575939416885376, -0.4740769863128662, -0.3132616877555847, -0.20141328871250153, -0.04858735203742981, -4.5398901420412585e-05, -0.0],
    'celu': [-1.0, -0.9999545812606812, -0.9502129554748535, -0.7768698334693909, -0.6321205496788025, -0.39346933364868164, -0.22119921445846558, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 10.0, 100.0],
    'hard_tanh': [-1.0, -1.0, -1.0, -1.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0],
    'soft_shrink': [-99.5, -9.5, -2.5, -1.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.5, 9.5, 99.5],
    'hard_shrink': [-100.0, -10.0, -3.0, -1.5, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.5, 3.0, 10.0, 100.0],
    'tanh_shrink': [-99.0, -9.0, -2.0049452781677246, -0.5948516726493835, -0.23840582370758057, -0.037882864475250244, -0.005081340670585632, 0.0, 0.005081340670585632, 0.037882864475250244, 0.23840582370758057, 0.5948516726493835, 2.0049452781677246, 9.0, 99.0],
    'squareplus': [0.009998321533203125, 0.09901952743530273, 0.30277562141418457, 0.5, 0.6180340051651001, 0.7807763814926147, 0.8827822208404541, 1.0, 1.132782220840454, 1.2807763814926147, 1.6180340051651, 2.0, 3.3027756214141846, 10.099020004272461, 100.00999450683594],
    'sparse_plus': [0.0, 0.0, 0.0, 0.0, 0.0, 0.0625, 0.140625, 0.25, 0.390625, 0.5625, 1.0, 1.5, 3.0, 10.0, 100.0],
    'sparse_sigmoid': [0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.375, 0.5, 0.625, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0],
    'celu(alpha=2.0)': [-2.0, -1.9865241050720215, -1.5537396669387817, -1.0552668571472168, -0.7869386672973633, -0.44239842891693115, -0.2350062131881714, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 10.0, 100.0],
    'soft_shrink(threshold=1.0)': [-99.0, -9.0, -2.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 9.0, 99.0],
    'hard_shrink(threshold=1.0)': [-100.0, -10.0, -3.0, -1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 3.0, 10.0, 100.0],
    'squareplus(b=1.0)': [0.002498626708984375, 0.02493762969970703, 0.08113884925842285, 0.15138781070709229, 0.20710676908493042, 0.30901700258255005, 0.3903881907463074, 0.5, 0.6403881907463074, 0.80901700258255, 1.2071068286895752, 1.6513878107070923, 3.081138849258423, 10.024937629699707, 100.00250244140625],
    'threshold(threshold=0.5, default_value=-1.0)': [-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, 1.0, 1.5, 3.0, 10.0, 100.0],
}
SMOOTH = np.array([-10.0, -2.5, -0.7, -0.3, 0.3, 0.7, 2.5, 10.0], dtype=np.float32)
# TF 2.21 / Keras 3.15: GradientTape gradient of reduce_sum(keras.activations.<name>(x, **options)) at SMOOTH
KERAS_GRADIENT = {
    'relu6': [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0],
    'mish': [-0.0004085797118023038, -0.10974355041980743, 0.1844160556793213, 0.40851083397865295, 0.7828273177146912, 0.9687948226928711, 1.0411293506622314, 1.0],
    'hard_silu': [0.0, -0.3333333134651184, 0.2666666507720947, 0.4000000059604645, 0.6000000238418579, 0.7333333492279053, 1.3333333730697632, 1.0],
    'hard_swish': [0.0, -0.3333333134651184, 0.2666666507720947, 0.4000000059604645, 0.6000000238418579, 0.7333333492279053, 1.3333333730697632, 1.0],
    'log_sigmoid': [0.9999545812606812, 0.9241418242454529, 0.6681877374649048, 0.574442446231842, 0.425557404756546, 0.33181220293045044, 0.07585816830396652, 4.539786095847376e-05],
    'celu': [4.539993096841499e-05, 0.08208499848842621, 0.49658530950546265, 0.740818202495575, 1.0, 1.0, 1.0, 1.0],
    'hard_tanh': [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0],
    'soft_shrink': [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
    'hard_shrink': [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
    'tanh_shrink': [1.0, 0.9734078645706177, 0.36526036262512207, 0.08486306667327881, 0.08486306667327881, 0.36526036262512207, 0.9734078645706177, 1.0],
    'squareplus': [0.009709656238555908, 0.10956558585166931, 0.334824800491333, 0.42582976818084717, 0.5741702318191528, 0.665175199508667, 0.8904343843460083, 0.9902903437614441],
    'sparse_plus': [0.0, 0.0, 0.15000000596046448, 0.3499999940395355, 0.6499999761581421, 0.8500000238418579, 1.0, 1.0],
    'sparse_sigmoid': [0.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0],
    'celu(alpha=2.0)': [0.0067379469983279705, 0.2865048050880432, 0.7046880722045898, 0.8607079982757568, 1.0, 1.0, 1.0, 1.0],
    'soft_shrink(threshold=1.0)': [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
    'hard_shrink(threshold=1.0)': [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
    'squareplus(b=1.0)': [0.0024813711643218994, 0.03576165437698364, 0.21326881647109985, 0.35632604360580444, 0.6436739563941956, 0.7867311835289001, 0.9642383456230164, 0.9975186586380005],
    'threshold(threshold=0.5, default_value=-1.0)': [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
}
NEW_NAMES = ["relu6", "mish", "hard_silu", "hard_swish", "log_sigmoid", "celu", "hard_tanh", "soft_shrink",
             "hard_shrink", "tanh_shrink", "squareplus", "sparse_plus", "sparse_sigmoid"]


def _call(label):
    """``"celu(alpha=2.0)"`` -> (the name, its options)."""
    name, _, rest = label.partition("(")
    options = dict(part.split("=") for part in rest.rstrip(")").split(", ")) if rest else {}
    return name, {k: float(v) for k, v in options.items()}


@pytest.mark.parametrize("label", sorted(KERAS_FORWARD))
def test_forward_matches_keras_in_float32(label):
    name, options = _call(label)
    out = getattr(activations, name)(GRID, **options)
    assert out.dtype == np.float32 and out.shape == GRID.shape
    np.testing.assert_allclose(out, np.array(KERAS_FORWARD[label], dtype=np.float32), rtol=2e-6, atol=1e-6)
    tensor = getattr(keras.activations, name)(GRID, **options)          # the Tensor-returning one
    np.testing.assert_array_equal(tensor.numpy(), out)


@pytest.mark.parametrize("label", sorted(KERAS_GRADIENT))
def test_gradient_tape_matches_tensorflow(label):
    name, options = _call(label)
    x = glassnet.Variable(SMOOTH)
    with glassnet.GradientTape() as tape:
        y = glassnet.reduce_sum(getattr(keras.activations, name)(x, **options))
    g = tape.gradient(y, x)
    assert g is not None and g.dtype == np.float32
    np.testing.assert_allclose(g.numpy(), np.array(KERAS_GRADIENT[label], dtype=np.float32), rtol=1e-5, atol=1e-6)


def test_options_given_by_position_are_recorded_on_the_tape():
    x = glassnet.Variable(SMOOTH)
    with glassnet.GradientTape() as tape:
        y = glassnet.reduce_sum(keras.activations.threshold(x, 0.5, -1.0) + keras.activations.celu(x, 2.0))
    expected = np.add(KERAS_GRADIENT["threshold(threshold=0.5, default_value=-1.0)"], KERAS_GRADIENT["celu(alpha=2.0)"])
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="default_value"):
        keras.activations.threshold(x, 0.5)
    with pytest.raises(TypeError, match="celu"):
        keras.activations.celu(x, 1.0, 2.0)


@pytest.mark.parametrize("label", sorted(KERAS_FORWARD))
def test_backward_against_central_differences(label):
    name, options = _call(label)
    fn = getattr(activations, name)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 5)) * 3
    kinks = np.array([0.0, 0.5, 1.0, 3.0, 6.0])
    x[np.min(np.abs(np.abs(x)[..., None] - kinks), axis=-1) < 1e-3] = 0.3
    grad = rng.normal(size=x.shape)
    got = backward_of(fn)(x, fn(x, **options), grad, **options)
    h = 1e-6
    numeric = (fn(x + h, **options) - fn(x - h, **options)) / (2 * h) * grad
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", NEW_NAMES)
def test_each_name_is_registered_and_serialized_by_name(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name) and activations.get(name.upper()) is fn
    assert getattr(keras.activations, name) == fn
    stored = "hard_silu" if name == "hard_swish" else name            # Keras 3.15 stores hard_swish as hard_silu
    assert activations.serialize(fn) == stored and activations.deserialize(stored) is fn
    assert activations.formula_of(fn)[1] is not None


@pytest.mark.parametrize("name", NEW_NAMES)
def test_dense_and_conv2d_take_the_name_and_round_trip(name):
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(5, 5, 2)), layers.Conv2D(3, 3, activation=name),
                                 layers.Flatten(), layers.Dense(4, activation=name), layers.Dense(1)])
    x = np.random.default_rng(1).normal(size=(8, 5, 5, 2)).astype(np.float32)
    out = model.predict(x, verbose=0)
    config = json.loads(model.to_json())
    kept = [layer["config"].get("activation") for layer in config["config"]["layers"]]
    stored = "hard_silu" if name == "hard_swish" else name
    assert kept.count(stored) == 2
    again = glassnet.models.model_from_json(model.to_json())
    again.set_weights(model.get_weights())
    np.testing.assert_array_equal(again.predict(x, verbose=0), out)
    conv = model.layers[0]
    z = np.asarray(glassnet.nn.conv2d(x, conv.kernel.numpy(), 1, "VALID")) + conv.bias.numpy()
    np.testing.assert_allclose(conv(x).numpy(), getattr(activations, name)(z.astype(np.float32)), rtol=1e-5, atol=1e-6)


def test_threshold_is_a_function_not_a_layer_name():
    """Keras's threshold needs two numbers; the registry (which a layer's name goes through)
    does not hold it, as a layer could not call it."""
    assert "threshold" not in activations.BY_NAME
    with pytest.raises(ValueError, match="threshold"):
        activations.get("threshold")


# tf.GradientTape over keras.activations.relu(x, **options), printed by TF 2.21 / Keras 3.15
# (/work/peers/bin/python, 2026-12-07): the sum's value and its gradient at x.
RELU_OPTION_GRADIENTS = [
    ({"negative_slope": 0.1}, 9.649999618530273, [0.1, 1.0, 1.0, 1.0, 1.0]),
    ({"max_value": 6.0}, 8.75, [0.0, 1.0, 1.0, 1.0, 0.0]),
    ({"threshold": 0.3}, 9.5, [0.0, 0.0, 1.0, 1.0, 1.0]),
    ({"negative_slope": 0.1, "max_value": 1.0, "threshold": 0.3}, 2.365000009536743, [0.1, 0.1, 1.0, 0.0, 0.0]),
]


@pytest.mark.parametrize("options, value, gradient", RELU_OPTION_GRADIENTS)
@pytest.mark.parametrize("positional", [False, True])
def test_relu_options_on_a_tape_as_tensorflow(options, value, gradient, positional):
    """relu's options reach its derivative, given by keyword or by position (both recorded)."""
    x = glassnet.Variable([-1.0, 0.25, 0.5, 2.0, 7.0])
    names = ("negative_slope", "max_value", "threshold")
    args = tuple(options.get(n, d) for n, d in zip(names, (0.0, None, 0.0))) if positional else ()
    with glassnet.GradientTape() as tape:
        y = glassnet.reduce_sum(keras.activations.relu(x, *args, **({} if positional else options)))
    np.testing.assert_allclose(float(y), value, rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), np.float32(gradient), rtol=1e-6)
