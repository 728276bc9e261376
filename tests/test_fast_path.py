"""The fast path (glassnet.fast) against the readable one (each optimizer's update_step).

For every optimizer and option, N steps on the same weights and gradients must leave the
same weights and the same slots, bit for bit: the fast path runs the same operations in
the same order, whether in chunks, in threads, or compiled by numba. The one exception
is ``global_clipnorm``: the fast path sums the squares over one buffer, the readable
path tensor by tensor, so the norm may differ in its last bit (float64); there the
weights must agree to 1e-6 relative.
"""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import glassnet
from glassnet import fast, optimizers, threads
from glassnet.layers.base import Variable

SHAPES = [(70, 300), (300,), (300, 7), (7,), (1,)]        # 23,415 weights: two chunks and more
STEPS = 4

OPTIONS = [
    ("SGD", {}), ("SGD", {"momentum": 0.9}), ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"weight_decay": 0.01, "learning_rate": 0.1}), ("SGD", {"clipvalue": 0.5}),
    ("RMSprop", {}), ("RMSprop", {"centered": True}), ("RMSprop", {"momentum": 0.5}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.02}),
    ("RMSprop", {"clipvalue": 0.3, "rho": 0.8, "epsilon": 1e-4}),
    ("Adam", {}), ("Adam", {"amsgrad": True}), ("Adam", {"weight_decay": 0.01, "learning_rate": 0.01}),
    ("Adam", {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3, "clipvalue": 0.2}),
    ("AdamW", {}), ("AdamW", {"amsgrad": True, "weight_decay": 0.1}),
]
CLIPNORM = [("SGD", {"momentum": 0.9, "global_clipnorm": 1.0}), ("RMSprop", {"global_clipnorm": 1.0}),
            ("Adam", {"global_clipnorm": 1.0}), ("AdamW", {"global_clipnorm": 0.5})]

# how the fast path runs: kernel, threads, items per thread
MODES = [("numpy", 1, fast._PARALLEL_MIN), ("numpy", 3, 4096)]
if importlib.util.find_spec("numba") is not None:
    MODES += [("numba", 1, fast._PARALLEL_MIN), ("numba", 3, 4096)]


@pytest.fixture
def mode(request, monkeypatch):
    kind, n, per_thread = request.param
    monkeypatch.setattr(fast, "_PARALLEL_MIN", per_thread)
    glassnet.config.set_kernels(kind)
    glassnet.config.set_num_threads(n)
    yield request.param
    glassnet.config.set_kernels("auto")
    glassnet.config.set_num_threads(None)


def _variables(dtype, rng):
    return [Variable(rng.standard_normal(s).astype(dtype), f"w{i}") for i, s in enumerate(SHAPES)]


def _run_both(name, options, dtype):
    """The weights and slots after STEPS steps: (readable, fast), and the fast optimizer."""
    rng = np.random.default_rng(7)
    ref_vars = _variables(dtype, rng)
    fast_vars = [Variable(v.value.copy(), v.name) for v in ref_vars]
    ref = getattr(optimizers, name)(**options)
    fst = getattr(optimizers, name)(**options)
    ref.build(ref_vars)
    fst.build(fast_vars)
    for _ in range(STEPS):
        grads = [(rng.standard_normal(s) * 3).astype(dtype) for s in SHAPES]
        ref.apply(grads, ref_vars)                                # explicit grads: readable path
        for v, g in zip(fast_vars, grads):
            v.grad = g
        fast.update(fst)                                          # from v.grad: the fast path
    assert fst.fast_state is not None, "the fast path did not run"
    assert ref.fast_state is None, "the reference did not take the readable path"
    return ref, ref_vars, fst, fast_vars


@pytest.mark.parametrize("mode", MODES, indirect=True, ids=lambda m: f"{m[0]}-{m[1]}threads")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,options", OPTIONS, ids=lambda x: str(x))
def test_fast_path_is_bit_identical(mode, dtype, name, options):
    ref, ref_vars, fst, fast_vars = _run_both(name, options, dtype)
    assert fst.fast_state.kernel == mode[0]
    assert fst.fast_state.threads == mode[1]
    for a, b in zip(ref_vars, fast_vars):
        assert a.value.dtype == b.value.dtype == np.dtype(dtype)
        assert np.array_equal(a.value, b.value), f"{a.name}: max diff {np.abs(a.value - b.value).max()}"
    start = _variables(dtype, np.random.default_rng(7))[0].value
    assert not np.array_equal(start, fast_vars[0].value), "the steps changed nothing"
    for slot in ref.slots:
        for a, b in zip(ref.slots[slot], fst.slots[slot]):
            assert np.array_equal(a, b), f"slot {slot} differs"
    assert ref.iterations == fst.iterations == STEPS


