"""``glassnet/optimizers/``. Adagrad and Adamax: real Keras's fits replayed
(tools/make_keras_optimizers.py), their state in Keras's order, and their files.
(Every registered optimizer trains through fit and names its slots: ``test_registries.py``;
SGD, RMSprop, Adam and AdamW against Keras: ``test_keras_parity.py``; the schedules:
``test_schedules.py``.)"""
import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import keras, optimizers
from glassnet.saving.h5 import optimizer_slots

CASES = json.loads((Path(__file__).parent / "fixtures" / "keras_optimizers.json").read_text())["cases"]


def _model(case):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array(w, np.float32) for w in case["start"]])
    model.compile(optimizer=getattr(keras.optimizers, case["class"])(**case["kwargs"]), loss="binary_crossentropy")
    return model


@pytest.mark.parametrize("case", CASES, ids=[f"{c['class']}-{i}" for i, c in enumerate(CASES)])
def test_fit_lands_on_kerass_weights_and_state(case):
    model = _model(case)
    history = model.fit(np.array(case["x"], np.float32), np.array(case["y"], np.float32), epochs=5,
                        batch_size=8, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), case["final"]):
        np.testing.assert_allclose(got, np.array(want, np.float32), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history.history["loss"], case["loss"], rtol=1e-5)
    opt = model.optimizer
    ours = [np.array(opt.iterations), np.array(opt.learning_rate, np.float32)] + optimizer_slots(opt)
    assert len(ours) == len(case["state"])
    for a, b in zip(ours, case["state"]):
        np.testing.assert_allclose(a, np.array(b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["adagrad", "adamax"])
def test_by_name_and_in_files(name, tmp_path):
    x = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=name, loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert type(again.optimizer) is type(model.optimizer)
    for a, b in zip(optimizer_slots(again.optimizer), optimizer_slots(model.optimizer)):
        np.testing.assert_array_equal(a, b)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="initial_accumulator_value must be >= 0"):
        optimizers.Adagrad(initial_accumulator_value=-1)
    with pytest.raises(ValueError, match="beta_1 must be in"):
        optimizers.Adamax(beta_1=1.0)


def test_iterations_answers_as_keras_variable_does():
    """The custom-training walkthrough prints ``optimizer.iterations.numpy()``; the count is
    still a plain number for arithmetic, and copies carry it."""
    import copy
    opt = glassnet.optimizers.SGD(learning_rate=0.01)
    assert opt.iterations.numpy() == 0 and isinstance(opt.iterations.numpy(), np.int64)
    w = glassnet.Variable(np.ones(2, np.float32))
    opt.apply_gradients([(np.ones(2, np.float32), w)])
    assert opt.iterations == 1 and opt.iterations + 1 == 2 and "Step: %d" % opt.iterations == "Step: 1"
    # printed as TF 2.21 prints Keras 3's variable (str, repr and f-strings alike)
    assert str(opt.iterations) == f"{opt.iterations}" == repr(opt.iterations) \
        == "<Variable path=sgd/iteration, shape=(), dtype=int64, value=1>"
    opt.iterations.assign(5)
    assert int(opt.iterations) == 5 and opt.iterations.dtype == "int64"
    twin = copy.deepcopy(opt)
    twin.iterations += 1
    assert (int(twin.iterations), int(opt.iterations)) == (6, 5)


def test_adam_in_float64_takes_its_betas_as_keras_ops_cast_gives_them():
    """Keras 3 on TensorFlow casts Python floats through a float32 tensor (``ops.cast(0.9,
    'float64')`` is 0.8999999761581421), which Adam's bias correction uses; glassnet's four
    Adam paths (readable, fused, compiled epoch, sweeps) do the same. Keras 3.15's losses for
    this seeded float64 fit (shuffle off) were 0.6962684885429625, 0.6920366644220133,
    0.6882079001854213, 0.6847895701119148, 0.6820403239522671; with exact betas glassnet's
    drifted by 2e-8 relative by the fifth epoch."""
    from glassnet.optimizers.base import keras_cast
    assert keras_cast(0.9, "float64") == np.float64(np.float32(0.9)) != 0.9
    assert keras_cast(0.9, np.float32) == np.float32(0.9)
    losses = _seeded_float64_losses(glassnet.keras.optimizers.Adam(0.01))
    np.testing.assert_allclose(losses, [0.6962684885429625, 0.6920366644220133, 0.6882079001854213,
                                        0.6847895701119148, 0.6820403239522671], rtol=1e-9)


@pytest.mark.parametrize("nesterov, keras_losses", [
    (False, [0.6944672525139859, 0.6767382285431721, 0.6611155810746946, 0.6584499204836933, 0.6625576588854418]),
    (True, [0.6934313688276207, 0.6743733757647112, 0.6615483323045274, 0.6602135189010432, 0.6634411283861463])])
def test_sgd_momentum_in_float64_as_keras_ops_cast_gives_it(nesterov, keras_losses):
    """SGD's momentum goes through Keras's ops.cast too (float32 first); Keras 3.15's losses."""
    losses = _seeded_float64_losses(glassnet.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=nesterov))
    np.testing.assert_allclose(losses, keras_losses, rtol=1e-9)


def _seeded_float64_losses(optimizer):
    """Five epochs' losses of a seeded float64 4-relu-1-sigmoid fit on fixed data, shuffle off
    (the program whose Keras 3.15 losses the tests above hold)."""
    keras = glassnet.keras
    keras.backend.set_floatx("float64")
    rng = np.random.default_rng(0)
    x = rng.random((64, 5))
    y = (x.sum(1) > 2.5).astype(float)
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model.fit(x, y, epochs=5, batch_size=16, verbose=0, shuffle=False).history["loss"]
