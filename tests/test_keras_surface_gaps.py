"""What printed output shows, against Keras 3.15 / TensorFlow 2.21 (each expected value below was
printed by them, tools/probe_keras_surface.py): ``history.params``, ``model.get_metrics_result()``,
the reprs of ``keras.Input`` and of layers' symbolic outputs, weights' ``path`` under the model
that built them, ``Dataset.map(...).element_spec`` where the data sizes an axis, and a subclassed
model saved to ``.keras`` and loaded back."""
import json
import zipfile

import numpy as np
import pytest

import glassnet as tf
from glassnet import keras


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


def _model(metrics=("accuracy",)):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=list(metrics))
    return model


# -- 1. history.params --------------------------------------------------------------------------
@pytest.mark.parametrize("verbose", [0, 1, 2, "auto"])
def test_history_params_keep_verbose_as_given(verbose, capsys):
    x, y = _data()
    history = _model().fit(x, y, epochs=2, batch_size=8, verbose=verbose)
    assert history.params == {"verbose": verbose, "epochs": 2, "steps": 3}
    capsys.readouterr()


def test_history_params_of_a_dataset_of_unknown_length_keep_steps_none(capsys):
    x, y = _data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).filter(lambda a, b: True).batch(8)
    assert int(ds.cardinality()) == -2
    seen = []

    class Params(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(dict(self.params))

    history = _model().fit(ds, epochs=2, verbose=2, callbacks=[Params()])
    assert history.params == {"verbose": 2, "epochs": 2, "steps": None}
    assert seen == [{"verbose": 2, "epochs": 2, "steps": None}] * 2
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("Epoch")]
    assert [line.split(" - ")[0] for line in lines] == ["3/3", "3/3"]      # the count seen, on the line
    assert _model().fit(x, y, epochs=1, verbose=0, validation_split=0.2).params == \
        {"verbose": 0, "epochs": 1, "steps": 1}


# -- 2. get_metrics_result -----------------------------------------------------------------------
def _floats(result):
    assert all(isinstance(v, tf.Tensor) and v.dtype == np.float32 and v.shape == () for v in result.values())
    return {k: float(v) for k, v in result.items()}


def test_get_metrics_result_has_the_loss_first_as_float32_tensors():
    x, y = _data()
    model = _model()
    with pytest.raises(ValueError, match="Cannot get result\\(\\) since the metric has not yet been built"):
        model.get_metrics_result()
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    result = _floats(model.get_metrics_result())
    assert list(result) == ["loss", "accuracy"]
    assert result == {k: history.history[k][-1] for k in result}
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, validation_data=(x[:5], y[:5]))
    assert _floats(model.get_metrics_result()) == model.evaluate(x[:5], y[:5], verbose=0, return_dict=True)
    model.evaluate(x, y, verbose=0)
    assert _floats(model.get_metrics_result()) == model.evaluate(x, y, verbose=0, return_dict=True)
    loss, accuracy = model.train_on_batch(x[:8], y[:8])
    assert _floats(model.get_metrics_result()) == {"loss": loss, "accuracy": accuracy}
    loss, accuracy = model.test_on_batch(x[8:16], y[8:16])
    assert _floats(model.get_metrics_result()) == {"loss": loss, "accuracy": accuracy}


def test_get_metrics_result_orders_compiled_metrics_as_given_then_output_losses():
    x, y = _data()
    only_loss = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    only_loss.compile("sgd", "mse")
    assert _floats(only_loss.get_metrics_result()) == {"loss": 0.0}
    model = _model(metrics=("mae", "accuracy"))
    model.fit(x, y, verbose=0)
    assert list(model.get_metrics_result()) == ["loss", "mae", "accuracy"]
    inp = keras.Input((3,))
    two = keras.Model(inp, [keras.layers.Dense(1, name="a")(inp), keras.layers.Dense(1, name="b")(inp)])
    two.compile("sgd", ["mse", "mse"], metrics=[["mae"], ["mae"]])
    two.fit(x, [y, y], verbose=0)
    assert list(two.get_metrics_result()) == ["loss", "a_mae", "b_mae", "a_loss", "b_loss"]