@pytest.mark.parametrize("mode", MODES, indirect=True, ids=lambda m: f"{m[0]}-{m[1]}threads")
@pytest.mark.parametrize("name,options", CLIPNORM, ids=lambda x: str(x))
def test_fast_path_global_clipnorm_agrees_to_1e_6(mode, name, options):
    ref, ref_vars, fst, fast_vars = _run_both(name, options, "float32")
    for a, b in zip(ref_vars, fast_vars):
        np.testing.assert_allclose(b.value, a.value, rtol=1e-6, atol=1e-7)


def test_fast_path_float16_takes_numpy_kernels(monkeypatch):
    glassnet.config.set_kernels("auto")
    ref, ref_vars, fst, fast_vars = _run_both("Adam", {"epsilon": 1e-3}, "float16")
    assert fst.fast_state.kernel == "numpy"
    for a, b in zip(ref_vars, fast_vars):
        assert np.array_equal(a.value, b.value)


def test_auto_kernels_use_numpy_for_small_networks(monkeypatch):
    glassnet.config.set_kernels("auto")
    ref, ref_vars, fst, fast_vars = _run_both("RMSprop", {}, "float32")
    assert fst.fast_state.kernel == "numpy"          # 23,415 weights < 2**19


def test_auto_kernels_use_numba_for_large_networks_when_installed(monkeypatch):
    monkeypatch.setattr(fast, "_NUMBA_MIN", 1000)
    glassnet.config.set_kernels("auto")
    ref, ref_vars, fst, fast_vars = _run_both("Adam", {}, "float32")
    has_numba = importlib.util.find_spec("numba") is not None
    assert fst.fast_state.kernel == ("numba" if has_numba else "numpy")
    for a, b in zip(ref_vars, fast_vars):
        assert np.array_equal(a.value, b.value)


def test_auto_kernels_weigh_the_work_fit_announces(monkeypatch):
    """A small network gets numba's kernels when fit is about to take enough steps for
    numba's one-time cost to pay off (weights x steps >= _NUMBA_WORK), and only then."""
    has_numba = importlib.util.find_spec("numba") is not None
    glassnet.config.set_kernels("auto")
    monkeypatch.setattr(fast, "_NUMBA_WORK", 10_000 * 50)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 8)).astype("float32"), rng.integers(0, 3, 64)

    def fitted(epochs):
        glassnet.utils.set_random_seed(1)
        model = glassnet.Sequential([glassnet.Input(shape=(8,)), glassnet.layers.Dense(100, "relu"),
                                     glassnet.layers.Dense(3)])          # 1,203 weights
        model.compile(optimizer="adam", loss=glassnet.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, shuffle=False)   # 8 steps an epoch
        return model
    short, long = fitted(2), fitted(60)           # 1,203 x 16 < 500,000 <= 1,203 x 480
    assert short.optimizer.fast_state.kernel == "numpy"
    assert long.optimizer.fast_state.kernel == ("numba" if has_numba else "numpy")
    # a later, longer fit of the short one chooses again, and the weights agree bit for bit
    short.fit(x, y, batch_size=8, epochs=58, verbose=0, shuffle=False)
    assert short.optimizer.fast_state.kernel == long.optimizer.fast_state.kernel
    for a, b in zip(short.get_weights(), long.get_weights()):
        assert np.array_equal(a, b)


