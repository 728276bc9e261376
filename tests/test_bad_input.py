"""Bad input: one clear error that names the argument, the position and the fix, and a
model that has not changed (weights, optimizer state, built or not).

Each case is (model kind, action, exception type, substrings the message must contain).
The message checks are the contract of issue 8: the argument's name, the first offending
row/column where there is one, and a hint of what to do.
"""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Dropout, Flatten, Input


# ---------------------------------------------------------------------------------------
# Models in a known state
# ---------------------------------------------------------------------------------------
N = 10
RNG = np.random.default_rng(0)
X = RNG.random((N, 4)).astype("float32")
Y01 = (np.arange(N) % 2).astype("float32")
Y3 = np.arange(N) % 3
ONEHOT3 = np.eye(3, dtype="float32")[Y3]


def _model(kind: str):
    """A small compiled model. ``*_built`` ones have taken one good step already, so the
    optimizer has state and ``iterations == 1``; ``*_fresh`` ones are not built."""
    glassnet.utils.set_random_seed(7)
    built = kind.endswith("_built")
    loss, head = {
        "bce": ("binary_crossentropy", Dense(1, activation="sigmoid")),
        "scce": ("sparse_categorical_crossentropy", Dense(3, activation="softmax")),
        "cce": ("categorical_crossentropy", Dense(3, activation="softmax")),
        "mse": ("mse", Dense(2)),
    }[kind.split("_")[0]]
    stack = ([Input(shape=(4,))] if built else []) + [Dense(3, activation="relu"), head]
    model = Sequential(stack)
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss=loss)
    if built:
        y = {"bce": Y01, "scce": Y3, "cce": ONEHOT3, "mse": np.c_[X[:, 0], X[:, 1]]}[kind.split("_")[0]]
        model.train_on_batch(X, y)
    return model


def _state(model):
    opt = model.optimizer
    return {
        "built": model.built,
        "weights": [w.copy() for w in model.get_weights()],
        "iterations": opt.iterations if opt is not None else None,
        "opt_built": opt.built if opt is not None else None,
        "slots": [s.copy() for s in opt.variables()] if opt is not None and opt.built else [],
        "compiled": model.compiled,
        "optimizer": opt,
        "loss": model.loss,
    }


