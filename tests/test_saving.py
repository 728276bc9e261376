"""Model files: round trips, resuming training, Keras-written fixtures, weights formats,
atomic writes (including a save killed mid-write with SIGKILL), and the lazy imports.

Keras's side of the interoperability (Keras loading glassnet's files) is checked by
``tools/make_keras_files.py --check``, which needs TensorFlow; this suite does not.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import saving
from glassnet.keras import layers as L
from glassnet.saving.h5 import optimizer_slots

FIXTURES = Path(__file__).parent / "fixtures" / "keras_files"
KERAS_FILES = sorted(p.stem for p in FIXTURES.glob("*.keras"))
SRC = str(Path(glassnet.__file__).resolve().parents[1])

OPTIMIZERS = {
    "adam": lambda: glassnet.optimizers.Adam(0.01),
    "adam_amsgrad": lambda: glassnet.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: glassnet.optimizers.AdamW(0.01, weight_decay=0.01),
    "sgd": lambda: glassnet.optimizers.SGD(0.1),
    "sgd_nesterov": lambda: glassnet.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda: glassnet.optimizers.RMSprop(0.01),
    "rmsprop_centered": lambda: glassnet.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
}


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype("float32")
    return x, (x.sum(1) > 2).astype("float32")


def _model(opt="adam"):
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(7, activation="relu", kernel_regularizer="l2"),
                                 L.Dense(5, activation="tanh"), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=OPTIMIZERS[opt](), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _same_state(a, b):
    assert type(a.optimizer) is type(b.optimizer)
    assert a.optimizer.get_config() == b.optimizer.get_config()
    assert a.optimizer.iterations == b.optimizer.iterations
    va, vb = a.optimizer.variables(), b.optimizer.variables()
    assert len(va) == len(vb)
    for x, y in zip(va, vb):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_round_trip_predictions_and_optimizer_state(tmp_path, opt):
    x, y = _data()
    model = _model(opt)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    again = glassnet.models.load_model(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [l.name for l in again.layers] == [l.name for l in model.layers]
    assert again.get_config() == model.get_config()
    assert type(again.loss) is type(model.loss) and again.metrics_names[:1] == ["loss"]
    _same_state(model, again)


@pytest.mark.parametrize("opt", ["adam", "sgd_nesterov", "rmsprop_centered", "adam_amsgrad"])
def test_training_resumed_after_load_matches_training_that_never_stopped(tmp_path, opt):
    x, y = _data()
    glassnet.utils.set_random_seed(7)
    straight = _model(opt)
    history = straight.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    glassnet.utils.set_random_seed(7)
    glassnet.utils.clear_session()
    first = _model(opt)
    first.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    first.save(tmp_path / "half.keras")
    resumed = glassnet.models.load_model(tmp_path / "half.keras")
    later = resumed.fit(x, y, epochs=4, initial_epoch=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(history.history["loss"][2:], later.history["loss"])
    _same_state(straight, resumed)


def test_compile_false_and_unbuilt_models(tmp_path):
    model = _model()
    model.save(tmp_path / "c.keras")
    plain = glassnet.models.load_model(tmp_path / "c.keras", compile=False)
    assert not plain.compiled and plain.built
    unbuilt = glassnet.Sequential([L.Dense(3, activation="relu"), L.Dense(1)])
    unbuilt.save(tmp_path / "u.keras")
    back = glassnet.models.load_model(tmp_path / "u.keras")
    assert not back.built and [l.units for l in back.layers] == [3, 1]


def test_untrained_compiled_model_round_trips(tmp_path):
    model = _model("rmsprop")           # optimizer never built: iterations and rate only
    model.save(tmp_path / "fresh.keras")
    back = glassnet.models.load_model(tmp_path / "fresh.keras")
    assert back.optimizer.iterations == 0 and not back.optimizer.built
    x, y = _data()
    back.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("name", KERAS_FILES)
def test_keras_written_files_load_and_predict_identically(name):
    ref = np.load(FIXTURES / f"{name}.npz")
    model = glassnet.models.load_model(FIXTURES / f"{name}.keras")
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["pred"], rtol=1e-5, atol=1e-6)
    keras_state = [ref[f"opt_{i}"] for i in range(sum(k.startswith("opt_") for k in ref.files))]
    ours = ([np.array(model.optimizer.iterations)] + ([] if model.optimizer.has_schedule else    # a schedule: no
            [np.array(model.optimizer.learning_rate)]) + optimizer_slots(model.optimizer))         # rate variable
    assert len(ours) == len(keras_state)
    for a, b in zip(ours, keras_state):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    if "dropout" not in [type(l).__name__.lower() for l in model.layers]:     # dropout draws differ
        model.fit(ref["x_train"], ref["y_train"], epochs=1, batch_size=8, shuffle=False, verbose=0)
        np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["pred_after"], rtol=1e-4, atol=1e-5)


def test_keras_written_weights_file_loads():
    ref = np.load(FIXTURES / "adam_binary.npz")
    model = glassnet.models.load_model(FIXTURES / "adam_binary.keras", compile=False)
    for v in model.weights:
        v.value[...] = 0
    model.load_weights(FIXTURES / "adam_binary.weights.h5")
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["pred"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("suffix", [".weights.h5", ".safetensors"])
def test_weights_round_trip(tmp_path, suffix):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / f"w{suffix}"
    model.save_weights(path)
    other = _model()
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    if suffix == ".weights.h5":          # Keras keeps the optimizer state in this file too
        _same_state(model, other)
    else:
        import safetensors.numpy
        assert sorted(safetensors.numpy.load_file(str(path))) == ["dense/bias", "dense/kernel", "dense_1/bias", "dense_1/kernel", "dense_2/bias", "dense_2/kernel"]


def test_mismatched_weights_are_refused_and_change_nothing(tmp_path):
    _model().save_weights(tmp_path / "w.weights.h5")
    _model().save_weights(tmp_path / "w.safetensors")
    wider = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(8), L.Dense(5), L.Dense(1)])
    before = wider.get_weights()
    for name in ("w.weights.h5", "w.safetensors"):
        with pytest.raises(saving.ModelFileError, match="w\\."):
            wider.load_weights(tmp_path / name)
        for a, b in zip(before, wider.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_extensions_and_overwrite(tmp_path):
    model = _model()
    for bad in ("m.zip", "m"):                  # (.h5 is Keras's legacy model file: tests/test_legacy_h5.py)
        with pytest.raises(saving.FileFormatError, match=".keras"):
            model.save(tmp_path / bad)
    with pytest.raises(saving.FileFormatError, match="weights.h5"):
        model.save_weights(tmp_path / "w.h5")
    with pytest.raises(saving.FileFormatError, match="load_weights"):
        model.load_weights(tmp_path / "m.keras")
    with pytest.raises(saving.FileFormatError, match="load_model reads .keras"):
        glassnet.models.load_model(tmp_path / "w.weights.h5")
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)
    with pytest.raises(FileNotFoundError, match="nope.keras"):
        glassnet.models.load_model(tmp_path / "nope.keras")
    with pytest.raises(TypeError, match="custom_objects"):
        glassnet.models.load_model(tmp_path / "m.keras", custom_objects=[object])


def test_an_unregistered_custom_layer_is_saved_as_keras_and_loads_only_when_named(tmp_path):
    """Keras 3 writes a class of one's own (under its module) and finds it again only in
    custom_objects or among the registered classes; glassnet does the same, importing nothing."""
    class Mine(L.Dense):
        pass
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), Mine(2)])
    model.save(tmp_path / "m.keras")
    with pytest.raises(saving.ModelFileError, match="Mine"):
        glassnet.models.load_model(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras", custom_objects={"Mine": Mine})
    assert type(again.layers[0]) is Mine
    np.testing.assert_array_equal(again.get_weights()[0], model.get_weights()[0])


def test_a_custom_layer_whose_config_misses_its_arguments_is_refused_at_save_time(tmp_path):
    class Scaled(L.Layer):
        def __init__(self, factor, offset):
            super().__init__()
            self.factor, self.offset = factor, offset

        def call(self, x):
            return x * self.factor + self.offset
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), Scaled(2.0, 1.0)])
    with pytest.raises(ValueError, match="Scaled whose __init__ takes arguments its config does not hold"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_failed_save_keeps_previous_file_and_leaves_no_temp(tmp_path, monkeypatch):
    x, _ = _data()
    model = _model()
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()

    def explode(fd, *a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", explode)
    model.layers[0].kernel.value[...] += 1
    with pytest.raises(OSError, match="No space"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.keras"]
    glassnet.models.load_model(path).predict(x, verbose=0)


def test_model_checkpoint_writes_loadable_files(tmp_path):
    x, y = _data()
    model = _model()
    ckpt = glassnet.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}.keras"), monitor="loss")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[ckpt])
    last = glassnet.models.load_model(tmp_path / "e2.keras")
    np.testing.assert_array_equal(last.predict(x, verbose=0), model.predict(x, verbose=0))
    assert sorted(os.listdir(tmp_path)) == ["e1.keras", "e2.keras"]


def test_load_from_file_object_and_bytes(tmp_path):
    model = _model()
    model.save(tmp_path / "m.keras")
    with open(tmp_path / "m.keras", "rb") as f:
        assert glassnet.models.load_model(f).built
    assert glassnet.models.load_model((tmp_path / "m.keras").read_bytes()).built


def test_import_glassnet_does_not_import_h5py_or_safetensors():
    code = "import sys, glassnet, glassnet.saving; print('h5py' in sys.modules, 'safetensors' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": SRC})
    assert out.stdout.split() == ["False", "False"]


def test_missing_h5py_gives_the_install_line(tmp_path):
    code = textwrap.dedent(f"""
        import sys; sys.modules["h5py"] = None
        import glassnet
        m = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1)])
        try:
            m.save({str(tmp_path / 'm.keras')!r})
        except ImportError as e:
            print(e)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": SRC})
    assert 'pip install "glassnet[files]"' in out.stdout


