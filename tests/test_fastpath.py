"""glassnet.engine.fastpath: the training loop chooses the fast path, and the readable code
runs whenever a learner would expect theirs to: a replaced method, a tracer, or on request.
A counter put into ``Dense.backward`` and into the optimizer's ``update_step`` counts every
step of ``fit`` on the seed's model then; without them, the fused step runs and the
weights come out the same bit for bit."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import glassnet
from glassnet import fast
from glassnet.engine import fastpath
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input
from glassnet.layers.core import Dense as CoreDense
from glassnet.optimizers.rmsprop import RMSprop

EPOCHS, ROWS, BATCH = 2, 90, 32
STEPS = EPOCHS * -(-ROWS // BATCH)          # 6 steps


def _seed_model():
    glassnet.utils.set_random_seed(0)
    model = Sequential([Input(shape=(4,)), Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss=glassnet.losses.BinaryCrossentropy())
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((ROWS, 4)).astype(np.float32)
    return x, (x.sum(axis=1) > 2).astype(np.float32)


def _fit(model):
    x, y = _data()
    model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0, shuffle=False)
    return [w.copy() for w in model.get_weights()]


@pytest.fixture
def counters(monkeypatch):
    """Count calls of Dense.backward and RMSprop.update_step, wrapping the real ones."""
    counts = {"backward": 0, "update_step": 0}
    backward, update_step = CoreDense.backward, RMSprop.update_step

    def counting_backward(self, grad, need_input_grad=True):
        counts["backward"] += 1
        return backward(self, grad, need_input_grad)

    def counting_update_step(self, param, grad, lr, slots):
        counts["update_step"] += 1
        return update_step(self, param, grad, lr, slots)
    return counts, counting_backward, counting_update_step, monkeypatch


def test_replaced_methods_run_on_every_step_of_fit(counters):
    counts, counting_backward, counting_update_step, monkeypatch = counters
    reference = _fit(_seed_model())                        # the fused step: nothing replaced
    monkeypatch.setattr(CoreDense, "backward", counting_backward)
    monkeypatch.setattr(RMSprop, "update_step", counting_update_step)
    weights = _fit(_seed_model())
    # 3 layers, the last starting from dJ/dZ (backward_from_z: sigmoid + cross-entropy); 6 weight arrays
    assert counts == {"backward": 2 * STEPS, "update_step": 6 * STEPS}
    for a, b in zip(weights, reference):                   # the same numbers either way
        assert np.array_equal(a, b)


def test_a_method_replaced_on_one_layer_runs_too():
    model = _seed_model()
    calls = []
    layer = model.layers[1]
    original = layer.backward
    layer.backward = lambda grad, need_input_grad=True: calls.append(1) or original(grad, need_input_grad)
    _fit(model)
    assert len(calls) == STEPS


def test_set_fast_path_false_runs_the_readable_code(counters):
    counts, counting_backward, counting_update_step, monkeypatch = counters
    reference = _fit(_seed_model())
    glassnet.config.set_fast_path(False)
    try:
        seen = []
        real = CoreDense.backward
        monkeypatch.setattr(CoreDense, "backward", lambda self, g, n=True: seen.append(1) or real(self, g, n))
        assert fastpath.choose(None) is glassnet.engine.step.train_step
        monkeypatch.undo()
        used = []
        monkeypatch.setattr(fast.dense, "train_step", lambda *a: used.append(1))
        weights = _fit(_seed_model())
        assert not used                                    # the fused step was never asked
    finally:
        glassnet.config.set_fast_path(True)
    for a, b in zip(weights, reference):
        assert np.array_equal(a, b)


def test_the_environment_variable_turns_the_fast_path_off(monkeypatch):
    monkeypatch.setenv("GLASSNET_FAST_PATH", "0")
    assert not glassnet.config.fast_path()
    assert fastpath.choose(None) is glassnet.engine.step.train_step
    monkeypatch.setenv("GLASSNET_FAST_PATH", "1")
    assert glassnet.config.fast_path() and fastpath.choose(None) is not glassnet.engine.step.train_step


def test_under_a_tracer_the_readable_code_runs(counters):
    counts, counting_backward, counting_update_step, monkeypatch = counters
    # count through the tracer itself: every call of the real Dense.backward and update_step
    code = {CoreDense.backward.__code__: "backward", RMSprop.update_step.__code__: "update_step"}

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code in code:
            counts[code[frame.f_code]] += 1
        return None
    before = sys.gettrace()
    sys.settrace(tracer)
    try:
        _fit(_seed_model())
    finally:
        sys.settrace(before)
    assert counts == {"backward": 2 * STEPS, "update_step": 6 * STEPS}


def test_without_any_of_those_the_fused_step_runs(counters):
    counts, counting_backward, counting_update_step, monkeypatch = counters
    used = []
    real = fast.dense.train_step
    monkeypatch.setattr(fast.dense, "train_step", lambda *a: used.append(1) or real(*a))
    _fit(_seed_model())
    assert len(used) == STEPS


def test_a_subclass_of_an_optimizer_takes_the_readable_update():
    class Mine(glassnet.optimizers.SGD):
        calls = 0

        def update_step(self, param, grad, lr, slots):
            Mine.calls += 1
            super().update_step(param, grad, lr, slots)
    model = _seed_model()
    model.compile(optimizer=Mine(0.1), loss="binary_crossentropy")
    _fit(model)
    assert Mine.calls == 6 * STEPS and not fast.untouched(model.optimizer)


def test_readable_modules_do_not_import_fast():
    import ast
    import pathlib
    root = pathlib.Path(glassnet.__file__).parent
    readable = [*root.glob("layers/*.py"), *root.glob("optimizers/*.py"), root / "engine" / "step.py",
                root / "losses.py", root / "activations.py"]
    for path in readable:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "fast" not in (node.module or "").split("."), f"{path.name} imports {node.module}"
                assert not any(a.name == "fast" for a in node.names), f"{path.name} imports fast"
