"""Each loss checks its own labels (``Loss.check_labels``): what it accepts, in what form it
hands them to ``call``, and how it refuses, naming the argument and the first offending
position. ``fit`` asks the loss (``engine.checks.labels``), so a loss of your own can bring its
own rule. (The refusals through ``fit``, with the model left unchanged, are in
test_bad_input.py.)"""
import numpy as np
import pytest

import glassnet
from glassnet import losses
from glassnet.engine import checks


# -- the default rule: the output's shape, as floatx ------------------------------------------

def test_default_rule_takes_the_outputs_shape_as_floatx():
    y = losses.MeanSquaredError().check_labels(np.array([1, 2, 3]), "y", (None, 1))
    assert y.dtype == np.float32 and y.shape == (3, 1)         # one output unit: (N,) -> (N, 1)
    y = losses.Huber().check_labels(np.array([[1, 2], [3, 4]]), "y", (None, 2))
    assert y.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_default_rule_refuses_another_shape():
    with pytest.raises(ValueError) as info:
        losses.MeanAbsoluteError().check_labels(np.zeros((4, 3)), "y_val", (None, 2))
    assert str(info.value) == ("y_val has shape (4, 3), but the model's output has shape (None, 2): "
                               "each sample's label must have shape (2,).")


def test_default_rule_refuses_a_value_too_large_for_floatx():
    with pytest.raises(ValueError, match=r"y has 1e\+300 at row 1, too large for float32"):
        losses.MeanSquaredError().check_labels(np.array([0.0, 1e300]), "y", (None, 1))


def test_an_unknown_output_shape_checks_the_values_only():
    assert losses.MeanSquaredError().check_labels(np.array([1, 2]), "y", None).shape == (2,)
    with pytest.raises(ValueError, match=r"y has -1 at row 0, column 0: CategoricalCrossentropy"):
        losses.CategoricalCrossentropy().check_labels(np.array([[-1, 2]]), "y", None)
    with pytest.raises(ValueError, match=r"label -1 at row 1, outside 0\.\.C-1"):
        losses.SparseCategoricalCrossentropy().check_labels(np.array([0, -1]), "y", None)


# -- binary cross-entropy: [0, 1] ---------------------------------------------------------------

def test_binary_accepts_classes_and_probabilities():
    y = losses.BinaryCrossentropy().check_labels(np.array([0, 1, 0.25]), "y", (None, 1))
    assert y.tolist() == [[0.0], [1.0], [0.25]]


@pytest.mark.parametrize("y, shape, where, value", [
    (np.array([0, 1, 2]), (None, 1), "row 2", "2"),                 # one column: the row alone
    (np.array([[0, 1], [1, -0.5]]), (None, 2), "row 1, column 1", "-0.5"),
])
def test_binary_refuses_labels_outside_0_1(y, shape, where, value):
    with pytest.raises(ValueError) as info:
        losses.BinaryCrossentropy().check_labels(y, "y", shape)
    assert str(info.value).startswith(f"y has {value} at {where}: BinaryCrossentropy needs labels in [0, 1]")
    assert "SparseCategoricalCrossentropy" in str(info.value)


def test_binary_says_labels_are_one_column():
    with pytest.raises(ValueError, match="Binary labels are one column of 0/1"):
        losses.BinaryCrossentropy().check_labels(np.zeros((3, 2)), "y", (None, 1))


# -- categorical cross-entropy: one-hot, >= 0 ---------------------------------------------------

def test_categorical_hints_at_one_hot_labels():
    cce = losses.CategoricalCrossentropy()
    with pytest.raises(ValueError, match=r"to_categorical\(y\), or SparseCategoricalCrossentropy"):
        cce.check_labels(np.array([0, 1, 2]), "y", (None, 3))
    with pytest.raises(ValueError, match=r"One-hot labels need 3 columns.*give the last layer 2 units"):
        cce.check_labels(np.eye(2), "y", (None, 3))


def test_categorical_refuses_negative_labels():
    y = np.eye(3)
    y[2, 1] = -1
    with pytest.raises(ValueError) as info:
        losses.CategoricalCrossentropy().check_labels(y, "y", (None, 3))
    assert str(info.value).startswith("y has -1 at row 2, column 1: CategoricalCrossentropy needs one-hot labels")


