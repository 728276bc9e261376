"""``optimizers/nadam.py``, ``ftrl.py``, ``lion.py``: three steps of ``apply_gradients`` land on
TF 2.21 / Keras 3.15's weights and state (numbers recorded with /work/peers/bin/python running
the same steps on keras.Variable; written here as literals), by name, and in ``.keras`` files
(Keras's own, tools/make_keras_optimizer_files.py, read with their state in Keras's order)."""
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import keras
from glassnet.saving.h5 import optimizer_slots

GRADS = [[np.array([0.1, -0.2, 0.3], np.float32), np.array([[0.5, -0.4]], np.float32)],
         [np.array([-0.3, 0.2, 0.05], np.float32), np.array([[0.1, 0.2]], np.float32)],
         [np.array([0.2, 0.2, -0.1], np.float32), np.array([[-0.3, 0.0]], np.float32)]]

# Recorded from TF 2.21 / Keras 3.15: w1, w2 after three steps, then opt.variables[2:] in order.
TF = {
    "nadam": ({}, [0.99936044, -2.000231, 0.49894634], [[0.29912856, -0.0992991]],
              [[0.0011000018566846848, 0.021800007671117783, 0.018800005316734314],
               [0.00013988821592647582, 0.00011987850302830338, 0.00010231627675238997],
               [[0.0195000022649765, -0.014400003477931023]],
               [[0.00034948575193993747, 0.00019963759405072778]], 0.11397992819547653]),
    "ftrl": (dict(learning_rate=0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.02,
                  l2_shrinkage_regularization_strength=0.03, beta=0.1),
             [0.01738868, -0.2419228, 0.05574163], [[0.06679019, 0.001947919]],
             [[0.24000000953674316, 0.2200000137090683, 0.20250000059604645],
              [-0.11327101290225983, 1.3963181972503662, -0.3188086152076721],
              [[0.44999998807907104, 0.30000001192092896]], [[-0.5275039672851562, -0.022695031017065048]]]),
    "ftrl-defaults": ({}, [0.046498466, -0.3100548, 0.1366819], [[0.13907866, -0.037563324]],
                      [[0.24000000953674316, 0.2200000137090683, 0.20250000059604645],
                       [-22.779502868652344, 145.4285888671875, -61.50685119628906],
                       [[0.44999998807907104, 0.30000001192092896]],
                       [[-93.29679107666016, 20.57427978515625]]]),
    "lion": ({}, [0.999, -2.001, 0.499], [[0.29900002, -0.099]],
             [[1.0100193321704865e-05, 0.0020197981502860785, 0.002435297705233097],
              [[0.0028904974460601807, -0.0019403984770178795]]]),
}


@pytest.mark.parametrize("case", sorted(TF))
def test_three_steps_land_on_tfs_weights_and_state(case):
    kwargs, w1_want, w2_want, state_want = TF[case]
    opt = keras.optimizers.get(case.split("-")[0]).__class__(**kwargs)
    w1 = glassnet.Variable(np.array([1.0, -2.0, 0.5], np.float32))
    w2 = glassnet.Variable(np.array([[0.3, -0.1]], np.float32))
    for g in GRADS:
        opt.apply_gradients(zip(g, [w1, w2]))
    np.testing.assert_allclose(w1.numpy(), w1_want, rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(w2.numpy(), w2_want, rtol=2e-6, atol=1e-7)
    state = optimizer_slots(opt)
    assert len(state) == len(state_want)
    for got, want in zip(state, state_want):
        np.testing.assert_allclose(got, np.array(want, np.float32), rtol=2e-5, atol=1e-8)
    assert int(opt.iterations) == 3


def test_by_name_config_and_errors():
    for name, cls in (("nadam", keras.optimizers.Nadam), ("Ftrl", keras.optimizers.Ftrl), ("lion", keras.optimizers.Lion)):
        assert type(keras.optimizers.get(name)) is cls
    config = keras.optimizers.serialize(keras.optimizers.Ftrl(l1_regularization_strength=0.5))
    again = keras.optimizers.deserialize(config)
    assert again.l1_regularization_strength == 0.5 and again.initial_accumulator_value == 0.1
    assert keras.optimizers.Nadam().get_config()["beta_2"] == 0.999
    assert keras.optimizers.Lion().get_config()["beta_2"] == 0.99
    with pytest.raises(ValueError, match="beta_1"):
        keras.optimizers.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="learning_rate_power"):
        keras.optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength=-1"):
        keras.optimizers.Ftrl(l1_regularization_strength=-1)


@pytest.mark.parametrize("name", ["nadam", "ftrl", "lion"])
def test_fit_saves_and_resumes_from_keras_file(name, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)

    def model():
        m = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(1, activation="sigmoid")])
        m.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
        m.compile(optimizer=name, loss="binary_crossentropy")
        return m

    straight = model()
    straight.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    assert not np.allclose(straight.get_weights()[0], 0.1)      # fit moved the weights
    half = model()
    half.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    half.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert type(again.optimizer) is type(half.optimizer)
    for a, b in zip(optimizer_slots(again.optimizer), optimizer_slots(half.optimizer)):
        np.testing.assert_array_equal(a, b)
    again.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(again.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


FILES = Path(__file__).parent / "fixtures" / "keras_optimizer_files"   # tools/make_keras_optimizer_files.py


@pytest.mark.parametrize("name", ["nadam", "ftrl", "lion"])
def test_kerass_files_load_with_their_state_and_train_on(name, tmp_path):
    model = glassnet.models.load_model(FILES / f"{name}.keras")
    with np.load(FILES / f"{name}_state.npz") as f:
        state = [f[f"arr_{i}"] for i in range(len(f.files))]
    opt = model.optimizer
    ours = [np.asarray(int(opt.iterations)), np.float32(opt.learning_rate)] + optimizer_slots(opt)
    assert type(opt).__name__.lower() == name and len(ours) == len(state)      # Keras's order and count
    for a, b in zip(ours, state):
        np.testing.assert_array_equal(np.asarray(a, np.asarray(b).dtype), b)
    with np.load(FILES / "data.npz") as d:
        model.fit(d["x"], d["y"], epochs=1, batch_size=8, verbose=0)
    assert int(opt.iterations) == int(state[0]) + 4