def _assert_unchanged(before, after):
    assert after["built"] == before["built"], "a failed call built the model"
    assert after["iterations"] == before["iterations"], "the optimizer took a step"
    assert after["opt_built"] == before["opt_built"]
    assert after["compiled"] == before["compiled"]
    assert after["optimizer"] is before["optimizer"] and after["loss"] is before["loss"]
    assert len(after["weights"]) == len(before["weights"])
    for a, b in zip(before["weights"], after["weights"]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(before["slots"], after["slots"]):
        np.testing.assert_array_equal(a, b)


def _with(a, index, value, dtype=None):
    a = np.array(a, dtype=dtype or np.asarray(a).dtype)
    a[index] = value
    return a


class FakeFrame:
    """What glassnet needs of a pandas DataFrame: ``to_numpy()`` and ``columns``."""

    def __init__(self, data, columns):
        self._data, self.columns = data, list(columns)

    def to_numpy(self):
        return np.array(self._data)


class FakeSeries:
    def __init__(self, data):
        self._data = data

    def to_numpy(self):
        return np.array(self._data)


COLS = ["age", "height", "weight", "income"]

# ---------------------------------------------------------------------------------------
# The battery: (id, model kind, action, exception, substrings of the message)
# ---------------------------------------------------------------------------------------
fit = lambda x, y, **kw: (lambda m: m.fit(x, y, verbose=0, **kw))              # noqa: E731
evaluate = lambda x, y, **kw: (lambda m: m.evaluate(x, y, verbose=0, **kw))    # noqa: E731

CASES = [
    # -- non-finite x, in fit, evaluate, predict ------------------------------------------
    ("x_nan", "bce_built", fit(_with(X, (3, 2), np.nan), Y01), ValueError, ["x", "nan", "row 3, column 2", "impute"]),
    ("x_posinf", "bce_fresh", fit(_with(X, (0, 1), np.inf), Y01), ValueError, ["x", "inf", "row 0, column 1"]),
    ("x_neginf", "bce_built", fit(_with(X, (5, 0), -np.inf), Y01), ValueError, ["x", "-inf", "row 5, column 0"]),
    ("x_too_large_for_float32", "mse_fresh", fit(_with(X.astype("float64"), (4, 0), 1e40), np.zeros((N, 2))),
     ValueError, ["x", "1e+40", "row 4, column 0", "too large", "scale"]),
    ("evaluate_x_nan", "bce_built", evaluate(_with(X, (7, 3), np.nan), Y01), ValueError, ["x", "row 7, column 3"]),
    ("predict_x_inf", "bce_built", lambda m: m.predict(_with(X, (2, 2), np.inf), verbose=0), ValueError,
     ["x", "inf", "row 2, column 2"]),
    ("predict_x_nan_fresh", "bce_fresh", lambda m: m.predict(_with(X, (1, 0), np.nan), verbose=0), ValueError,
     ["x", "row 1, column 0"]),
    ("call_x_nan", "bce_built", lambda m: m(_with(X, (6, 1), np.nan)), ValueError, ["x", "row 6, column 1"]),
    # -- x of the wrong shape ---------------------------------------------------------------
    ("x_1d", "bce_built", fit(X[:, 0], Y01), ValueError, ["x", "(10,)", "reshape(-1, 1)"]),
    ("x_1d_predict", "bce_fresh", lambda m: m.predict(X[0], verbose=0), ValueError, ["x", "reshape(1, -1)"]),
    ("x_scalar", "bce_built", fit(3.0, Y01), ValueError, ["x", "single number"]),
    ("x_3d_built", "bce_built", fit(X.reshape(N, 2, 2), Y01), ValueError, ["x", "3 dimensions", "reshape(len(x), -1)"]),
    ("x_3d_dense_first", "bce_fresh", fit(X.reshape(N, 2, 2), Y01), ValueError, ["x", "Dense", "Flatten()"]),
    ("x_3d_predict_dense_first", "bce_fresh", lambda m: m.predict(X.reshape(N, 2, 2), verbose=0), ValueError,
     ["x", "Flatten()"]),
    ("x_no_samples", "bce_built", fit(X[:0], Y01[:0]), ValueError, ["x", "no samples"]),
    ("x_no_features", "bce_fresh", fit(np.zeros((N, 0)), Y01), ValueError, ["x", "no features"]),
    ("x_feature_count", "bce_built", fit(X[:, :3], Y01), ValueError, ["x", "3 features", "built for 4", "same columns"]),
    ("predict_feature_count", "scce_built", lambda m: m.predict(np.ones((2, 5)), verbose=0), ValueError,
     ["x", "5 features", "4"]),
    ("x_ragged_list", "bce_fresh", fit([[1, 2, 3, 4], [1, 2]], [0, 1]), ValueError, ["x", "ragged", "row 1"]),
    ("x_none", "bce_built", fit(None, Y01), ValueError, ["x", "None"]),
    ("x_y_length", "bce_built", fit(X, Y01[:9]), ValueError, ["x and y", "10 and 9", "row 9"]),
    ("x_y_length_fresh", "scce_fresh", fit(X[:8], Y3), ValueError, ["x and y", "8 and 10"]),
    # -- x that is not numbers --------------------------------------------------------------
    ("x_text", "bce_built", fit(_with(X.astype(object), (2, 1), "tall"), Y01), TypeError,
     ["x", "row 2, column 1", "'tall'", "convert"]),
    ("x_numbers_as_text", "bce_built", fit(X.astype(str), Y01), TypeError, ["x", "text", "dtype='float32'"]),
    ("x_text_unicode_array", "bce_built", fit(np.array([["1", "2", "a", "4"]] * N), Y01), TypeError,
     ["x", "row 0, column 2", "'a'"]),
    ("x_none_inside", "bce_fresh", fit(_with(X.astype(object), (1, 3), None), Y01), TypeError,
     ["x", "row 1, column 3", "missing value"]),
    ("x_complex", "bce_built", fit(X.astype(complex), Y01), TypeError, ["x", "complex", "x.real"]),
    ("x_datetime", "bce_built", fit(np.zeros((N, 4), dtype="datetime64[s]"), Y01), TypeError, ["x", "not numeric"]),
    ("x_string", "bce_built", fit("data.csv", Y01), TypeError, ["x", "string"]),
    ("x_dict", "bce_fresh", fit({"a": X[:, 0]}, Y01), TypeError, ["x", "dict"]),
    ("x_frame_nan_names_column", "bce_built", fit(FakeFrame(_with(X, (2, 1), np.nan), COLS), Y01), ValueError,
     ["x", "row 2, column 1 ('height')"]),
    ("x_frame_text_names_column", "bce_fresh",
     fit(FakeFrame(_with(X.astype(object), (4, 3), "high"), COLS), Y01), TypeError,
     ["x", "row 4, column 3 ('income')", "'high'"]),
    # -- y: non-finite, not numbers ---------------------------------------------------------
    ("y_nan", "bce_built", fit(X, _with(Y01, 1, np.nan)), ValueError, ["y", "nan", "row 1"]),
    ("y_posinf_mse", "mse_built", fit(X, _with(np.zeros((N, 2)), (3, 1), np.inf)), ValueError,
     ["y", "inf", "row 3, column 1"]),
    ("y_neginf_mse", "mse_fresh", fit(X, _with(np.zeros((N, 2)), (8, 0), -np.inf)), ValueError,
     ["y", "-inf", "row 8, column 0"]),
    ("y_text", "bce_built", fit(X, np.array(["cat", "dog"] * 5)), TypeError, ["y", "row 0", "'cat'"]),
    ("y_complex", "mse_built", fit(X, np.zeros((N, 2), complex)), TypeError, ["y", "complex"]),
    ("y_none", "bce_built", fit(X, None), ValueError, ["y", "None"]),
    ("y_series_nan", "bce_built", fit(X, FakeSeries(_with(Y01, 6, np.nan))), ValueError, ["y", "row 6"]),
    # -- y against the loss ---------------------------------------------------------------
    ("bce_label_2", "bce_built", fit(X, _with(Y01, 4, 2.0)), ValueError, ["y", "2", "row 4", "[0, 1]", "Sparse"]),
    ("bce_label_negative", "bce_fresh", fit(X, _with(Y01, 0, -1.0)), ValueError, ["y", "-1", "row 0", "[0, 1]"]),
    ("bce_int_labels_0_1_2", "bce_built", fit(X, Y3), ValueError, ["y", "row 2", "[0, 1]"]),
    ("bce_two_columns", "bce_built", fit(X, np.zeros((N, 2))), ValueError, ["y", "(10, 2)", "(1,)"]),
    ("scce_out_of_range", "scce_built", fit(X, _with(Y3, 5, 3)), ValueError, ["y", "label 3", "row 5", "0..2", "units"]),
    ("scce_out_of_range_fresh", "scce_fresh", fit(X, _with(Y3, 9, 7)), ValueError, ["y", "label 7", "row 9"]),
    ("scce_negative", "scce_built", fit(X, _with(Y3, 2, -1)), ValueError, ["y", "-1", "row 2", "start at 0"]),
    ("scce_non_integer", "scce_built", fit(X, _with(Y3.astype(float), 3, 1.5)), ValueError,
     ["y", "non-integer", "1.5", "row 3"]),
    ("scce_huge_float", "scce_fresh", fit(X, _with(Y3.astype(float), 1, 1e30)), ValueError, ["y", "row 1", "0..2"]),
    ("scce_given_one_hot", "scce_built", fit(X, ONEHOT3), ValueError, ["y", "(10, 3)", "CategoricalCrossentropy"]),
    ("cce_wrong_width", "cce_built", fit(X, np.eye(4, dtype="float32")[np.arange(N) % 4]), ValueError,
     ["y", "(10, 4)", "3 columns", "to_categorical"]),
    ("cce_wrong_width_fresh", "cce_fresh", fit(X, ONEHOT3[:, :2]), ValueError, ["y", "(10, 2)", "3 columns"]),
    ("cce_integer_labels", "cce_built", fit(X, Y3), ValueError, ["y", "to_categorical", "Sparse"]),
    ("cce_negative", "cce_built", fit(X, _with(ONEHOT3, (2, 1), -1.0)), ValueError, ["y", "row 2, column 1", "one-hot"]),
    ("mse_wrong_width", "mse_built", fit(X, np.zeros((N, 3))), ValueError, ["y", "(10, 3)", "(2,)"]),
    ("evaluate_bce_label", "bce_built", evaluate(X, _with(Y01, 8, 5.0)), ValueError, ["y", "row 8", "[0, 1]"]),
    # -- sample_weight, class_weight ----------------------------------------------------------
    ("sample_weight_negative", "bce_built", fit(X, Y01, sample_weight=_with(np.ones(N), 4, -2.0)), ValueError,
     ["sample_weight", "row 4", ">= 0"]),
    ("sample_weight_length", "bce_fresh", fit(X, Y01, sample_weight=np.ones(N - 1)), ValueError,
     ["sample_weight", "(10,)"]),
    ("sample_weight_nan", "bce_built", fit(X, Y01, sample_weight=_with(np.ones(N), 2, np.nan)), ValueError,
     ["sample_weight", "row 2"]),
    ("class_weight_missing_class", "scce_fresh", fit(X, Y3, class_weight={0: 1.0, 1: 2.0}), ValueError,
     ["class_weight", "2"]),
    # -- validation data -----------------------------------------------------------------
    ("validation_x_nan", "bce_fresh", fit(X, Y01, validation_data=(_with(X, (1, 1), np.nan), Y01)), ValueError,
     ["validation_data[0]", "row 1, column 1"]),
    ("validation_y_bce", "bce_built", fit(X, Y01, validation_data=(X, _with(Y01, 3, 4.0))), ValueError,
     ["validation_data[1]", "row 3"]),
    ("validation_features", "bce_fresh", fit(X, Y01, validation_data=(X[:, :3], Y01)), ValueError,
     ["validation_data[0]", "3 features", "4"]),
    ("validation_not_tuple", "bce_built", fit(X, Y01, validation_data=X), ValueError, ["validation_data", "tuple"]),
    # -- fit's own arguments ------------------------------------------------------------
    ("batch_size_0", "bce_fresh", fit(X, Y01, batch_size=0), ValueError, ["batch_size", "positive", "0"]),
    ("batch_size_negative", "bce_built", fit(X, Y01, batch_size=-4), ValueError, ["batch_size", "-4"]),
    ("batch_size_float", "bce_built", fit(X, Y01, batch_size=2.5), ValueError, ["batch_size", "2.5"]),
    ("epochs_negative", "bce_built", fit(X, Y01, epochs=-1), ValueError, ["epochs", ">= 0", "-1"]),
    ("validation_split_1", "bce_fresh", fit(X, Y01, validation_split=1.0), ValueError, ["validation_split", "[0, 1)"]),
    ("validation_split_negative", "bce_built", fit(X, Y01, validation_split=-0.2), ValueError, ["validation_split"]),
    ("validation_split_too_large", "bce_fresh", fit(X, Y01, validation_split=0.95), ValueError,
     ["validation_split", "no training"]),
    ("shuffle_text", "bce_built", fit(X, Y01, shuffle="yes"), ValueError, ["shuffle"]),
    ("verbose_7", "bce_built", lambda m: m.fit(X, Y01, verbose=7), ValueError, ["verbose", "7"]),
    ("evaluate_batch_size", "bce_built", evaluate(X, Y01, batch_size=0), ValueError, ["batch_size"]),
    ("predict_batch_size", "bce_built", lambda m: m.predict(X, batch_size=-1, verbose=0), ValueError, ["batch_size"]),
    # -- train_on_batch / test_on_batch ---------------------------------------------------
    ("train_on_batch_y_nan", "bce_built", lambda m: m.train_on_batch(X, _with(Y01, 2, np.nan)), ValueError,
     ["y", "row 2"]),
    ("train_on_batch_scce_range", "scce_fresh", lambda m: m.train_on_batch(X, _with(Y3, 4, 3)), ValueError,
     ["y", "row 4", "0..2"]),
    ("train_on_batch_x_text", "scce_built", lambda m: m.train_on_batch(_with(X.astype(object), (0, 0), "x"), Y3),
     TypeError, ["x", "row 0, column 0"]),
    ("test_on_batch_length", "bce_built", lambda m: m.test_on_batch(X, Y01[:3]), ValueError, ["x and y", "10 and 3"]),
]


@pytest.mark.parametrize("kind, action, exc, parts", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_the_model_is_unchanged(kind, action, exc, parts):
    model = _model(kind)
    before = _state(model)
    with pytest.raises(exc) as info:
        action(model)
    message = str(info.value)
    for part in parts:
        assert part in message, f"{part!r} not in message: {message}"
    assert "\n" not in message            # one sentence or two, never a stack of frames
    _assert_unchanged(before, _state(model))


def test_the_battery_is_large_enough():
    assert len(CASES) >= 40


# ---------------------------------------------------------------------------------------
# Before compile, and compile's arguments
# ---------------------------------------------------------------------------------------
def test_fit_and_evaluate_before_compile():
    model = Sequential([Dense(1, activation="sigmoid")])
    for call in (lambda: model.fit(X, Y01, verbose=0), lambda: model.evaluate(X, Y01, verbose=0),
                 lambda: model.train_on_batch(X, Y01)):
        with pytest.raises(ValueError, match=r"compile\(\)"):
            call()
    assert not model.built


def test_compiled_without_a_loss():
    model = Sequential([Dense(1)])
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="loss"):
        model.fit(X, Y01, verbose=0)
    assert not model.built


COMPILE_CASES = [
    ("optimizer_typo", dict(optimizer="adma", loss="mse"), ValueError, ["optimizer", "'adma'", "Did you mean 'adam'"]),
    ("optimizer_type", dict(optimizer=3, loss="mse"), TypeError, ["optimizer"]),
    ("loss_typo", dict(loss="binary_crossentropi"), ValueError, ["loss", "Did you mean 'binary_crossentropy'"]),
    ("loss_typo_mse", dict(loss="mes"), ValueError, ["loss", "'mes'", "Known"]),
    ("metric_typo", dict(loss="mse", metrics=["acuracy"]), ValueError, ["metric", "Did you mean 'accuracy'"]),
    ("metrics_not_a_list", dict(loss="mse", metrics="accuracy"), TypeError, ["metrics", "list"]),
]


@pytest.mark.parametrize("kwargs, exc, parts", [c[1:] for c in COMPILE_CASES], ids=[c[0] for c in COMPILE_CASES])
def test_compile_refuses_and_keeps_the_previous_compile(kwargs, exc, parts):
    model = _model("bce_built")
    before = _state(model)
    with pytest.raises(exc) as info:
        model.compile(**kwargs)
    for part in parts:
        assert part in str(info.value), str(info.value)
    _assert_unchanged(before, _state(model))


# ---------------------------------------------------------------------------------------
# Construction-time arguments
# ---------------------------------------------------------------------------------------
CONSTRUCTOR_CASES = [
    ("units_0", lambda: Dense(0), ValueError, ["units", "positive", "0"]),
    ("units_negative", lambda: Dense(-3), ValueError, ["units", "-3"]),
    ("units_float", lambda: Dense(2.5), ValueError, ["units", "2.5"]),
    ("units_text", lambda: Dense("8"), ValueError, ["units", "'8'"]),
    ("activation_typo", lambda: Dense(2, activation="rleu"), ValueError, ["activation", "Did you mean 'relu'"]),
    ("activation_layer_typo", lambda: layers.Activation("sigmoyd"), ValueError,
     ["activation", "Did you mean 'sigmoid'"]),
    ("activation_type", lambda: Dense(2, activation=3), TypeError, ["activation"]),
    ("initializer_typo", lambda: Dense(2, kernel_initializer="glorot_unifrom"), ValueError,
     ["initializer", "Did you mean 'glorot_uniform'"]),
    ("unknown_argument", lambda: Dense(2, unitz=3), TypeError, ["unitz"]),
    ("dropout_rate_1", lambda: Dropout(1.0), ValueError, ["rate", "[0, 1)"]),
    ("input_shape_0", lambda: Input(shape=(0,)), ValueError, ["shape", "positive"]),
    ("lr_negative", lambda: optimizers.SGD(learning_rate=-0.1), ValueError, ["learning_rate", ">= 0", "-0.1"]),
    ("lr_nan", lambda: optimizers.Adam(learning_rate=float("nan")), ValueError, ["learning_rate", "finite"]),
    ("lr_inf", lambda: optimizers.RMSprop(learning_rate=float("inf")), ValueError, ["learning_rate", "finite"]),
    ("clipnorm_with_clipvalue", lambda: optimizers.SGD(clipnorm=1.0, clipvalue=0.5), ValueError,
     ["clipnorm", "clipvalue", "only one"]),
    ("clipnorm_with_global", lambda: optimizers.Adam(clipnorm=1.0, global_clipnorm=1.0), ValueError,
     ["clipnorm", "global_clipnorm"]),
    ("clipnorm_negative", lambda: optimizers.Adam(clipnorm=-1.0), ValueError, ["clipnorm", "> 0"]),
    ("momentum_out_of_range", lambda: optimizers.SGD(momentum=1.5), ValueError, ["momentum", "[0, 1]"]),
    ("beta_1_is_1", lambda: optimizers.Adam(beta_1=1.0), ValueError, ["beta_1", "[0, 1)"]),
    ("weight_decay_negative", lambda: optimizers.AdamW(weight_decay=-0.1), ValueError, ["weight_decay", ">= 0"]),
    ("label_smoothing_2", lambda: glassnet.losses.BinaryCrossentropy(label_smoothing=2), ValueError,
     ["label_smoothing", "[0, 1]"]),
    ("huber_delta_0", lambda: glassnet.losses.Huber(delta=0), ValueError, ["delta", "> 0"]),
    ("seed_negative", lambda: glassnet.utils.set_random_seed(-1), ValueError, ["seed", "non-negative"]),
    ("floatx_typo", lambda: glassnet.config.set_floatx("float"), ValueError, ["float32"]),
]


@pytest.mark.parametrize("make, exc, parts", [c[1:] for c in CONSTRUCTOR_CASES],
                         ids=[c[0] for c in CONSTRUCTOR_CASES])
def test_constructor_arguments_are_checked(make, exc, parts):
    with pytest.raises(exc) as info:
        make()
    for part in parts:
        assert part in str(info.value), str(info.value)


def test_learning_rate_setter_refuses_negative_and_keeps_the_old_value():
    opt = optimizers.SGD(learning_rate=0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0
    assert opt.learning_rate == 0.1


# ---------------------------------------------------------------------------------------
# What is accepted, as Keras accepts it
# ---------------------------------------------------------------------------------------
def _trained(x, y, kind="bce_fresh"):
    model = _model(kind)
    glassnet.utils.set_random_seed(3)
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    return model.get_weights(), history.history["loss"]


@pytest.mark.parametrize("form", ["list", "tuple", "frame", "object_numbers", "int_x", "float64_x", "y_column"])
def test_lists_tuples_frames_train_exactly_like_arrays(form):
    x, y = X, Y01
    if form == "list":
        x, y = X.tolist(), Y01.tolist()
    elif form == "tuple":
        x, y = tuple(tuple(r) for r in X.tolist()), tuple(Y01.tolist())
    elif form == "frame":
        x, y = FakeFrame(X, COLS), FakeSeries(Y01)
    elif form == "object_numbers":
        x = X.astype(object)
    elif form == "int_x":
        x = (X * 10).astype(int)
    elif form == "float64_x":
        x = X.astype("float64")
    elif form == "y_column":
        y = Y01.reshape(-1, 1)
    ref_x = (X * 10).astype(int).astype("float32") if form == "int_x" else X
    got_w, got_loss = _trained(x, y)
    ref_w, ref_loss = _trained(ref_x, Y01)
    assert got_loss == ref_loss
    for a, b in zip(got_w, ref_w):
        np.testing.assert_array_equal(a, b)


def test_real_pandas_dataframe_when_installed():
    import pandas as pd                         # in the test extra
    frame = pd.DataFrame(X, columns=COLS)
    got_w, _ = _trained(frame, pd.Series(Y01))
    ref_w, _ = _trained(X, Y01)
    for a, b in zip(got_w, ref_w):
        np.testing.assert_array_equal(a, b)
    frame.iloc[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"row 2, column 1 \('height'\)"):
        _model("bce_fresh").fit(frame, Y01, verbose=0)


def test_sparse_labels_accepted_as_column_and_as_integer_floats():
    for y in (Y3.reshape(-1, 1), Y3.astype("float32"), Y3.astype(np.uint8)):
        _model("scce_fresh").fit(X, y, verbose=0)


def test_flatten_first_takes_3d_input():
    model = Sequential([Flatten(), Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")
    model.fit(X.reshape(N, 2, 2), Y01, verbose=0)
    assert model.predict(X.reshape(N, 2, 2), verbose=0).shape == (N, 1)
    with pytest.raises(ValueError, match="dimensions"):     # now built for (2, 2) samples
        model.predict(X, verbose=0)


def test_declared_input_shape_allows_3d_before_dense():
    model = Sequential([Input(shape=(2, 2)), Dense(3)])      # Dense on the last axis, as Keras
    assert model.predict(X.reshape(N, 2, 2), verbose=0).shape == (N, 2, 3)


def test_dropout_before_dense_still_needs_2d():
    model = Sequential([Dropout(0.1), Dense(1)])
    with pytest.raises(ValueError, match=r"Flatten\(\)"):
        model.predict(X.reshape(N, 2, 2), verbose=0)
    assert not model.built


def test_probabilities_are_valid_bce_labels():
    _model("bce_fresh").fit(X, np.linspace(0, 1, N), verbose=0)


def test_a_dataframe_with_one_hot_boolean_columns_trains_and_adapts():
    """pandas' get_dummies gives bool columns beside float ones: np.array(df) is an object
    array (TensorFlow's "Regression" tutorial); its booleans count as 0/1."""
    import pandas as pd                         # in the test extra
    import glassnet
    df = pd.DataFrame({"hp": [90.0, 120.0, 80.0, 150.0], "USA": [True, False, True, False],
                       "Japan": [False, True, False, True]})
    norm = glassnet.keras.layers.Normalization(axis=-1)
    norm.adapt(np.array(df))
    np.testing.assert_allclose(norm.mean.numpy(), [[110.0, 0.5, 0.5]])
    model = glassnet.keras.Sequential([norm, glassnet.keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mean_absolute_error")
    model.fit(df, np.array([20.0, 15.0, 25.0, 12.0]), epochs=2, verbose=0)
    with pytest.raises(TypeError, match="the text 'x'"):
        model.fit(np.array([[1.0, True, "x"]], dtype=object), np.array([1.0]), verbose=0)