# -- sparse categorical cross-entropy: integers 0..C-1 ------------------------------------------

def test_sparse_takes_a_column_or_integer_floats_as_int64_classes():
    scce = losses.SparseCategoricalCrossentropy()
    for y in (np.array([[0], [2], [1]]), np.array([0.0, 2.0, 1.0])):
        out = scce.check_labels(y, "y", (None, 3))
        assert out.dtype == np.int64 and out.tolist() == [0, 2, 1]


@pytest.mark.parametrize("y, message", [
    (np.array([0, 1.5]), "y has a non-integer class label 1.5 at row 1: SparseCategoricalCrossentropy needs "
                         "integer labels 0..C-1"),
    (np.array([0, 3]), "y has label 3 at row 1, outside 0..2: the last layer has 3 units, one per class: "
                       "give it as many units as classes (4 or more), or renumber the labels 0..2"),
    (np.array([-2, 0]), "y has label -2 at row 0, outside 0..2: class labels start at 0: shift them, "
                        "e.g. y - y.min()"),
    (np.array([1e30, 0]), "y has label 1e+30 at row 0, outside 0..2: the last layer has 3 units"),
    (np.eye(3), "y has shape (3, 3): SparseCategoricalCrossentropy takes one integer class per sample, "
                "shape (3,). For one-hot labels use CategoricalCrossentropy, or pass y.argmax(axis=1)."),
])
def test_sparse_refusals(y, message):
    with pytest.raises(ValueError) as info:
        losses.SparseCategoricalCrossentropy().check_labels(y, "y", (None, 3))
    assert str(info.value).startswith(message)


# -- fit asks the loss -------------------------------------------------------------------------

def test_checks_labels_keeps_the_rules_every_loss_shares():
    with pytest.raises(ValueError, match="y is a single number"):
        checks.labels(3.0, "y", losses.MeanSquaredError(), (None, 1))
    with pytest.raises(ValueError, match=r"y contains nan at row 1"):
        checks.labels([0.0, np.nan], "y", losses.SparseCategoricalCrossentropy(), (None, 2))
    with pytest.raises(TypeError, match="text"):
        checks.labels(["a", "b"], "y", losses.BinaryCrossentropy(), (None, 1))


class EvenLabels(losses.MeanSquaredError):
    """A loss of one's own with a rule of its own: labels must be even numbers."""

    def check_labels(self, y, name="y", output_shape=None):
        y = super().check_labels(y, name, output_shape)
        odd = y % 2 != 0
        if odd.any():
            raise ValueError(f"{name} has an odd label at {checks.where(np.argwhere(odd)[0])}")
        return y


def test_fit_refuses_with_the_rule_of_a_loss_of_ones_own():
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1)])
    model.compile(loss=EvenLabels(), optimizer="sgd")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"y has an odd label at row 2, column 0"):
        model.fit(np.ones((3, 2)), np.array([0, 2, 3]), verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.fit(np.ones((3, 2)), np.array([0, 2, 4]), verbose=0)


def test_a_loss_of_ones_own_gets_the_default_rule():
    class Quartic(losses.Loss):
        def call(self, y_true, y_pred):
            return np.mean((y_pred - y_true) ** 4, axis=-1)

        def gradient(self, y_true, y_pred):
            return 4 * (y_pred - y_true) ** 3 / y_pred.shape[-1]

    model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(2)])
    model.compile(loss=Quartic(), optimizer="sgd")
    with pytest.raises(ValueError, match=r"y has shape \(3,\), but the model's output has shape \(None, 2\)"):
        model.fit(np.ones((3, 2)), np.array([0.0, 1.0, 2.0]), verbose=0)


# -- the text of each loss's shortcut, as explain prints it -------------------------------------

def test_each_fusing_loss_writes_its_shortcut():
    assert losses.BinaryCrossentropy().shortcut_formula(1, "A[2]") == "(A[2] - Y) / m"
    assert losses.BinaryCrossentropy().shortcut_formula(3) == "(A - Y) / (m * 3)"
    assert losses.CategoricalCrossentropy().shortcut_formula(3, "A[2]") == "(A[2] - Y) / m"
    assert losses.SparseCategoricalCrossentropy().shortcut_formula(3, "A[2]") == "(A[2] - onehot(Y)) / m"