_WRITER = """
import sys, numpy as np, glassnet
path = sys.argv[1]
model = glassnet.Sequential([glassnet.Input(shape=(300,)), glassnet.layers.Dense(300), glassnet.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
i = 0
while True:
    model.layers[0].kernel.value[...] = i
    model.save(path)
    if i == 0:
        print("ready", flush=True)
    i += 1
"""


def test_save_killed_mid_write_leaves_a_loadable_file(tmp_path):
    path = tmp_path / "ckpt.keras"
    model = glassnet.Sequential([glassnet.Input(shape=(300,)), L.Dense(300), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.layers[0].kernel.value[...] = -1
    model.save(path)
    rng = random.Random(0)
    seen = set()
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": SRC})
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        loaded = glassnet.models.load_model(path)        # never a half-written file
        kernel = loaded.layers[0].kernel.value
        assert np.all(kernel == kernel.flat[0])
        seen.add(float(kernel.flat[0]))
    assert len(seen) > 1                                  # kills did land at different moments
    leftovers = [n for n in os.listdir(tmp_path) if n != "ckpt.keras"]
    assert all(".glassnet-tmp-" in n for n in leftovers)   # only temp files a SIGKILL can leave


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX permissions")
def test_saved_files_get_ordinary_permissions_and_keep_the_replaced_ones(tmp_path, umask_022):
    model = _model()
    for name in ("m.keras", "w.weights.h5", "w.safetensors"):
        path = tmp_path / name
        save = model.save if name.endswith(".keras") else model.save_weights
        save(path)                                   # new: 0o666 & ~umask, not mkstemp's 0600
        assert oct(os.stat(path).st_mode & 0o777) == oct(0o644), name
        os.chmod(path, 0o640)
        save(path)                                   # replaced: the old file's mode is kept
        assert oct(os.stat(path).st_mode & 0o777) == oct(0o640), name


def test_save_targets_name_the_users_path(tmp_path):
    model = _model()
    missing = tmp_path / "no" / "such" / "m.keras"
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        model.save(missing)
    assert str(missing) in str(info.value) and ".glassnet-tmp-" not in str(info.value)
    folder = tmp_path / "dir.keras"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder") as info:
        model.save(folder)
    assert str(folder) in str(info.value) and ".glassnet-tmp-" not in str(info.value)
    (tmp_path / "wdir.weights.h5").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        model.save_weights(tmp_path / "wdir.weights.h5")
    assert os.listdir(folder) == [] and not missing.parent.exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_save_writes_through_a_symlink(tmp_path):
    x, _ = _data()
    model = _model()
    real = tmp_path / "real" / "m.keras"
    real.parent.mkdir()
    model.save(real)
    link = tmp_path / "latest.keras"
    link.symlink_to(real)
    model.layers[0].kernel.value[...] += 1
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)      # the link is kept
    np.testing.assert_array_equal(glassnet.models.load_model(real).predict(x, verbose=0),
                                  model.predict(x, verbose=0))       # and its target replaced
    assert sorted(os.listdir(tmp_path)) == ["latest.keras", "real"] and os.listdir(real.parent) == ["m.keras"]


def test_learning_rate_schedule_is_refused_at_save_time(tmp_path):
    model = _model()
    model.optimizer.learning_rate = lambda step: 0.01 / (1 + step)
    path = tmp_path / "m.keras"
    with pytest.raises(ValueError, match="a function of your own; it cannot be saved in a .keras file "
                                         r"\(Keras's schedules.*can\); use save_weights, or set a number"):
        model.save(path)
    assert os.listdir(tmp_path) == []                 # nothing written
    _model().save(path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="schedule"):
        model.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.keras"]
    model.save_weights(tmp_path / "w.weights.h5")     # the weights still save


def test_custom_metric_is_refused_at_save_time(tmp_path):
    class Mine(glassnet.metrics.BinaryAccuracy):
        pass
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[Mine()])
    with pytest.raises(ValueError, match="not one of glassnet's own metrics"):
        model.save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []


def test_skipped_or_refused_optimizer_state_leaves_the_optimizer_unbuilt(tmp_path, capsys):
    import h5py
    x, y = _data()
    trained = _model("adam")
    trained.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "w.weights.h5"
    trained.save_weights(path)
    # another optimizer: the weights load, the state does not match and is skipped, with a warning
    other = _model("sgd_nesterov")
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x, verbose=0), trained.predict(x, verbose=0))
    assert not other.optimizer.built and other.optimizer.iterations == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "optimizer state" in err and "w.weights.h5" in err
    assert len(err.strip().splitlines()) == 1
    # a refused file (a bad step count): nothing changes, the optimizer is not built either
    with h5py.File(path, "r+") as f:
        del f["optimizer/vars/0"]
        f["optimizer/vars/0"] = np.array(-1, dtype=np.int64)
    fresh = _model("adam")
    before = fresh.get_weights()
    with pytest.raises(saving.FileFormatError, match="iterations"):
        fresh.load_weights(path)
    assert not fresh.optimizer.built and fresh.optimizer.iterations == 0
    for a, b in zip(before, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_optimizer_state_loads_into_an_unbuilt_optimizer_with_a_schedule(tmp_path):
    x, y = _data()
    trained = _model("sgd_nesterov")
    trained.fit(x, y, epochs=1, verbose=0)
    trained.save_weights(tmp_path / "w.weights.h5")
    other = _model("sgd_nesterov")
    other.optimizer.learning_rate = lambda step: 0.05
    other.load_weights(tmp_path / "w.weights.h5")
    assert other.optimizer.built and other.optimizer.iterations == trained.optimizer.iterations
    for a, b in zip(optimizer_slots(other.optimizer), optimizer_slots(trained.optimizer)):
        np.testing.assert_array_equal(a, b)


def test_a_subclassed_model_holding_variables_saves_its_weights_before_it_is_built(tmp_path):
    # TensorFlow's "basic training loops" guide: tf.Variables set in __init__, trained by a
    # GradientTape loop, then keras_model.save_weights(...) without the model ever being built
    class MyModelKeras(glassnet.keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = glassnet.Variable(5.0)
            self.b = glassnet.Variable(0.0)

        def call(self, x):
            return self.w * x + self.b

    model = MyModelKeras()
    model.w.assign(3.5)
    model.save_weights(tmp_path / "m.weights.h5")
    other = MyModelKeras()
    other.load_weights(tmp_path / "m.weights.h5")
    assert float(other.w.numpy()) == 3.5 and float(other.b.numpy()) == 0.0
    with pytest.raises(ValueError, match="no weights yet"):
        glassnet.Sequential([L.Dense(1)]).save_weights(tmp_path / "u.weights.h5")
