"""``Normalization``: adapt, forward/invert, gradients, in a model, Keras's numbers, files, errors."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import saving
from glassnet.keras.layers import Dense, Normalization
from glassnet.saving import UnsafeFileError, safe_zip

FIXTURES = Path(__file__).parent / "fixtures" / "keras_files"

# The five-roast example used for the Keras numbers below (temperature, duration).
ROASTS = np.array([[200., 13.9], [250., 15.0], [185., 12.0], [230., 17.5], [175., 14.2]], dtype="float32")


def coffee(n=200, seed=2):
    """The course's load_coffee_data: temperature 150-285, duration 11.5-15.5, good roasts = 1."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 2))
    x[:, 1] = x[:, 1] * 4 + 11.5
    x[:, 0] = x[:, 0] * (285 - 150) + 150
    line = -3 / (260 - 175) * x[:, 0] + 21
    y = (x[:, 0] > 175) & (x[:, 0] < 260) & (x[:, 1] > 12) & (x[:, 1] < 15) & (x[:, 1] <= line)
    return x.astype("float32"), y.astype("float32").reshape(-1, 1)


def coffee_model(norm):
    return glassnet.Sequential([glassnet.Input(shape=(2,)), norm, Dense(3, activation="sigmoid"),
                                Dense(1, activation="sigmoid")])


@pytest.fixture
def float64():
    glassnet.config.set_floatx("float64")
    yield
    glassnet.config.set_floatx("float32")


# -- adapt and forward ----------------------------------------------------------------------------
def test_adapt_learns_per_feature_mean_and_population_variance():
    x = np.random.default_rng(0).normal([200.0, 14.0, -3.0], [30.0, 1.0, 0.01], size=(64, 3))
    norm = Normalization(axis=-1)
    norm.adapt(x)
    mean, variance, count = norm.get_weights()
    np.testing.assert_allclose(mean, x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(variance, x.var(axis=0), rtol=1e-6)      # ddof=0, as Keras
    assert mean.shape == variance.shape == (3,) and mean.dtype == np.float32
    assert count.shape == () and count.dtype == np.int64 and count == 0  # Keras 3 keeps it at 0
    assert [v.name for v in norm.weights] == ["mean", "variance", "count"]
    assert norm.trainable_weights == [] and len(norm.non_trainable_weights) == 3
    assert norm.count_params() == 7
    assert norm.mean.shape == (1, 3)                                      # broadcast shape, as Keras
    out = norm(x)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)         # float32 arithmetic
    np.testing.assert_allclose(out.std(axis=0), 1, rtol=1e-4)


def test_adapt_again_relearns_and_batches_count_as_one_array():
    x = np.arange(20.0).reshape(10, 2)
    norm = Normalization()
    norm.adapt([x[:4], x[4:]])                       # a list of batches
    np.testing.assert_allclose(norm.get_weights()[0], x.mean(axis=0))
    norm.adapt(x * 10)
    np.testing.assert_allclose(norm.get_weights()[1], (x * 10).var(axis=0), rtol=1e-6)


def test_forward_invert_and_epsilon():
    norm = Normalization()
    norm.adapt(ROASTS)
    mean, var = ROASTS.mean(0), ROASTS.var(0)
    np.testing.assert_allclose(norm(ROASTS), (ROASTS - mean) / np.sqrt(var), rtol=1e-5)
    inv = Normalization(invert=True)
    inv.adapt(ROASTS)
    np.testing.assert_allclose(inv(norm(ROASTS)), ROASTS, rtol=1e-6)
    # a constant feature: s = max(sqrt(0), epsilon) = 1e-7, as Keras (not sqrt(0 + epsilon))
    const = Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    np.testing.assert_allclose(const(np.array([[3.0, 2.0], [0.0, 3.0]])), [[1.0, 0.0], [-0.5, 1e7]], rtol=1e-6)
    assert const.weights == [] and const.count_params() == 0   # given values are not weights (Keras)


