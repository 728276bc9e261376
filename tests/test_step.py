"""``glassnet/engine/step.py``: the one training step. Its gradient of the whole model (loss,
fused output shortcut or not, sample weights, L2 penalty) against central differences.
(Moved here from ``test_gradients.py``. The same step worked out by hand: ``test_hand_step.py``;
the fast path's agreement with it: ``test_readable_path.py``, ``test_fast_dense.py``.)"""
import numpy as np
import pytest

import glassnet
from glassnet import layers, losses
from conftest import central_difference, rel_error

TOL = 1e-6


def _labels(kind, shape, rng):
    if kind == "binary":
        return rng.integers(0, 2, shape).astype(np.float64)
    if kind == "onehot":
        return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[0])]
    if kind == "sparse":
        return rng.integers(0, shape[-1], shape[0])
    return rng.normal(size=shape)


@pytest.mark.parametrize("loss,last,y_kind", [
    ("binary_crossentropy", "sigmoid", "binary"),       # fused
    ("mse", "sigmoid", "binary"),                       # not fused
    (losses.CategoricalCrossentropy(), "softmax", "onehot"),
    (losses.SparseCategoricalCrossentropy(from_logits=True), None, "sparse"),
    (losses.Huber(), "tanh", "real"),
])
def test_whole_model_gradient(float64, loss, last, y_kind):
    from glassnet.engine.step import train_step

    def forward_backward(model, x, y, sw):
        return train_step(model, x, y, sw, update=False)
    rng = np.random.default_rng(0)
    units = 1 if y_kind in ("binary", "real") else 3
    glassnet.utils.set_random_seed(0)          # the weights' seeds come from Python's random (Keras 3's): fixed
    model = glassnet.Sequential([glassnet.Input(shape=(4,)),
                                 layers.Dense(5, activation="tanh", kernel_regularizer="l2"),
                                 layers.Dense(units, activation=last)])
    model.compile(optimizer="sgd", loss=loss)
    x = rng.normal(size=(7, 4))
    y = _labels(y_kind, (7, units), rng)
    sw = rng.uniform(0.5, 2, 7)
    x_, y_, sw_ = model._data(x, y, sw, "test")
    forward_backward(model, x_, y_, sw_)
    for var in model.trainable_weights:
        analytic = var.grad.copy()
        w0 = var.value.copy()

        def f(w, var=var):
            var.value[...] = w
            return forward_backward(model, x_, y_, sw_)[0]

        numeric = central_difference(f, w0)
        var.value[...] = w0
        assert rel_error(analytic, numeric) <= TOL, var.path


def test_no_input_gradient_is_asked_before_the_first_layer_with_weights():
    # TensorFlow's image tutorial: RandomFlip, Rescaling, then Conv2D. Nothing before the Conv2D
    # trains, so its dJ/dX (a scatter of patches over every 180x180 image) would feed nothing.
    import glassnet
    from glassnet.engine.step import input_grads_needed
    L = glassnet.layers
    stack = [L.RandomFlip("horizontal"), L.Rescaling(1 / 255), L.Conv2D(2, 3), L.Flatten(), L.Dense(1)]
    model = glassnet.Sequential([glassnet.Input(shape=(6, 6, 1))] + stack)
    assert input_grads_needed(model.layers) == [False, False, False, True, True]
    asked = []
    conv = model.layers[2]
    plain = conv.backward
    conv.backward = lambda grad, need_input_grad=True: (asked.append(need_input_grad), plain(grad, need_input_grad))[1]
    model.compile("sgd", "mse")
    model.train_on_batch(np.ones((2, 6, 6, 1), np.float32), np.ones((2, 1), np.float32))
    assert asked == [False]
    assert input_grads_needed([L.Dense(2), L.Dense(1)], first=True) == [True, True]
