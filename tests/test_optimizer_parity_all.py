"""Every optimizer, with every option Keras 3 offers, lands on Keras 3.15's numbers in float32
and float64: the weights after each of six steps, the optimizer's state and its step count.

The numbers come from tools/make_optimizer_parity_fixtures.py (real Keras 3.15 on TensorFlow
2.21, ``apply_gradients`` in eager mode, op by op), saved in tests/fixtures/optimizer_parity_*.npz:
``float32``, ``float64`` (floatx float64, as a float64 program sets it) and ``float64_floatx32``
(float64 variables, the learning rate a float32 variable). Each case is replayed here three
ways: the readable path (``set_fast_path(False)``: each optimizer's ``update_step``), the fast
path's NumPy passes and its numba loops (where glassnet.fast takes the optimizer; the others
fall back to the readable path, which is then what runs).

The tolerance: bit for bit (0 ulp) wherever glassnet makes Keras's operations in Keras's order
on numbers of the same type, which is every elementwise rule here (all cases but those below,
in all three runs and all three paths). Two things keep a few cases from the last bit:

- a sum: TensorFlow adds a norm's squares (``clipnorm``, ``global_clipnorm``) and Adafactor's
  means in an order of its own; those cases may be a few ulp off (``ULPS``);
- ``x ** p`` on arrays: TensorFlow's ``pow`` (Eigen's) is not correctly rounded (it differs from
  the correctly rounded power in about a quarter of float32 square roots, measured), NumPy's
  is; Ftrl's accumulator powers therefore differ in the last place, and its ``clip(z) - z``
  cancels those bits up into small weights. Ftrl is compared in ulps of the largest weight
  of the array (``ARRAY_ULPS``), which is what such a cancellation keeps.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import fast, optimizers
from glassnet.optimizers import schedules

FIXTURES = Path(__file__).parent / "fixtures"
RUNS = ("float32", "float64", "float64_floatx32")
ORDER = ("kernel", "bias")      # the variables in the order the tool gives them to Keras

# Cases whose Keras arithmetic has a sum in it (TensorFlow's order, not NumPy's pairwise one):
# the most units in the last place a weight may differ by, after all six steps.
ULPS = {"adam_clipnorm": 4, "sgd_clipnorm": 4, "adam_global_clipnorm": 4, "sgd_global_clipnorm": 4,
        "adafactor": 8, "adafactor_options": 8, "adafactor_schedule": 8, "adafactor_weight_decay": 8}
# Cases compared in ulps of the array's largest entry (TensorFlow's pow, then a cancellation)
ARRAY_ULPS = {"ftrl": 8, "ftrl_options": 8, "ftrl_weight_decay": 8}


def _load(run):
    with np.load(FIXTURES / f"optimizer_parity_{run}.npz", allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    return json.loads(str(arrays.pop("meta"))), arrays


_DATA = {run: _load(run) for run in RUNS}
CASES = sorted(_DATA["float32"][0]["cases"])


def ulps(got, want, whole=False):
    """How many units in the last place of ``want`` ``got`` is off by, at most (0 when equal);
    ``whole``: in units of the last place of ``want``'s largest entry."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype, got.shape, want.shape)
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    size = np.max(np.abs(want)) if whole and want.size else np.abs(want)
    spacing = np.spacing(np.maximum(size, np.finfo(want.dtype).tiny)).astype(np.float64)
    return float(np.max(diff / spacing)) if diff.size else 0.0


def _optimizer(case):
    kwargs = dict(case["kwargs"])
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"])
    return optimizers.CLASSES[case["class"]](**kwargs)


def replay(run, name, mode):
    """The case's six steps in glassnet: (the variables after each step, the optimizer)."""
    meta, arrays = _DATA[run]
    case, shapes = meta["cases"][name], ORDER
    glassnet.config.set_floatx(meta["floatx"])
    glassnet.config.set_fast_path(mode != "readable")
    if mode != "readable":
        fast.set_kernels(mode)
    try:
        opt = _optimizer(case)
        variables = {k: glassnet.Variable(arrays[f"start/{k}"], name=k) for k in shapes}
        if case["exclude"]:
            ex = case["exclude"]
            opt.exclude_from_weight_decay(var_list=[variables[k] for k in ex.get("var_list", [])] or None,
                                          var_names=ex.get("var_names"))
        steps = []
        for s in range(meta["steps"]):
            opt.apply_gradients([(arrays[f"grad{s}/{k}"].copy(), variables[k]) for k in shapes])
            steps.append({k: v.numpy().copy() for k, v in variables.items()})
        return steps, opt
    finally:
        glassnet.config.set_floatx("float32")
        glassnet.config.set_fast_path(True)
        fast.set_kernels("auto")