def test_axes_none_and_several():
    x = np.arange(24, dtype="float32").reshape(4, 3, 2) ** 1.5
    for axis, shape in ((-1, (2,)), ((1, 2), (3, 2)), (None, ()), (1, (3,)), ((-1, 1), (3, 2))):
        norm = Normalization(axis=axis)
        norm.adapt(x)
        assert norm.get_weights()[0].shape == shape
        reduce = tuple(d for d in range(3) if d not in norm._keep_axis)
        expected = (x - x.mean(reduce, keepdims=True)) / x.std(reduce, keepdims=True)
        np.testing.assert_allclose(norm(x), expected, rtol=1e-5, atol=1e-6)


# -- Keras's numbers -------------------------------------------------------------------------
def test_keras_numbers():
    # From keras 3.15.1 (TensorFlow backend), /opt/peers/bin/python: Normalization(axis=-1),
    # adapt(ROASTS), then layer(ROASTS); invert=True on [[1, -0.5]]; .weights after adapt.
    norm = Normalization(axis=-1)
    norm.adapt(ROASTS)
    mean, variance, count = norm.get_weights()
    np.testing.assert_array_equal(mean, np.array([208.0, 14.5199995], "float32"))
    np.testing.assert_array_equal(variance, np.array([786.0, 3.1896], "float32"))
    keras_out = [[-0.2853505313396454, -0.34715503454208374], [1.498090386390686, 0.26876553893089294],
                 [-0.820382833480835, -1.4110172986984253], [0.7847139835357666, 1.6685845851898193],
                 [-1.17707097530365, -0.17917665839195251]]
    np.testing.assert_allclose(norm(ROASTS), keras_out, rtol=1e-6, atol=1e-7)
    inv = Normalization(axis=-1, invert=True)
    inv.adapt(ROASTS)
    np.testing.assert_allclose(inv(np.array([[1.0, -0.5]])), [[236.0356903076172, 13.627026557922363]], rtol=1e-6)
    # keras docs example: axis=None, adapt([1, 2, 3, 4, 5]), call on [1, 2, 3]
    scalar = Normalization(axis=None)
    scalar.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], "float32"))
    np.testing.assert_allclose(scalar(np.array([1.0, 2.0, 3.0])), [-1.4142135381698608, -0.7071067690849304, 0.0],
                               rtol=1e-6)
    # given values line up with the kept axes from the right: axis=(1, 2), mean of shape (2,)
    x = np.arange(24, dtype="float32").reshape(4, 3, 2) ** 1.5
    given = Normalization(axis=(1, 2), mean=[1.0, 2.0], variance=[4.0, 9.0])
    np.testing.assert_allclose(given(x[:1]).ravel(), [-0.5, -0.3333333432674408, 0.9142135381698608,
                                                      1.0653842687606812, 3.5, 3.0601131916046143], rtol=1e-6)
    # Keras's config keys and values
    cfg = Normalization(name="n").get_config()
    assert {k: cfg[k] for k in ("axis", "invert", "mean", "variance")} == \
        {"axis": (-1,), "invert": False, "mean": None, "variance": None}


def test_keras_adapted_fixture_matches():
    # tools/make_keras_normalization.py: Keras's adapt on x_train (tests/test_saving.py also loads
    # this file, predicts with it and resumes its training).
    ref = np.load(FIXTURES / "normalization_coffee.npz")
    norm = Normalization()
    norm.adapt(ref["x_train"])
    np.testing.assert_array_equal(norm.get_weights()[0], ref["mean"])
    np.testing.assert_allclose(norm.get_weights()[1], ref["variance"], rtol=1e-6)
    model = glassnet.models.load_model(FIXTURES / "normalization_coffee.keras")
    assert type(model.layers[0]) is Normalization
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], ref["mean"])


# -- gradients ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"invert": True}, {"axis": (1, 2)}, {"axis": None},
                                    {"mean": [1.0, -2.0], "variance": [4.0, 0.25]}])
