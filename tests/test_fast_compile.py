"""No fit waits for numba's first compile of the compiled epoch (glassnet.fast.epoch,
glassnet.fast.compile, glassnet.fast._numba_cache).

The rule: the epoch's loops are used only when loaded in this process or found in numba's
disk cache (read without importing numba, checked here against numba's own cache files
of a small module compiled into a temporary folder). A fit that would use them but finds
no cache runs step by step, exactly as with the compiled epoch turned off, and starts one
background compile (recorded instead of spawned, but in one test); the lock file; the
environment switch; ``compile_now`` and ``glassnet compile``.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import pickle
import shutil
import sys
import time

import numpy as np
import pytest

import glassnet
from glassnet.keras import Input, Sequential
from glassnet.keras.layers import Dense

numba = pytest.importorskip("numba")
from glassnet.fast import _numba_cache  # noqa: E402
from glassnet.fast import compile as background  # noqa: E402
from glassnet.fast import epoch as fast_epoch  # noqa: E402

EPOCH_FILE = os.path.join(os.path.dirname(fast_epoch.__file__), "_numba_epoch.py")


@pytest.fixture(scope="module", autouse=True)
def _loops_compiled():
    """The session's cache holds the loops (a clean CI machine's is empty); not left loaded."""
    loaded = set(fast_epoch._loaded)
    fast_epoch.compile_now()
    fast_epoch._loaded.intersection_update(loaded)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    """Nothing loaded, no compile asked for yet in this process, background compiles on
    (the suite's conftest turns them off), and settings put back after."""
    monkeypatch.setattr(fast_epoch, "_loaded", set())
    monkeypatch.setattr(background, "_started", False)
    monkeypatch.setattr(background, "process", None)
    monkeypatch.setenv("GLASSNET_BACKGROUND_COMPILE", "1")
    yield
    glassnet.config.set_compiled_epoch(True)
    glassnet.config.set_fast_path(True)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """numba's cache folder, for this test, an empty one (a fresh install's)."""
    folder = tmp_path / "numba"
    folder.mkdir()
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def spawned(monkeypatch):
    """``background.spawn`` recording its calls instead of starting a process."""
    calls = []
    monkeypatch.setattr(background, "spawn", lambda lock: calls.append(lock) or "a process")
    return calls


# --------------------------------------------------------------------------------------
# reading numba's cache without numba
# --------------------------------------------------------------------------------------
TINY = "import numba\n\n\n@numba.njit(cache=True)\ndef double(x):\n    return x * 2\n"


def _tiny_module(tmp_path, monkeypatch, name="tiny_loops"):
    """A module with one cached numba function, compiled into ``tmp_path/cache``."""
    package = tmp_path / "pkg"
    package.mkdir(exist_ok=True)
    path = package / f"{name}.py"
    path.write_text(TINY)
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path / "cache"))
    spec = importlib.util.spec_from_file_location(f"_glassnet_test_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(path), module


def test_cached_reads_numbas_own_files(tmp_path, monkeypatch):
    path, module = _tiny_module(tmp_path, monkeypatch)
    cache = str(tmp_path / "cache")
    assert not _numba_cache.cached(path, ["double"], cache)                  # nothing compiled yet
    module.double(np.zeros(3, np.float32))                                   # numba writes its files
    index = glob.glob(os.path.join(_numba_cache.module_folder(path, cache), "tiny_loops.double-*.nbi"))
    assert len(index) == 1, "the folder and file names numba uses"
    assert _numba_cache.cached(path, ["double", ("double", "array(float32, 1d")], cache)
    assert not _numba_cache.cached(path, [("double", "array(float64, 1d")], cache)   # that type never compiled
    assert not _numba_cache.cached(path, ["double", "triple"], cache)        # each function asked is needed
    assert not _numba_cache.cached(path, ["double"], str(tmp_path / "elsewhere"))
    module.double(np.zeros(3, np.float64))
    assert _numba_cache.cached(path, [("double", "array(float64, 1d")], cache)


def test_cached_wants_this_source_and_this_numba(tmp_path, monkeypatch):
    path, module = _tiny_module(tmp_path, monkeypatch, "tiny_stamp")
    cache = str(tmp_path / "cache")
    module.double(np.zeros(3, np.float32))
    assert _numba_cache.cached(path, ["double"], cache)
    (index,) = glob.glob(os.path.join(_numba_cache.module_folder(path, cache), "tiny_stamp.double-*.nbi"))
    with open(index, "rb") as f:
        version, rest = pickle.load(f), f.read()
    assert version == numba.__version__ == _numba_cache._numba_version()
    with open(index, "wb") as f:                                             # another numba wrote it
        pickle.dump("0.1.0", f)
        f.write(rest)
    assert not _numba_cache.cached(path, ["double"], cache)
    with open(index, "wb") as f:
        pickle.dump(version, f)
        f.write(rest)
    assert _numba_cache.cached(path, ["double"], cache)
    with open(path, "a") as f:                                               # the source changed since
        f.write("# edited\n")
    assert not _numba_cache.cached(path, ["double"], cache)
    with open(index, "wb") as f:                                             # a broken index
        f.write(b"\x80\x05 not a pickle")
    assert not _numba_cache.cached(path, ["double"], cache)


def test_the_rule_cached_not_cached_loaded(tmp_path):
    real = _numba_cache.numba_dir()
    assert fast_epoch.compiled(np.float32) and fast_epoch.compiled("float64")          # compile_now's
    assert fast_epoch.compiled(np.float32, folder=real)
    assert not fast_epoch.compiled(np.float32, folder=str(tmp_path))                   # an empty cache
    copy = _numba_cache.module_folder(EPOCH_FILE, str(tmp_path))
    shutil.copytree(_numba_cache.module_folder(EPOCH_FILE, real), copy)
    assert fast_epoch.compiled(np.float64, folder=str(tmp_path))
    for name in glob.glob(os.path.join(copy, "_numba_epoch.run_epoch-*")):
        os.remove(name)
    assert not fast_epoch.compiled(np.float64, folder=str(tmp_path))                   # one loop missing
    fast_epoch._loaded.add(np.dtype(np.float64))
    assert fast_epoch.compiled(np.float64, folder=str(tmp_path))                       # loaded: no cache needed
    assert not fast_epoch.compiled(np.float32, folder=str(tmp_path))


def test_the_check_imports_no_numba():
    code = ("import sys, numpy as np\nfrom glassnet.fast import epoch\n"
            "print(epoch.compiled(np.float32), epoch.compiled(np.float64), 'numba' in sys.modules)\n")
    import subprocess  # noqa: PLC0415
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "False"]


