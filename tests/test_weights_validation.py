"""Issue 13, item 1 (and item 5's first half): every weight-like argument follows one rule
(finite, >= 0, for classes that exist, the argument and the class or row named), and
boolean arrays are taken as 0/1, as Keras takes them."""
import numpy as np
import pytest

import glassnet
from glassnet import losses, metrics
from glassnet.layers import Dense

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3)).astype("float32")
Y01 = (X[:, 0] > 0).astype("float32")
Y3 = np.arange(12) % 3


def _binary():
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    return model


def _sparse():
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), Dense(3)])
    model.compile(optimizer="sgd", loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _weights(model):
    return [w.copy() for w in model.get_weights()]


@pytest.mark.parametrize("make, y, class_weight, exc, parts", [
    (_binary, Y01, {0: float("nan"), 1: 1.0}, ValueError, ["class_weight[0]", "nan", "finite"]),
    (_binary, Y01, {0: float("inf"), 1: 1.0}, ValueError, ["class_weight[0]", "inf"]),
    (_binary, Y01, {0: -1.0, 1: 1.0}, ValueError, ["class_weight[0]", "-1", ">= 0"]),
    (_binary, Y01, {0: 1.0}, ValueError, ["no weight for class", "[1]"]),
    (_binary, Y01, {0: 1.0, 1: 1.0, 2: 5.0}, ValueError, ["class 2", "does not exist", "0..1"]),
    (_sparse, Y3, {0: 1.0, 1: 1.0, 2: 1.0, -1: 2.0}, ValueError, ["class -1", "does not exist"]),
    (_binary, Y01, {0: "1", 1: 1.0}, TypeError, ["class_weight[0]", "number"]),
    (_binary, Y01, {"a": 1.0, 0: 1, 1: 1}, TypeError, ["'a'", "integer class"]),
    (_binary, Y01, {0.5: 1.0, 0: 1, 1: 1}, TypeError, ["0.5"]),
    (_binary, Y01, [1.0, 2.0], TypeError, ["dict"]),
])
def test_bad_class_weight_is_refused_before_training(make, y, class_weight, exc, parts):
    for call in ("fit", "train_on_batch"):
        model = make()
        before = _weights(model)
        with pytest.raises(exc) as info:
            if call == "fit":
                model.fit(X, y, epochs=1, verbose=0, class_weight=class_weight)
            else:
                model.train_on_batch(X, y, class_weight=class_weight)
        for part in parts:
            assert part in str(info.value), (call, str(info.value))
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)
        assert model.optimizer.iterations == 0


@pytest.mark.parametrize("sw, parts", [
    (np.r_[np.ones(11), np.nan], ["sample_weight", "nan", "row 11"]),
    (np.r_[np.ones(3), -2.0, np.ones(8)], ["sample_weight", "negative", "-2", "row 3"]),
    (np.r_[np.ones(5), np.inf, np.ones(6)], ["sample_weight", "inf", "row 5"]),
])
def test_bad_sample_weight_names_the_row(sw, parts):
    model = _binary()
    with pytest.raises(ValueError) as info:
        model.fit(X, Y01, sample_weight=sw, epochs=1, verbose=0)
    for part in parts:
        assert part in str(info.value)


def test_class_weight_values_match_keras_semantics():
    w = glassnet._checks.class_weights({0: 0.5, 1: 2}, Y01, None)
    np.testing.assert_allclose(w, np.where(Y01 == 1, 2.0, 0.5))
    onehot = np.eye(3, dtype="float32")[Y3]
    w = glassnet._checks.class_weights({0: 1, 1: 0, 2: 3}, onehot, np.full(12, 2.0, "float32"))
    np.testing.assert_allclose(w, np.array([2.0, 0.0, 6.0])[Y3])
    with pytest.raises(ValueError, match="class 3, which does not exist"):
        glassnet._checks.class_weights({0: 1, 1: 1, 2: 1, 3: 1}, onehot, None)
    # a zero weight trains: that class simply does not count
    model = _binary()
    model.fit(X, Y01, epochs=1, verbose=0, class_weight={0: 0.0, 1: 1.0})


@pytest.mark.parametrize("obj", [losses.MeanSquaredError(), losses.BinaryCrossentropy(),
                                 metrics.MeanSquaredError()])
def test_loss_and_metric_called_directly_check_their_weights(obj):
    y = np.array([[0.0], [1.0], [1.0]])
    p = np.array([[0.2], [0.7], [0.9]])
    for sw, parts in (([1.0, np.nan, 1.0], ["sample_weight", "nan", "row 1"]),
                      ([1.0, -1.0, 1.0], ["sample_weight", "negative", "row 1"]),
                      ([1.0, 1.0], ["sample_weight", "shape"]),
                      (["a", "b", "c"], ["sample_weight"])):
        with pytest.raises((ValueError, TypeError)) as info:
            obj(y, p, sample_weight=np.array(sw, dtype=object) if isinstance(sw[0], str) else sw)
        for part in parts:
            assert part in str(info.value), str(info.value)
    # good weights still work, and a single number weighs every sample alike (fresh objects:
    # a metric called again adds to what it has seen, as Keras's do)
    assert np.isfinite(type(obj)()(y, p, sample_weight=[1.0, 0.0, 2.0]))
    assert np.isclose(type(obj)()(y, p, sample_weight=1.0), type(obj)()(y, p))


def test_metric_objects_check_weights_too():
    m = metrics.BinaryAccuracy()
    y = np.array([[0.0], [1.0]])
    p = np.array([[0.2], [0.7]])
    with pytest.raises(ValueError, match="negative weight"):
        m.update_state(y, p, sample_weight=[1.0, -3.0])
    with pytest.raises(ValueError, match="nan"):
        m.update_state(y, p, sample_weight=[np.nan, 1.0])


def test_boolean_arrays_are_zero_and_one():
    xb = X > 0
    model = _binary()
    model.fit(xb, Y01 > 0.5, epochs=2, verbose=0)
    twin = _binary()
    twin.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(xb, verbose=0), twin.predict(xb.astype("float32"), verbose=0))
    a = model.evaluate(xb, Y01 > 0.5, verbose=0)
    b = model.evaluate(xb.astype("float32"), Y01, verbose=0)
    assert np.isclose(a, b)
    # in an object array, booleans beside numbers count as 0/1 too (pandas' one-hot columns);
    # what is not a number is still named
    mixed = np.array([[1.0, True, 0.0]] * 2 + [[0.0, False, 1.0]] * 2, dtype=object)
    model3 = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(1, activation="sigmoid")])
    model3.compile(loss="binary_crossentropy")
    model3.fit(mixed, [0, 0, 1, 1], verbose=0)
    np.testing.assert_array_equal(model3.predict(mixed, verbose=0),
                                  model3.predict(mixed.astype(np.float32), verbose=0))
    with pytest.raises(TypeError, match="the text 'a'"):
        model.fit(np.array([[1.0, True, "a"]] * 2, dtype=object), [0, 1], verbose=0)