def test_input_gradient_matches_central_differences(float64, kwargs):
    rng = np.random.default_rng(1)
    shape = (5, 3, 2) if kwargs.get("axis") == (1, 2) else (6, 2)
    x = rng.normal(3.0, [5.0, 0.5], size=shape)
    norm = Normalization(**kwargs)
    if "mean" not in kwargs:
        norm.adapt(rng.normal(1.0, [4.0, 0.3], size=shape))
    G = rng.normal(size=shape)

    def f(a):
        return float(np.sum(G * norm(a)))

    norm(x)
    dx = norm.backward(G.copy())
    assert dx.dtype == np.float64
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + 1e-6
        up = f(x)
        x[i] = old - 1e-6
        numeric[i] = (up - f(x)) / 2e-6
        x[i] = old
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-8)
    assert norm.backward(G, need_input_grad=False) is None        # first layer: nothing to return
    assert all(not np.any(v.grad) for v in norm.weights)            # mean and variance are not trained


# -- in a model -------------------------------------------------------------------------------
def test_coffee_roasting_model_learns_with_normalization_and_not_without():
    X, Y = coffee()
    glassnet.utils.set_random_seed(1)
    norm_l = glassnet.keras.layers.Normalization(axis=-1)
    norm_l.adapt(X)
    model = coffee_model(norm_l)
    model.compile(loss=glassnet.losses.BinaryCrossentropy(), optimizer=glassnet.optimizers.Adam(0.05),
                  metrics=["accuracy"])
    before = norm_l.get_weights()
    model.fit(X, Y, epochs=1000, verbose=0)
    # Keras 3.15 from this seed (its weights, masks and order, as glassnet's now): accuracy 0.955, loss 0.1139
    assert ((model.predict(X, verbose=0) > 0.5) == Y).mean() >= 0.95
    loss, acc = model.evaluate(X, Y, verbose=0)
    assert acc >= 0.95 and loss < 0.12
    for a, b in zip(before, norm_l.get_weights()):                  # fit does not touch them
        np.testing.assert_array_equal(a, b)
    glassnet.utils.set_random_seed(1)
    raw = glassnet.Sequential([glassnet.Input(shape=(2,)), Dense(3, activation="sigmoid"),
                               Dense(1, activation="sigmoid")])
    raw.compile(loss="binary_crossentropy", optimizer=glassnet.optimizers.Adam(0.05), metrics=["accuracy"])
    raw.fit(X, Y, epochs=1000, verbose=0)
    assert raw.evaluate(X, Y, verbose=0)[1] < 0.85                 # temperatures ~200 saturate the sigmoids