def test_a_loop_of_ones_own_turns_to_numba_once_its_work_adds_up(monkeypatch):
    """train_on_batch announces nothing: auto chooses again at the step where the steps
    taken, times the weights, reach _NUMBA_WORK; the weights stay those of NumPy's kernels."""
    has_numba = importlib.util.find_spec("numba") is not None
    monkeypatch.setattr(fast, "_NUMBA_WORK", 1_203 * 10)            # 1,203 weights: from step 10
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 8)).astype("float32"), rng.integers(0, 3, 8)
    runs = {}
    for kind in ("numpy", "auto"):
        glassnet.config.set_kernels(kind)
        glassnet.utils.set_random_seed(1)
        model = glassnet.Sequential([glassnet.Input(shape=(8,)), glassnet.layers.Dense(100, "relu"),
                                     glassnet.layers.Dense(3)])
        model.compile(optimizer="adam", loss=glassnet.losses.SparseCategoricalCrossentropy(from_logits=True))
        seen = []
        for _ in range(14):
            model.train_on_batch(x, y)
            seen.append(model.optimizer.fast_state.kernel)
        runs[kind] = (model, seen)
    glassnet.config.set_kernels("auto")
    assert runs["numpy"][1] == ["numpy"] * 14
    assert runs["auto"][1][:10] == ["numpy"] * 10
    assert runs["auto"][1][10:] == ["numba" if has_numba else "numpy"] * 4
    for a, b in zip(runs["numpy"][0].get_weights(), runs["auto"][0].get_weights()):
        assert np.array_equal(a, b)


def test_a_whole_fit_is_the_same_on_both_paths():
    """fit with the fast path against fit with a subclass (which takes the readable path)."""
    class ReadableAdam(optimizers.Adam):        # a subclass of one's own: the readable path
        pass

    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((200, 12)).astype("float32"), rng.integers(0, 3, 200)
    weights = []
    for opt in (optimizers.Adam(amsgrad=True), ReadableAdam(amsgrad=True)):
        glassnet.keras.utils.set_random_seed(5)
        model = glassnet.Sequential([glassnet.Input(shape=(12,)), glassnet.layers.Dense(40, activation="relu"),
                                     glassnet.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
        if weights:
            model.set_weights(weights[0][0])
        start = model.get_weights()
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        weights.append((start, model.get_weights()))
        assert (opt.fast_state is not None) == (type(opt) is optimizers.Adam)
    for a, b in zip(weights[0][1], weights[1][1]):
        assert np.array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(weights[0][0], weights[0][1]))


def test_set_num_threads_checks_its_argument():
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError, match="set_num_threads: n must be"):
            glassnet.config.set_num_threads(bad)
    glassnet.config.set_num_threads(None)


def test_set_kernels_checks_its_argument():
    with pytest.raises(ValueError, match="set_kernels: kind must be"):
        glassnet.config.set_kernels("fast")
    assert glassnet.config.kernels() == "auto"


def test_environment_variable_fixes_the_thread_count(monkeypatch):
    monkeypatch.setenv("GLASSNET_NUM_THREADS", "1")
    monkeypatch.setattr(threads, "_env_read", False)
    monkeypatch.setattr(threads, "_fixed", None)
    assert glassnet.config.get_num_threads() == 1
    monkeypatch.setenv("GLASSNET_NUM_THREADS", "zero")
    monkeypatch.setattr(threads, "_env_read", False)
    with pytest.raises(ValueError, match="GLASSNET_NUM_THREADS"):
        glassnet.config.get_num_threads()
    monkeypatch.setattr(threads, "_env_read", True)


def test_auto_threads_leave_the_cores_others_use(monkeypatch):
    """Auto mode: usable cores minus the busy time of other processes over the interval."""
    glassnet.config.set_num_threads(None)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    samples = iter([(0.0, 0.0, 0.0), (1.0, 3.5, 0.5), (2.0, 4.0, 1.0)])
    monkeypatch.setattr(threads, "usable_cores", lambda: 4)
    monkeypatch.setattr(threads, "_sample", lambda now: next(samples))
    monkeypatch.setattr(threads, "_load_average", lambda: 1.0)
    set_to = []
    monkeypatch.setattr(threads, "_blas_setters", lambda: [set_to.append])
    monkeypatch.setattr(threads, "_current", None)
    monkeypatch.setattr(threads, "_last_sample", None)
    clock = iter([10.0, 11.0, 12.0])
    monkeypatch.setattr(threads.time, "monotonic", lambda: next(clock))
    threads.pace()          # first look: 4 cores - load 1.0 = 3
    threads.pace()          # busy 3.5 core-s in 1 s, 0.5 of it ours: others 3 -> 1 thread
    threads.pace()          # busy 0.5, all ours: others 0 -> 4 threads
    assert set_to == [3, 1, 4]
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")          # the user's explicit cap holds
    monkeypatch.setattr(threads, "_sample", lambda now: (3.0, 4.5, 2.0))   # others idle: 4 cores free
    monkeypatch.setattr(threads.time, "monotonic", lambda: 13.0)
    threads.pace()
    assert set_to[-1] == 2
    monkeypatch.setattr(threads, "_sample", lambda now: (60.0, 9.0, 3.0))  # a minute later: stale
    monkeypatch.setattr(threads.time, "monotonic", lambda: 70.0)
    threads.pace()
    assert set_to[-1] == 2 and len(set_to) == 4
    monkeypatch.setattr(threads, "_current", None)


