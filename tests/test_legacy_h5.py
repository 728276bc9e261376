"""Keras's legacy .h5 model file: model.save("my_model.h5") and load_model on it, as the
end of TensorFlow's "Save and load models" tutorial does; Keras-written and glassnet-written,
read as safely as .keras files. (tools/make_keras_files.py --check: Keras reads ours.)"""
import io
import json
from pathlib import Path

import h5py
import numpy as np
import pytest

import glassnet
from glassnet import layers, saving
from glassnet.saving import FileFormatError, ModelFileError, UnsafeFileError

FIXTURES = Path(__file__).parent / "fixtures" / "keras_files"


def _data(n=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, rng.integers(0, 3, n)


def _model():
    x, _ = _data()
    norm = layers.Normalization()
    norm.adapt(x)
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), norm, layers.Dense(8, activation="relu"),
                                 layers.Dropout(0.2), layers.Dense(3)])
    model.compile(optimizer=glassnet.optimizers.Adam(0.01), metrics=["accuracy"],
                  loss=glassnet.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_keras_written_h5_loads_predicts_and_keeps_the_step_count():
    ref = np.load(FIXTURES / "legacy_normalization.npz")
    model = glassnet.models.load_model(FIXTURES / "legacy_normalization.h5")
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["pred"], rtol=1e-5, atol=1e-6)
    assert model.optimizer.iterations == int(ref["iterations"]) and model.optimizer.built
    assert [type(layer).__name__ for layer in model.layers] == ["Normalization", "Dense", "Dropout", "Dense"]
    model.fit(ref["x"], ref["y"], epochs=1, verbose=0)                    # and trains on
    bare = glassnet.models.load_model(FIXTURES / "legacy_normalization.h5", compile=False)
    assert not bare.compiled


def test_round_trip_and_training_goes_on_the_same(tmp_path, capsys):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "my_model.h5")
    assert "HDF5 file via `model.save()`" in capsys.readouterr().err   # as Keras 3 warns
    again = glassnet.models.load_model(tmp_path / "my_model.h5")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert again.optimizer.iterations == model.optimizer.iterations
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    # a file keeps no Dropout seed state (Keras's neither): the loaded Dropout took a new seed when
    # made, so both get the same one here for their masks to agree
    from glassnet.seeding import SeedState
    glassnet.utils.set_random_seed(5)
    model.layers[2]._seed_state = SeedState(7)
    model.fit(x, y, epochs=1, verbose=0)
    glassnet.utils.set_random_seed(5)
    again.layers[2]._seed_state = SeedState(7)
    again.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    with h5py.File(tmp_path / "my_model.h5", "r") as f:                 # Keras's legacy layout
        assert json.loads(f.attrs["model_config"])["class_name"] == "Sequential"
        assert "optimizer_config" in json.loads(f.attrs["training_config"])
        assert [n.decode() for n in f["model_weights"].attrs["layer_names"]] == [l.name for l in model.layers]


def test_nested_model_and_schedule_round_trip(tmp_path):
    x, y = _data()
    model = _model()
    model.optimizer.learning_rate = glassnet.keras.optimizers.schedules.ExponentialDecay(0.01, 5, 0.5)
    model.fit(x, y, epochs=1, verbose=0)
    probability = glassnet.Sequential([model, layers.Softmax()])
    probability.save(tmp_path / "p.h5")
    again = glassnet.models.load_model(tmp_path / "p.h5")
    np.testing.assert_allclose(again.predict(x, verbose=0), probability.predict(x, verbose=0), rtol=1e-6)
    model.save(tmp_path / "m.hdf5")
    assert type(glassnet.models.load_model(tmp_path / "m.hdf5").optimizer.schedule).__name__ == "ExponentialDecay"


def _rewrite(src, dst, change):
    with open(src, "rb") as f:
        data = io.BytesIO(f.read())
    with h5py.File(data, "r+") as f:
        change(f)
    dst.write_bytes(data.getvalue())


def _config_change(edit):
    def change(f):
        cfg = json.loads(f.attrs["model_config"])
        edit(cfg)
        f.attrs["model_config"] = json.dumps(cfg).encode()
    return change


@pytest.mark.parametrize("change, error, message", [
    (lambda f: f.attrs.__delitem__("model_config"), FileFormatError, "no model_config"),
    (_config_change(lambda c: c["config"]["layers"][1].update(class_name="Lambda")), UnsafeFileError, "Lambda"),
    (_config_change(lambda c: c["config"]["layers"][2].update(module="os")), UnsafeFileError, "'os'"),
    (lambda f: f.attrs.__setitem__("model_config", "{" * 500), UnsafeFileError, "nests deeper"),
    (lambda f: f.attrs.__setitem__("training_config", json.dumps(
        {"loss": {"class_name": "MyLoss", "config": {}}, "optimizer_config": {"class_name": "Adam", "config": {}}})),
     ModelFileError, "compile=False"),
    (lambda f: f["model_weights/dense"].attrs.__setitem__(
        "weight_names", np.array([b"sequential/dense/kernel"], "S")), FileFormatError, "1 weight arrays"),
    (lambda f: f["model_weights"].attrs.__setitem__("layer_names", np.array([b"dense"], "S")),
     FileFormatError, "weights for 1 layers"),
    (lambda f: f.attrs.__setitem__("model_config", "[" + " " * (17 << 20) + "]"), UnsafeFileError,
     "bytes of text; refused"),
    (lambda f: f["model_weights/dense"].attrs.__setitem__(
        "weight_names", np.array([b"../dense_1/sequential/dense_1/kernel", b"x"], "S")),
     UnsafeFileError, "not a plain path"),
])
def test_hostile_or_broken_files_are_refused_and_named(tmp_path, change, error, message):
    model = _model()
    model.fit(*_data(), epochs=1, verbose=0)
    model.save(tmp_path / "good.h5")
    _rewrite(tmp_path / "good.h5", tmp_path / "bad.h5", change)
    with pytest.raises(error, match=message):
        glassnet.models.load_model(tmp_path / "bad.h5")


def test_a_dataset_of_the_wrong_shape_is_refused_before_it_is_read(tmp_path):
    model = _model()
    model.save(tmp_path / "good.h5")

    def swap(f):
        del f["model_weights/dense/sequential/dense/kernel"]
        f["model_weights/dense/sequential/dense/kernel"] = np.zeros((4000, 8), np.float32)
    _rewrite(tmp_path / "good.h5", tmp_path / "bad.h5", swap)
    with pytest.raises(UnsafeFileError, match="refused before reading it"):
        glassnet.models.load_model(tmp_path / "bad.h5")


def test_names_that_are_not_model_files_are_still_refused(tmp_path):
    model = _model()
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(FileFormatError, match="use load_weights for weights files"):
        saving.load_model(tmp_path / "w.weights.h5")
    with pytest.raises(FileFormatError, match="load_model reads .keras files"):
        saving.load_model(tmp_path / "m.txt")