def test_adapted_first_layer_without_input_builds_from_fit():
    X, Y = coffee(40)
    norm = Normalization()
    norm.adapt(X)
    model = glassnet.Sequential([norm, Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")
    model.fit(X, Y, epochs=2, verbose=0)
    assert model.predict(X, verbose=0).shape == (40, 1)
    assert glassnet.layers.Normalization is Normalization and glassnet.layers.get_class("Normalization") is Normalization


# -- files ---------------------------------------------------------------------------------------
def test_save_load_round_trips(tmp_path):
    X, Y = coffee(60)
    norm = Normalization()
    norm.adapt(X)
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), norm, Dense(3, activation="sigmoid"),
                                 Dense(2), Normalization(mean=[0.5, 10.0], variance=[4.0, 0.0], invert=True)])
    model.compile(optimizer=glassnet.optimizers.Adam(0.01), loss="mse")
    model.fit(X, np.hstack([Y, Y]), epochs=3, verbose=0)
    want = model.predict(X, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        layers_cfg = json.loads(z.read("config.json"))["config"]["layers"]
    assert layers_cfg[1]["class_name"] == "Normalization" and layers_cfg[1]["config"]["axis"] == [-1]
    assert layers_cfg[4]["config"]["mean"] == [0.5, 10.0] and layers_cfg[4]["config"]["invert"] is True
    back = glassnet.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(back.predict(X, verbose=0), want)
    for a, b in zip(back.get_weights(), model.get_weights()):
        assert a.dtype == b.dtype and a.shape == b.shape
    for suffix in (".weights.h5", ".safetensors"):
        model.save_weights(tmp_path / f"w{suffix}")
        fresh = glassnet.Sequential([glassnet.Input(shape=(2,)), Normalization(), Dense(3, activation="sigmoid"),
                                     Dense(2), Normalization(mean=[0.5, 10.0], variance=[4.0, 0.0], invert=True)])
        fresh.load_weights(tmp_path / f"w{suffix}")                  # unadapted until the weights arrive
        np.testing.assert_array_equal(fresh.predict(X, verbose=0), want)
    other = coffee_model(Normalization())          # Sequential.set_weights also makes it ready
    other.set_weights(model.get_weights()[:5] + [np.zeros((3, 1)), np.zeros(1)])
    np.testing.assert_array_equal(other.layers[0](X), model.layers[0](X))


def test_shape_bomb_through_normalization_is_refused(tmp_path):
    norm = Normalization(axis=(1, 2))
    norm.adapt(np.zeros((2, 3, 4)))
    model = glassnet.Sequential([glassnet.Input(shape=(3, 4)), norm])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        members = {name: z.read(name) for name in z.namelist()}
    cfg = json.loads(members["config.json"])
    cfg["config"]["layers"][0]["config"]["batch_shape"] = [None, 1 << 14, 1 << 14]     # 2 x 2**28 weights
    members["config.json"] = json.dumps(cfg).encode()
    with pytest.raises(UnsafeFileError, match="shape bomb"):
        saving.load_model(io.BytesIO(safe_zip.pack(members)))


# -- clear errors --------------------------------------------------------------------------------
def test_unadapted_use_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"adapt\(X\)"):
        Normalization()(np.ones((2, 2)))
    model = coffee_model(Normalization(name="norm_l"))
    model.compile(loss="binary_crossentropy")
    with pytest.raises(ValueError, match="'norm_l' has not learned its mean and variance"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    with pytest.raises(ValueError, match="adapt"):
        model.predict(np.ones((4, 2)), verbose=0)


def test_wrong_feature_count_is_refused():
    norm = Normalization()
    norm.adapt(ROASTS)
    with pytest.raises(ValueError, match=r"built for inputs shaped \(None, 2\).*\(4, 3\)"):
        norm(np.ones((4, 3)))
    with pytest.raises(ValueError, match="adapt data"):
        norm.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match="built for inputs shaped"):
        glassnet.Sequential([glassnet.Input(shape=(3,)), norm])
    with pytest.raises(ValueError, match="do not fit"):
        Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 1.0, 1.0])(np.ones((2, 2)))


@pytest.mark.parametrize("axis", ["features", 1.5, True, [0.5]])
def test_bad_axis_type_is_refused(axis):
    with pytest.raises(ValueError, match="axis must be an integer"):
        Normalization(axis=axis)


def test_bad_axis_value_and_bad_arguments_are_refused():
    with pytest.raises(ValueError, match=r"axis=\(2,\) does not fit inputs of shape \(None, 2\)"):
        Normalization(axis=2).adapt(ROASTS)
    with pytest.raises(ValueError, match="keeps axis 0, the samples"):
        Normalization(axis=0).adapt(ROASTS)
    with pytest.raises(ValueError, match="both mean and variance"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        Normalization(mean=[1.0, 2.0], variance=1.0)
    with pytest.raises(ValueError, match=">= 0"):
        Normalization(mean=1.0, variance=-1.0)
    with pytest.raises(ValueError, match="was given mean and variance"):
        Normalization(mean=1.0, variance=1.0).adapt(ROASTS)
    with pytest.raises(ValueError, match="NaN"):
        Normalization().adapt(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="array of numbers"):
        Normalization().adapt([["a", "b"]])


def test_gradcheck_and_summary_with_a_normalization_layer(capsys):
    """gradcheck checks what backward computes (trainable weights and dX), not the frozen
    statistics; summary counts the int64 count as 8 bytes, as Keras does (76 B here)."""
    rng = np.random.default_rng(0)
    x = (rng.random((20, 2)) * [200, 15]).astype("float32")
    y = (x[:, 0] > 100).astype("float32")
    norm = glassnet.layers.Normalization()
    norm.adapt(x)
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), norm,
                                 glassnet.layers.Dense(3, activation="sigmoid"),
                                 glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")
    report = glassnet.gradcheck(model, x, y)
    assert report.passed and len(report.rows) == 4          # two kernels, two biases
    assert glassnet.gradcheck(norm, x).passed               # dX of the layer itself
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 18 (76.00 B)" in out and "Non-trainable params: 5 (24.00 B)" in out