def test_small_matrices_run_blas_on_one_thread_in_auto_mode(monkeypatch):
    """The fused Dense step says how many BLAS threads its matrices can use: one below
    _BLAS_ALONE multiply-adds, else the free cores; a fixed set_num_threads is kept."""
    from glassnet.fast import dense as fast_dense
    glassnet.config.set_num_threads(None)
    set_to = []
    monkeypatch.setattr(threads, "_blas_setters", lambda: [set_to.append])
    monkeypatch.setattr(threads, "_current", None)
    monkeypatch.setattr(threads, "_useful", None)
    monkeypatch.setattr(threads, "_free", 2)
    monkeypatch.setattr(threads, "_last_look", threads.time.monotonic() + 1e6)   # no new look

    def model_of(width):
        model = glassnet.Sequential([glassnet.Input(shape=(width,)), glassnet.layers.Dense(width, "relu"),
                                     glassnet.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        return model
    small, large = model_of(64), model_of(512)          # 32 x 64 x 64 and 32 x 512 x 512 multiply-adds
    x64, x512 = np.ones((32, 64), np.float32), np.ones((32, 512), np.float32)
    y = np.ones((32, 1), np.float32)
    small.train_on_batch(x64, y)
    assert set_to[-1] == 1
    large.train_on_batch(x512, y)
    assert 32 * 512 * 512 >= fast_dense._BLAS_ALONE and set_to[-1] == 2
    small.fit(x64, y, batch_size=32, epochs=1, verbose=0)
    assert set_to[-2:] == [1, 2]                        # and fit lifts the limit when it ends
    glassnet.config.set_num_threads(2)                  # fixed: kept as the user set it
    small.train_on_batch(x64, y)
    assert set_to[-1] == 2 and threads.elementwise_threads() == 2
    glassnet.config.set_num_threads(None)
    monkeypatch.setattr(threads, "_current", None)


def test_blas_thread_setting_reaches_the_blas():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    glassnet.config.set_num_threads(1)
    try:
        infos = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        assert infos and all(i["num_threads"] == 1 for i in infos)
    finally:
        glassnet.config.set_num_threads(None)


def test_blas_threads_without_threadpoolctl_reach_numpys_openblas(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")     # only to read the setting back
    monkeypatch.setitem(__import__("sys").modules, "threadpoolctl", None)
    monkeypatch.setattr(threads, "_blas", None)
    setters = threads._blas_setters()
    if not setters:
        pytest.skip("this NumPy has no bundled OpenBLAS (numpy.libs)")
    try:
        for n in (1, 2):
            monkeypatch.setattr(threads, "_current", None)
            glassnet.config.set_num_threads(n)
            infos = [i for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
            assert infos and all(i["num_threads"] == n for i in infos)
    finally:
        monkeypatch.setattr(threads, "_blas", None)
        glassnet.config.set_num_threads(None)


def test_numba_caches_its_loops_in_a_user_folder_not_in_the_package(tmp_path):
    """Issue 28: the compiled loops go to $GLASSNET_CACHE_DIR/numba (else ~/.cache/glassnet/numba)."""
    pytest.importorskip("numba")
    import os
    import pathlib
    import subprocess
    import sys
    program = ("import numpy as np, glassnet\n"
               "glassnet.config.set_kernels('numba')\n"
               "m = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(2, activation='relu'),"
               " glassnet.layers.Dense(1)])\n"
               "m.compile(optimizer='adam', loss='mse')\n"
               "m.fit(np.ones((8, 3), np.float32), np.ones((8, 1), np.float32), epochs=1, verbose=0)\n"
               "import numba; print(numba.config.CACHE_DIR)\n")
    package = pathlib.Path(glassnet.__file__).parent / "fast"
    before = set(package.rglob("*.nbi"))
    env = dict(os.environ, GLASSNET_CACHE_DIR=str(tmp_path), PYTHONPATH=str(package.parents[1]))
    env.pop("NUMBA_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == str(tmp_path / "numba")
    assert list((tmp_path / "numba").rglob("*.nbi"))                 # the loops were cached there
    assert set(package.rglob("*.nbi")) == before                     # and nothing new inside the package
