"""Learning-rate schedules: Keras's values (fixture made by tools/make_keras_schedules.py
with real Keras), their use in fit, and their place in model files."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import keras, schedules

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_schedules.json").read_text())
CASES = FIXTURE["cases"]
IDS = [f"{c['class']}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_are_kerass(case):
    schedule = getattr(keras.optimizers.schedules, case["class"])(**case["config"])
    got = [schedule(step) for step in FIXTURE["steps"]]
    # TensorFlow flushes subnormal float32 results to zero (0.05 * 0.5**142 is 0 there, 8e-45 here)
    np.testing.assert_allclose(got, case["values"], rtol=2e-7, atol=np.finfo(np.float32).tiny)
    assert schedules.serialize(schedule) == case["serialized"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fit_with_a_schedule_lands_on_kerass_weights(case):
    fit = case["fit"]
    schedule = schedules.deserialize(case["serialized"])           # Keras's own entry, read back
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array(w, np.float32) for w in fit["start"]])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule, momentum=0.9),
                  loss="binary_crossentropy")
    history = model.fit(np.array(fit["x"], np.float32), np.array(fit["y"], np.float32), epochs=4,
                        batch_size=8, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), fit["final"]):
        np.testing.assert_allclose(got, np.array(want, np.float32), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history.history["loss"], fit["loss"], rtol=1e-5)
    assert model.optimizer.iterations == 20
    assert model.optimizer.learning_rate == pytest.approx(fit["learning_rate_after"], rel=2e-7)


def test_the_formulas_written_out():
    """Each schedule against its formula in float64 (Keras's float32 is within 1e-6)."""
    cases = [
        (schedules.ExponentialDecay(0.1, 10, 0.96), lambda t: 0.1 * 0.96 ** (t / 10)),
        (schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True), lambda t: 0.1 * 0.5 ** (t // 10)),
        (schedules.InverseTimeDecay(0.01, 5, 2.0), lambda t: 0.01 / (1 + 2.0 * t / 5)),
        (schedules.PolynomialDecay(0.1, 50, 0.001, power=2.0),
         lambda t: (0.1 - 0.001) * (1 - min(t, 50) / 50) ** 2 + 0.001),
        (schedules.CosineDecay(0.1, 40, alpha=0.2),
         lambda t: 0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(t, 40) / 40)) + 0.2)),
        (schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.25]),
         lambda t: 1.0 if t <= 10 else 0.5 if t <= 20 else 0.25),
    ]
    for schedule, formula in cases:
        for t in (0, 1, 9, 10, 11, 20, 21, 39, 40, 77):
            assert schedule(t) == pytest.approx(formula(t), rel=1e-6), (schedule, t)


def test_the_rate_used_at_each_step_is_the_schedules_at_that_step():
    """SGD without momentum: w moves by lr(t) * g at step t (t from 0), as in Keras."""
    schedule = schedules.ExponentialDecay(0.01, decay_steps=1, decay_rate=0.5)
    model = glassnet.Sequential([glassnet.Input(shape=(1,)), glassnet.layers.Dense(1, use_bias=False)])
    model.set_weights([np.zeros((1, 1), np.float32)])
    model.compile(optimizer=glassnet.optimizers.SGD(learning_rate=schedule), loss="mse")
    seen = []
    for t in range(4):
        before = model.get_weights()[0].item()
        model.train_on_batch(np.ones((1, 1), np.float32), np.full((1, 1), 100.0, np.float32))
        gradient = 2 * (before - 100.0)
        seen.append((before - model.get_weights()[0].item()) / gradient)
    np.testing.assert_allclose(seen, [0.01, 0.005, 0.0025, 0.00125], rtol=1e-4)
    assert model.optimizer.learning_rate == pytest.approx(0.000625)


def test_import_paths_of_tensorflow_programs():
    from glassnet.keras.optimizers.schedules import ExponentialDecay, InverseTimeDecay
    assert glassnet.keras.optimizers.schedules.ExponentialDecay is ExponentialDecay is schedules.ExponentialDecay
    assert glassnet.optimizers.schedules.InverseTimeDecay is InverseTimeDecay
    assert isinstance(InverseTimeDecay(0.001, 100, 1), keras.optimizers.schedules.LearningRateSchedule)


def _compiled(schedule):
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(2, activation="relu"),
                                 glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(learning_rate=schedule), loss="binary_crossentropy")
    return model


def test_a_schedule_saves_and_loads_with_the_model_and_training_goes_on_the_same(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = _compiled(schedules.CosineDecay(0.05, decay_steps=30, warmup_target=0.1, warmup_steps=5))
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert type(again.optimizer.schedule) is schedules.CosineDecay
    assert again.optimizer.schedule.get_config() == model.optimizer.schedule.get_config()
    assert again.optimizer.learning_rate == model.optimizer.learning_rate
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    again.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_function_of_ones_own_is_still_refused_at_save_time(tmp_path):
    model = _compiled(lambda step: 0.01 / (1 + step))
    with pytest.raises(ValueError, match="a function of your own; it cannot be saved"):
        model.save(tmp_path / "m.keras")


def test_an_unknown_schedule_in_a_file_is_named_and_never_built():
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'Mine'"):
        schedules.deserialize({"module": "keras.optimizers.schedules", "class_name": "Mine", "config": {}})
    with pytest.raises(ValueError, match="learning-rate schedule ExponentialDecay: .*unexpected keyword"):
        schedules.deserialize({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,
                                                                             "decay_steps": 1, "decay_rate": 1,
                                                                             "evil": "__import__('os')"}})


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps must be a number > 0"),
    (lambda: schedules.InverseTimeDecay(0.1, -5, 0.9), "decay_steps must be a number > 0"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps must be a number > 0"),
    (lambda: schedules.ExponentialDecay(float("nan"), 10, 0.9), "initial_learning_rate must be a finite"),
    (lambda: schedules.PolynomialDecay("0.1", 10), "initial_learning_rate must be a finite"),
    (lambda: schedules.PiecewiseConstantDecay([10], [0.1]), "one shorter than values"),
    (lambda: schedules.PiecewiseConstantDecay([20, 10], [0.1, 0.2, 0.3]), "boundaries must increase"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()