def test_standardised_data_survives_a_save_and_load(tmp_path):
    """A layer that learned exactly mean 0 and variance 1 is adapted all the same after loading
    (the model's set_weights goes through each layer's, which marks it adapted)."""
    x = np.array([[-1.0, 1.0], [1.0, -1.0]], dtype="float32")
    norm = glassnet.layers.Normalization()
    norm.adapt(x)
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), norm, Dense(1)])
    path = tmp_path / "standard.keras"
    model.save(path)
    loaded = glassnet.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    fresh = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Normalization(), Dense(1)])
    fresh.set_weights(model.get_weights())
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


# -- adapt on datasets, as Keras 3.15 takes them ------------------------------------------------
SIX = np.arange(12, dtype="float32").reshape(6, 2)
# Keras 3.15's adapt on SIX however it comes (array, dataset batched by 4 or unbatched, (x, y) pairs,
# a list of two batches): mean [[5, 6]], variance [[35/3, 35/3]]
KERAS_SIX = ([[5.0, 6.0]], [[11.666666984558105, 11.666666984558105]])


def _adapted(data, **kwargs):
    norm = Normalization(**kwargs)
    norm.adapt(data)
    return norm.mean.numpy().tolist(), norm.variance.numpy().tolist()


@pytest.mark.parametrize("make", [
    lambda d: d.from_tensor_slices(SIX), lambda d: d.from_tensor_slices(SIX).batch(4),
    lambda d: d.from_tensor_slices((SIX, np.zeros(6))).batch(4), lambda d: d.from_tensor_slices((SIX, np.zeros(6))),
    lambda d: d.from_tensor_slices((SIX, np.zeros(6))).batch(4).map(lambda x, y: x),
    lambda d: d.from_tensor_slices(SIX).batch(5).prefetch(1)],
    ids=["unbatched", "batched", "pairs", "unbatched-pairs", "mapped", "uneven"])
def test_adapt_takes_a_dataset_as_keras(make):
    got = _adapted(make(glassnet.data.Dataset))
    np.testing.assert_allclose(got[0], KERAS_SIX[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], KERAS_SIX[1], rtol=1e-6)


def test_adapt_on_datasets_of_other_shapes_as_keras():
    cube = np.arange(24, dtype="float32").reshape(3, 4, 2)
    Dataset = glassnet.data.Dataset
    # Keras 3.15: a batched 3-d dataset keeps (1, 1, 2); unbatched, each (4, 2) element is a batch
    mean, var = _adapted(Dataset.from_tensor_slices(cube).batch(2))
    assert np.asarray(mean).shape == (1, 1, 2)
    np.testing.assert_allclose(np.ravel(mean), [11.0, 12.0]) and np.testing.assert_allclose(
        np.ravel(var), [47.66666793823242] * 2, rtol=1e-6)
    mean, var = _adapted(Dataset.from_tensor_slices(cube))
    np.testing.assert_allclose(mean, [[11.0, 12.0]]) and np.testing.assert_allclose(var, [[47.666668] * 2], rtol=1e-6)
    # the structured-data tutorial: Normalization(axis=None) on a batched column, x[name] of (x, y)
    column = Dataset.from_tensor_slices(({"age": SIX[:, 0]}, np.zeros(6))).batch(4).map(lambda x, y: x["age"])
    mean, var = _adapted(column, axis=None)
    assert mean == pytest.approx([5.0]) and var == pytest.approx([11.666667])
    mean, _ = _adapted(Dataset.from_tensor_slices(np.arange(6).reshape(3, 2)).batch(2))     # integers
    assert mean == [[2.0, 3.0]]