# -- 3. KerasTensor reprs ----------------------------------------------------------------------
def test_input_and_layer_outputs_print_as_keras_tensors():
    keras.backend.clear_session()
    a = keras.Input(shape=(3,))
    text = "<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor>"
    assert repr(a) == text and str(a) == text
    b = keras.Input(shape=(3,), name="feat")
    assert repr(b) == "<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=feat>"
    d = keras.layers.Dense(4)(a)
    assert repr(d) == "<KerasTensor shape=(None, 4), dtype=float32, sparse=False, ragged=False, name=keras_tensor_1>"
    s = keras.Input(shape=(), dtype="string")
    assert repr(s) == "<KerasTensor shape=(None,), dtype=string, sparse=False, ragged=False, name=keras_tensor_2>"
    model = keras.Model(a, d)
    assert model.inputs == [a] and repr(model.outputs) == f"[{d!r}]"
    assert repr(a + 1) == "<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor_3>"
    seq = keras.Sequential([keras.layers.Dense(2)])
    seq.build((None, 3))                # (Keras makes its Input's tensor, then each layer's output)
    assert repr(seq.inputs) == "[<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, " \
                               "name=keras_tensor_4>]"
    assert repr(seq.outputs) == "[<KerasTensor shape=(None, 2), dtype=float32, sparse=False, ragged=False, " \
                                "name=keras_tensor_5>]"


# -- 5. element_spec of a map whose data sizes an axis -------------------------------------------
def test_map_element_spec_leaves_data_sized_axes_unknown():
    texts = tf.data.Dataset.from_tensor_slices(["a b c", "d e"])
    for split in (tf.strings.split, tf.strings.bytes_split, lambda s: tf.strings.unicode_split(s, "UTF-8")):
        assert repr(texts.map(split).element_spec) == "TensorSpec(shape=(None,), dtype=tf.string, name=None)"
    assert repr(texts.map(tf.strings.lower).element_spec) == "TensorSpec(shape=(), dtype=tf.string, name=None)"
    numbers = tf.data.Dataset.from_tensor_slices(np.arange(12, dtype=np.float32).reshape(3, 4))
    assert repr(numbers.map(lambda v: tf.boolean_mask(v, v > 2)).element_spec) == \
        "TensorSpec(shape=(None,), dtype=tf.float32, name=None)"
    assert repr(numbers.map(lambda v: tf.unique(v)[0]).element_spec) == \
        "TensorSpec(shape=(None,), dtype=tf.float32, name=None)"
    y, idx = numbers.map(tf.unique).element_spec          # (TF prints the pair as Unique(y=..., idx=...))
    assert (repr(y), repr(idx)) == ("TensorSpec(shape=(None,), dtype=tf.float32, name=None)",
                                    "TensorSpec(shape=(4,), dtype=tf.int32, name=None)")
    assert repr(numbers.map(lambda v: tf.where(v > 2)).element_spec) == \
        "TensorSpec(shape=(None, 1), dtype=tf.int64, name=None)"
    assert repr(numbers.map(lambda v: v[:2]).element_spec) == "TensorSpec(shape=(2,), dtype=tf.float32, name=None)"
    vectorize = keras.layers.TextVectorization(max_tokens=10)
    vectorize.adapt(["a b c", "d e"])
    assert repr(texts.batch(2).map(vectorize).element_spec) == \
        "TensorSpec(shape=(None, None), dtype=tf.int64, name=None)"
    labelled = tf.data.Dataset.from_tensor_slices((["a b c", "d e"], [0, 1])).batch(2)
    assert repr(labelled.map(lambda t, label: (vectorize(t), label)).element_spec) == \
        "(TensorSpec(shape=(None, None), dtype=tf.int64, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))"
    fixed = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=4)
    fixed.adapt(["a b c", "d e"])
    assert repr(texts.batch(2).map(fixed).element_spec) == "TensorSpec(shape=(None, 4), dtype=tf.int64, name=None)"