# --------------------------------------------------------------------------------------
# fits
# --------------------------------------------------------------------------------------
def _fit(epochs=600, n=320, seed=3):
    glassnet.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.random((n, 10)).astype("float32")
    y = (x[:, :1] + x[:, 1:2] > 1).astype("float32")
    model = Sequential([Input(shape=(10,)), Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    return [v.value.copy() for v in model.trainable_weights], history.history["loss"]


def _compiled_calls(monkeypatch):
    calls = []
    run = fast_epoch.Epochs.run
    monkeypatch.setattr(fast_epoch.Epochs, "run", lambda self, data, dry=False: calls.append(dry) or run(self, data, dry))
    return calls


def test_a_fit_without_the_cache_runs_step_by_step_and_starts_one_compile(empty_cache, spawned, monkeypatch):
    calls = _compiled_calls(monkeypatch)
    weights, losses = _fit()                                   # 6,000 steps: it would use the loops
    assert calls == [], "no compiled epoch, not even plan's dry call (which would compile)"
    assert spawned == [str(empty_cache / background.LOCK_NAME)]
    assert os.path.exists(spawned[0])                          # the lock, held for the process started
    glassnet.config.set_compiled_epoch(False)
    same_weights, same_losses = _fit()                         # the fused step, as always
    assert losses == same_losses
    for a, b in zip(weights, same_weights):
        np.testing.assert_array_equal(a, b)
    glassnet.config.set_compiled_epoch(True)
    glassnet.config.set_fast_path(False)
    readable_weights, readable_losses = _fit(epochs=20)        # the readable step, for a shorter fit
    glassnet.config.set_fast_path(True)
    _, fused_losses = _fit(epochs=20)
    np.testing.assert_allclose(fused_losses, readable_losses, rtol=1e-6)
    _fit()                                                     # a second qualifying fit: no second compile
    assert len(spawned) == 1 and calls == []


def test_a_fit_that_would_not_use_the_loops_starts_nothing(empty_cache, spawned):
    _fit(epochs=10)                                            # 100 steps: numba's load is not worth it
    assert spawned == []
    assert not os.path.exists(empty_cache / background.LOCK_NAME)


def test_a_fit_with_the_cache_uses_the_compiled_epoch(spawned, monkeypatch):
    calls = _compiled_calls(monkeypatch)
    _fit()
    assert calls[0] is True and calls.count(False) == 600      # plan's dry call, then each epoch in one call
    assert spawned == []


def test_switched_off_by_the_environment_or_the_setting(empty_cache, spawned, monkeypatch):
    monkeypatch.setenv("GLASSNET_BACKGROUND_COMPILE", "0")
    _fit()
    assert spawned == [] and not os.listdir(empty_cache)
    assert background.start() is False and not os.listdir(empty_cache)
    monkeypatch.setenv("GLASSNET_BACKGROUND_COMPILE", "1")
    glassnet.config.set_compiled_epoch(False)
    _fit()
    assert background.start() is False
    assert spawned == [] and not os.listdir(empty_cache)


# --------------------------------------------------------------------------------------
# the lock
# --------------------------------------------------------------------------------------
def test_the_lock_lets_one_through(tmp_path):
    lock = str(tmp_path / "deeper" / background.LOCK_NAME)
    assert background.take_lock(lock)
    assert open(lock).read().split()[0] == str(os.getpid())
    assert not background.take_lock(lock)                      # another process's, fresh
    old = time.time() - background.STALE_S - 60
    os.utime(lock, (old, old))
    assert background.take_lock(lock)                          # a dead compile's: taken over
    assert time.time() - os.stat(lock).st_mtime < 60
    assert os.listdir(tmp_path / "deeper") == [background.LOCK_NAME]


def test_start_respects_the_lock_and_gives_it_back_on_failure(tmp_path, spawned, monkeypatch):
    lock = str(tmp_path / background.LOCK_NAME)
    assert background.take_lock(lock)                          # another process compiles
    assert background.start(str(tmp_path)) is False and spawned == []
    os.remove(lock)
    assert background.start(str(tmp_path)) is False            # once per process, even if the first found it held
    monkeypatch.setattr(background, "_started", False)

    def fails(lock):
        raise OSError("no python here")
    monkeypatch.setattr(background, "spawn", fails)
    assert background.start(str(tmp_path)) is False
    assert not os.path.exists(lock)                            # given back: a later process may try


def test_the_background_process_compiles_into_the_cache(tmp_path, monkeypatch):
    """The one real spawn: into a temporary cache holding the session's loops but one (the
    small ``call_loop``), so it compiles for a second or two, not a minute."""
    folder = tmp_path / "glassnet" / "numba"
    copy = _numba_cache.module_folder(EPOCH_FILE, str(folder))
    shutil.copytree(_numba_cache.module_folder(EPOCH_FILE, _numba_cache.numba_dir()), copy,
                    ignore=lambda _, names: [n for n in names if not n.startswith(
                        ("_numba_epoch.", "_numba_recurrent.", "_numba_optimizers."))])
    for name in glob.glob(os.path.join(copy, "_numba_recurrent.call_loop-*")):
        os.remove(name)
    assert not fast_epoch.compiled(np.float32, folder=str(folder))
    monkeypatch.setenv("GLASSNET_CACHE_DIR", str(tmp_path / "glassnet"))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert background.start(str(folder)) is True
    process = background.process
    try:
        assert process.wait(timeout=300) == 0, open(folder / background.LOG_NAME).read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not os.path.exists(folder / background.LOCK_NAME)              # released
    log = open(folder / background.LOG_NAME).read()
    assert "compile_now: float32 in" in log and "compile_now: float64 in" in log and log.rstrip().endswith("done")
    assert fast_epoch.compiled(np.float32, folder=str(folder)) and fast_epoch.compiled(np.float64, folder=str(folder))
    assert background.start(str(folder)) is False                         # never twice in one process


# --------------------------------------------------------------------------------------
# compile_now and the command
# --------------------------------------------------------------------------------------
def test_compile_now_leaves_the_callers_state_alone():
    glassnet.utils.set_random_seed(5)
    draw = glassnet.utils.rng().random()
    glassnet.utils.set_random_seed(5)
    took = fast_epoch.compile_now(("float32",))
    assert list(took) == ["float32"] and took["float32"] > 0
    assert glassnet.utils.rng().random() == draw               # no random draw taken
    assert Dense(2).name == "dense"                            # no layer name taken
    assert glassnet.config.floatx() == "float32"
    assert np.dtype(np.float32) in fast_epoch._loaded
    with pytest.raises(ValueError, match="dtypes: 'float16'"):
        fast_epoch.compile_now(("float16",))


def test_glassnet_compile_command(capsys):
    from glassnet.cli import main  # noqa: PLC0415
    assert main(["compile", "--dtype", "float64"]) == 0
    out = capsys.readouterr().out
    assert "compile_now: float64 in" in out and "float32" not in out
    assert _numba_cache.numba_dir() in out