def test_adapt_combines_many_uneven_batches_as_keras():
    """Batches combine by Keras 3.15's running update in float32 (each batch cast to float32): the
    numbers Keras's adapt gives on this dataset (recorded under TF 2.21), within float32 of the exact."""
    x = np.random.default_rng(3).normal([1000.0, -5.0], [3.0, 0.1], size=(1000, 2))
    norm = Normalization()
    norm.adapt(glassnet.data.Dataset.from_tensor_slices(x).batch(7))
    np.testing.assert_array_equal(norm.get_weights()[0], np.array([1000.137939453125, -4.999061107635498], np.float32))
    np.testing.assert_array_equal(norm.get_weights()[1], np.array([8.782769203186035, 0.009936193004250526], np.float32))
    np.testing.assert_allclose(norm.get_weights()[0], x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(norm.get_weights()[1], x.var(0), rtol=1e-5)


def test_adapt_refuses_what_keras_refuses_and_changes_nothing():
    Dataset = glassnet.data.Dataset
    norm = Normalization()
    norm.adapt(ROASTS)
    before = norm.get_weights()
    bad = [
        (Dataset.from_tensor_slices({"a": SIX}).batch(2), "dicts of features"),
        (Dataset.from_tensor_slices(SIX[:, 0]).batch(4), r"shape \(None,\).*axis=None"),
        (Dataset.from_tensor_slices(SIX[:, 0]), "single numbers: batch it"),
        (Dataset.from_tensor_slices(SIX).take(0).batch(2), "at least one sample, got no batches"),
        (Dataset.from_tensor_slices([["a", "b"]]).batch(1), "array of numbers, got a Dataset"),
        (Dataset.from_tensor_slices(np.array([[1.0, 2.0], [np.nan, 0.0]])).batch(1), "NaN or inf"),
        ([ROASTS[:2], np.ones((2, 3))], "batches differ in shape"),
    ]
    for data, message in bad:
        with pytest.raises(ValueError, match=message):
            norm.adapt(data)
        for got, want in zip(norm.get_weights(), before):
            np.testing.assert_array_equal(got, want)
    fresh = Normalization()
    with pytest.raises(ValueError, match="batches differ"):
        fresh.adapt([ROASTS[:2], np.ones((2, 3))])
    assert not fresh.built                      # nothing built from a refused call


def test_adapt_keras2_steps_and_batch_size():
    from glassnet.keras import legacy
    legacy.forget()
    ds = glassnet.data.Dataset.from_tensor_slices(SIX).batch(2)
    norm = Normalization()
    with pytest.warns(legacy.Keras2Warning, match="Keras 2's"):
        norm.adapt(ds, steps=1, batch_size=2)                 # the first batch only: rows 0 and 1
    np.testing.assert_allclose(norm.get_weights()[0], [1.0, 2.0])
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        Normalization().adapt(SIX, batch_size=0)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        Normalization().adapt(ds, steps=-1)
    import pandas as pd                                         # glassnet also takes a DataFrame (Keras 3 does not)
    assert _adapted(pd.DataFrame(SIX, columns=["a", "b"]))[0] == [[5.0, 6.0]]
    assert _adapted(SIX.tolist())[0] == [[5.0, 6.0]]


def test_an_input_of_higher_rank_broadcasts_as_kerass():
    """Keras 3.15: adapted on (batch, 2), the layer takes (2, 1, 2) and (2, 3, 2) inputs (the
    pandas tutorial's (batch, 1, 5) stack), broadcasting its (1, 2) mean; fewer axes or other
    feature sizes are refused."""
    norm = Normalization()
    norm.adapt(np.array([[1.0, 2.0], [3.0, 6.0]]))            # mean [2, 4], variance [1, 4]
    out = norm(np.array([[[3.0, 8.0]], [[1.0, 4.0]]]))
    assert out.shape == (2, 1, 2)
    np.testing.assert_allclose(out.numpy(), [[[1.0, 2.0]], [[-1.0, 0.0]]], rtol=1e-6)
    assert norm(np.ones((2, 3, 2))).shape == (2, 3, 2) and norm.compute_output_shape((None, 1, 2)) == (None, 1, 2)
    for shape in ((2, 3), (2,), (2, 1, 3)):
        with pytest.raises(ValueError, match="built for inputs shaped"):
            norm(np.ones(shape))