# -- 6. a subclassed model in a .keras file ---------------------------------------------------------
@keras.saving.register_keras_serializable(package="surface_gaps")
class Scaled(keras.Model):
    """A subclassed model with a get_config of its own, registered."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units)

    def call(self, x):
        return self.dense(x) * 2.0

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Plain(keras.Model):
    """Takes no arguments: Keras's base config is all it needs."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(2)

    def call(self, x):
        return self.dense(x)


class NoConfig(keras.Model):
    """Takes an argument its (missing) get_config cannot give back."""

    def __init__(self, table, **kwargs):
        super().__init__(**kwargs)
        self.table = table
        self.dense = keras.layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def test_a_registered_subclassed_model_round_trips_with_its_weights_and_compile(tmp_path):
    x, _ = _data()
    model = Scaled(units=3, name="scaled")
    model(x[:8])
    model.compile("adam", "mse")
    model.fit(x, x, epochs=2, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        cfg = json.loads(z.read("config.json"))
    assert (cfg["module"], cfg["class_name"], cfg["registered_name"]) == (None, "Scaled", "surface_gaps>Scaled")
    assert cfg["config"]["units"] == 3 and cfg["config"]["name"] == "scaled"
    assert cfg["build_config"] == {"input_shape": [8, 3]}         # the shape of its first call, as Keras
    assert cfg["compile_config"]["optimizer"]["class_name"] == "Adam"
    loaded = keras.models.load_model(path)
    assert type(loaded) is Scaled and loaded.units == 3 and loaded.name == "scaled"
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert type(loaded.optimizer).__name__ == "Adam" and int(loaded.optimizer.iterations) == 2


def test_a_subclassed_model_loads_with_custom_objects_only_when_named(tmp_path):
    x, _ = _data()
    model = Plain()
    model(x)
    path = str(tmp_path / "p.keras")
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"Plain": Plain})
    np.testing.assert_array_equal(loaded(x), model(x))
    with zipfile.ZipFile(path) as z:
        assert json.loads(z.read("config.json"))["registered_name"] == "Plain"    # (Keras: the class name)
    with pytest.raises(tf.saving.ModelFileError, match="Plain"):              # nothing named in the file is built
        keras.models.load_model(path)


def test_a_subclassed_model_without_get_config_is_refused_as_keras_refuses_it(tmp_path):
    x, _ = _data()
    model = NoConfig(np.ones(3))
    model(x)
    path = tmp_path / "n.keras"
    with pytest.raises(NotImplementedError) as refused:
        model.save(str(path))
    assert not path.exists()
    text = str(refused.value)                   # Keras 3.15's words, character for character
    assert text.startswith("\nObject NoConfig was created by passing\nnon-serializable argument values in "
                           "`__init__()`,\nand therefore the object must override `get_config()` in\norder to be "
                           "serializable. Please implement `get_config()`.\n\nExample:\n\n\nclass CustomLayer(")
    assert text.endswith('            "arg2": self.arg2,\n        })\n        return config\n')


def test_a_subclassed_model_file_keras_wrote_loads_its_weights_by_attribute(tmp_path):
    """Keras files a subclassed model's layer under the attribute holding it (``dense/vars/0``
    for ``self.dense``); the file below is laid out so, as Keras 3.15 writes it."""
    h5py = pytest.importorskip("h5py")
    x, _ = _data()
    model = Plain()
    model(x[:8])
    path = str(tmp_path / "k.keras")
    model.save(path)
    kernel, bias = (np.full((3, 2), 0.5, np.float32), np.array([1.0, -1.0], np.float32))
    import io
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("vars")
        f.create_dataset("dense/vars/0", data=kernel)
        f.create_dataset("dense/vars/1", data=bias)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["model.weights.h5"] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    loaded = keras.models.load_model(path, custom_objects={"Plain": Plain})
    np.testing.assert_allclose(loaded(x), x @ kernel + bias, rtol=1e-6)