MODES = ["readable", "numpy", pytest.param("numba", marks=pytest.mark.skipif(
    not fast.load_loops("_numba_optimizers"), reason="numba not installed (an optional speed-up)"))]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", CASES)
def test_weights_after_each_step_are_kerass(name, run, mode):
    meta, arrays = _DATA[run]
    steps, opt = replay(run, name, mode)
    if mode != "readable" and fast._rule(opt) is not None and opt.clipnorm is None and not opt.has_extras():
        assert opt.fast_state is not None and opt.fast_state.kernel == mode     # the path named did run
    bound, whole = ARRAY_ULPS.get(name, ULPS.get(name, 0)), name in ARRAY_ULPS
    for s, values in enumerate(steps):
        for k, got in values.items():
            off = ulps(got, arrays[f"{name}/step{s}/{k}"], whole)
            assert off <= bound, f"{name} ({run}, {mode}): {k} after step {s + 1} is {off:g} ulp from Keras's " \
                                 f"(allowed {bound})\n{got!r}\n{arrays[f'{name}/step{s}/{k}']!r}"


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", CASES)
def test_state_and_step_count_are_kerass(name, run):
    """The optimizer's variables in Keras's order (the slots, the moving averages, the gradient
    accumulators, Nadam's product), as a saved file holds them, and ``iterations``."""
    meta, arrays = _DATA[run]
    _, opt = replay(run, name, "readable")
    names = meta["cases"][name]["variables"]
    keras_state = [arrays[f"{name}/opt{i}"] for i, n in enumerate(names) if n not in ("iteration", "learning_rate")]
    assert names[0] == "iteration" and int(arrays[f"{name}/opt0"]) == opt.variables()[0] == meta["steps"]
    ours = opt.slots_in_file_order()
    assert len(ours) == len(keras_state), (name, names)
    # (a case allowed some ulp is measured against each slot's largest entry: a momentum is a
    # running sum, whose small entries keep a last-place difference in absolute terms)
    bound = ARRAY_ULPS.get(name, ULPS.get(name, 0))
    whole = bound > 0
    for i, (got, want) in enumerate(zip(ours, keras_state)):
        if np.asarray(want).dtype.kind == "f":
            assert ulps(np.asarray(got, want.dtype), want, whole) <= bound, (name, i, got, want)
        else:
            np.testing.assert_array_equal(got, want)
    assert int(opt.iterations) == int(arrays[f"{name}/iterations"])


def test_fixtures_cover_every_optimizer_and_option():
    """The recorded cases name each of glassnet's optimizer classes and each option of Keras's base."""
    cases = _DATA["float32"][0]["cases"].values()
    assert {c["class"] for c in cases} == set(optimizers.CLASSES)
    used = set().union(*(c["kwargs"] for c in cases)) | {"exclude_from_weight_decay" for c in cases if c["exclude"]}
    assert {"clipnorm", "clipvalue", "global_clipnorm", "use_ema", "ema_momentum", "ema_overwrite_frequency",
            "gradient_accumulation_steps", "loss_scale_factor", "weight_decay", "exclude_from_weight_decay"} <= used
    assert any(isinstance(c["kwargs"].get("learning_rate"), dict) for c in cases)


def test_ulps_sees_a_one_ulp_change():
    a = np.array([1.0, -3.0], np.float32)
    assert ulps(a, a.copy()) == 0
    assert ulps(np.nextafter(a, np.float32(10)), a) == 1
    b = np.array([np.nextafter(np.float32(1), np.float32(2)), -3.0], np.float32)
    assert ulps(b, a) == 1 and ulps(b, a, whole=True) == 0.5        # 1.0's ulp is half of 3.0's


def test_the_options_and_their_state_survive_a_keras_file(tmp_path):
    """use_ema and gradient_accumulation_steps are written to config.json as Keras writes them, and
    the moving averages and gradient sums are saved and read back with the slots, in Keras's order."""
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(2)])
    model.compile(optimizer=optimizers.Adam(use_ema=True, ema_momentum=0.9, gradient_accumulation_steps=2),
                  loss="mse")
    x = np.arange(24, dtype=np.float32).reshape(8, 3) / 10
    model.fit(x, np.ones((8, 2), np.float32), epochs=1, batch_size=3, verbose=0)     # 3 calls: one sum pending
    model.save(tmp_path / "m.keras")
    back = glassnet.keras.models.load_model(tmp_path / "m.keras").optimizer
    assert (back.use_ema, back.ema_momentum, back.gradient_accumulation_steps) == (True, 0.9, 2)
    ours = model.optimizer.variables()
    assert len(ours) == 1 + 2 + 2 + 4 and int(ours[0]) == 3 and int(model.optimizer.iterations) == 1
    assert np.any(ours[3] != 0)                         # the pending gradient sum is kept
    for a, b in zip(ours, back.variables()):
        np.testing.assert_array_equal(a, b)
