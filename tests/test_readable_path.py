"""What a learner naturally writes simply works: assigning gradients and weights, a layer
of one's own, pickling and copying a trained model, and the fast path giving the readable
path's numbers."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import glassnet
from glassnet import fast, optimizers
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input
from glassnet.layers import Layer


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] - x[:, 1] > 0).astype(np.float32)
    return x, y


class LearnerDense(Dense):
    """Dense as a learner writes it: every gradient assigned, no in-place tricks."""

    def backward(self, grad, need_input_grad=True):
        dz = grad * self.a * (1 - self.a) if self.activation is glassnet.activations.sigmoid else grad
        self.kernel.grad = self.x.T @ dz
        self.bias.grad = dz.sum(axis=0)
        return dz @ self.kernel.value.T


class Scale(Layer):
    """y = x * s + t: one learned scale and shift per feature."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.s = self.add_weight((input_shape[-1],), glassnet.initializers.Constant(self.init), "s")
        self.t = self.add_weight((input_shape[-1],), "zeros", "t")

    def forward(self, x, training=False):
        self.x = x
        return x * self.s.value + self.t.value

    def backward(self, grad, need_input_grad=True):
        self.s.grad = (grad * self.x).sum(axis=0)
        self.t.grad = grad.sum(axis=0)
        return grad * self.s.value

    def get_config(self):
        return {**super().get_config(), "init": self.init}


def test_a_learner_dense_that_assigns_its_gradients_trains_and_passes_gradcheck():
    glassnet.utils.set_random_seed(1)
    x, y = _data()
    model = Sequential([Input(shape=(4,)), LearnerDense(8, activation="sigmoid"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(0.05), loss="binary_crossentropy")
    losses = model.fit(x, y, epochs=30, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert glassnet.gradcheck(model.layers[0], x[:5]).passed


def test_assigning_kernel_value_keeps_the_weight_learning():
    glassnet.utils.set_random_seed(2)
    x, y = _data()
    model = Sequential([Input(shape=(4,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(0.5, momentum=0.5, clipnorm=1.0), loss="binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    layer = model.layers[0]
    layer.kernel.value = np.zeros((4, 1))
    assert np.all(layer.kernel.value == 0)
    model.fit(x, y, epochs=5, verbose=0)
    assert np.abs(layer.kernel.value).sum() > 0.1                 # it learned again
    assert model.evaluate(x, y, verbose=0) < 0.5


def test_assigning_a_value_of_the_wrong_shape_is_refused_by_name():
    layer = Dense(3)
    layer.build_from_shape((None, 2))
    with pytest.raises(ValueError, match="kernel.*shape"):
        layer.kernel.value = np.zeros((3, 3))
    with pytest.raises(ValueError, match="kernel.*grad"):
        layer.kernel.grad = np.zeros(6)


def test_a_custom_layer_trains_through_fit_and_passes_gradcheck():
    glassnet.utils.set_random_seed(3)
    x, y = _data()
    model = Sequential([Input(shape=(4,)), Scale(name="scale"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(0.05), loss="binary_crossentropy")
    before = model.layers[0].get_weights()
    model.fit(x, y, epochs=10, verbose=0)
    after = model.layers[0].get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, after))
    assert glassnet.gradcheck(Scale(init=0.7), x[:6]).passed
    assert glassnet.gradcheck(model, x[:6], y[:6]).passed


def test_a_custom_layer_round_trips_through_keras_files_with_custom_objects(tmp_path):
    glassnet.utils.set_random_seed(4)
    x, y = _data()
    model = Sequential([Input(shape=(4,)), Scale(init=0.5, name="scale"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "unregistered.keras")        # saved as Keras 3 saves it; found again only when named
    with pytest.raises(glassnet.saving.ModelFileError, match="Scale"):
        glassnet.models.load_model(tmp_path / "unregistered.keras")

    registered = glassnet.saving.register_keras_serializable(package="Tests")(Scale)
    path = tmp_path / "m.keras"
    model.save(path)
    # the file names the class; only the caller decides which class that is
    loaded = glassnet.models.load_model(path, custom_objects={"Tests>Scale": registered})
    assert isinstance(loaded.layers[0], Scale) and loaded.layers[0].init == 0.5
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    loaded.fit(x, y, epochs=1, verbose=0)                          # and it trains on


def test_a_file_naming_an_unknown_class_is_refused_without_custom_objects(tmp_path):
    glassnet.saving.register_keras_serializable(package="Tests2")(Scale)
    model = Sequential([Input(shape=(4,)), Scale(name="scale")])
    path = tmp_path / "m.keras"
    model.save(path)
    from glassnet.saving import registry
    saved = dict(registry._CUSTOM)
    registry._CUSTOM.clear()                                       # a fresh process: nothing registered
    try:
        with pytest.raises(glassnet.saving.UnsafeFileError, match="Scale"):
            glassnet.models.load_model(path)
        assert isinstance(glassnet.models.load_model(path, custom_objects={"Scale": Scale}).layers[0], Scale)
    finally:
        registry._CUSTOM.update(saved)


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(0.01),
    lambda: optimizers.SGD(0.1),
    lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: optimizers.AdamW(0.01, amsgrad=True),
])
@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_trained_model_survives_pickle_and_deepcopy_and_trains_on_bit_identically(make, how):
    glassnet.utils.set_random_seed(5)
    x, y = _data()
    model = Sequential([Input(shape=(4,)), Dense(6, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=make(), loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    twin = pickle.loads(pickle.dumps(model)) if how == "pickle" else copy.deepcopy(model)
    for _ in range(5):
        model.train_on_batch(x[:16], y[:16])
        twin.train_on_batch(x[:16], y[:16])
    for a, b in zip(model.get_weights(), twin.get_weights()):
        assert np.array_equal(a, b)
    assert np.array_equal(model.optimizer.variables()[-1], twin.optimizer.variables()[-1])
    # the copy is independent of the original
    twin.layers[0].kernel.value = np.zeros((4, 6))
    assert not np.all(model.layers[0].kernel.value == 0)


OPTIMIZERS = [
    ("sgd", lambda: optimizers.SGD(0.05)),
    ("sgd-momentum", lambda: optimizers.SGD(0.05, momentum=0.9)),
    ("sgd-nesterov", lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("rmsprop", lambda: optimizers.RMSprop(0.01)),
    ("rmsprop-centered-momentum", lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True)),
    ("adam", lambda: optimizers.Adam(0.01)),
    ("adam-amsgrad-clipvalue", lambda: optimizers.Adam(0.01, amsgrad=True, clipvalue=0.01)),
    ("adamw", lambda: optimizers.AdamW(0.01)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,make", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
def test_the_fast_path_gives_the_readable_paths_weights_bit_for_bit(name, make, dtype, monkeypatch):
    rng = np.random.default_rng(6)
    shapes = [(5, 7), (7,), (7, 3), (3,), ()]
    init = [rng.normal(size=s).astype(dtype) for s in shapes]
    grads = [[rng.normal(size=s).astype(dtype) for s in shapes] for _ in range(6)]

    def run(use_fast):
        variables = [glassnet.layers.Variable(w.copy(), f"w{i}") for i, w in enumerate(init)]
        opt = make()
        opt.build(variables)
        for step in grads:
            for v, g in zip(variables, step):
                v.grad = g
            fast.update(opt) if use_fast else opt.apply()         # the fast twin, or the readable apply
        return [v.value.copy() for v in variables], opt

    quick, opt = run(True)
    assert opt.fast_state is not None                      # the fast path did run
    slow, _ = run(False)
    for a, b in zip(quick, slow):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_global_clipnorm_fast_path_agrees_to_rounding():
    rng = np.random.default_rng(7)
    shapes = [(5, 7), (7,)]
    init = [rng.normal(size=s) for s in shapes]
    grads = [rng.normal(size=s) * 10 for s in shapes]
    results = []
    for use_fast in (True, False):
        variables = [glassnet.layers.Variable(w.copy(), f"w{i}") for i, w in enumerate(init)]
        opt = optimizers.Adam(0.01, global_clipnorm=1.0)
        opt.build(variables)
        for v, g in zip(variables, grads):
            v.grad = g
        if use_fast:
            fast.update(opt)
        else:
            opt.apply([v.grad for v in variables], variables)       # explicit pairs: the readable path
        results.append([v.value for v in variables])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_optimizer_state_is_found_by_position_not_identity():
    opt = optimizers.Adam()
    variables = [glassnet.layers.Variable(np.ones(3), "a"), glassnet.layers.Variable(np.ones(2), "b")]
    opt.build(variables)
    assert list(opt.slots) == ["momentum", "velocity"]
    assert [s.shape for s in opt.slots_in_file_order()] == [(3,), (3,), (2,), (2,)]   # Keras: m, v per weight
    assert opt.slots_of(1)["velocity"].shape == (2,)


def test_summary_counts_the_optimizers_state():
    model = Sequential([Input(shape=(2,)), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 2)), np.ones(4), verbose=0)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Optimizer params: 8 (36.00 B)" in lines[0]    # iterations, learning rate, m and v for 2 + 1 weights
    assert "Total params: 11 (48.00 B)" in lines[0]       # Keras 3.15 counts the optimizer's in the total


def test_summary_wraps_long_layer_names_inside_their_column():
    model = Sequential([Input(shape=(6, 3)), glassnet.layers.GlobalAveragePooling1D(), Dense(2)])
    lines = []
    model.summary(print_fn=lines.append)
    rows = lines[0].splitlines()
    table = [r for r in rows if r[:1] in "┏┃┡│├└"]
    assert len(table) == 8 and len({len(r) for r in table}) == 1       # every table line as wide
    assert any("(GlobalAveragePooling1D)" in r for r in rows)
