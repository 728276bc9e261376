"""Layers written with ``call`` in .keras files, both ways with Keras 3.15 (the custom-objects
section of TensorFlow's "Save and load models" tutorial). The Keras files come from
tools/make_keras_custom_layer.py; the classes below are the tool's, written on glassnet.
Keras reading glassnet's files: GLASSNET_CUSTOM_LAYER_OUT=DIR pytest this file, then
``python tools/make_keras_custom_layer.py --check DIR`` with Keras (same predictions, checked)."""
import io
import json
import os
import shutil
import zipfile

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import ops

FIX = __import__("pathlib").Path(__file__).parent / "fixtures" / "keras_custom_layer"


def define(register=True):
    """The tool's two classes (fresh ones each time: the registry test needs its own)."""
    class CustomLayer(tf.keras.layers.Layer):
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.inner = tf.keras.layers.Dense(units, activation="tanh")
            self.blocks = [tf.keras.layers.Dense(3), tf.keras.layers.Dense(units)]
            self.seq = tf.keras.Sequential([tf.keras.layers.Dense(2)])

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="random_normal", name="b")

        def call(self, x):
            y = ops.matmul(x, self.w) + self.b + self.inner(x)
            return y + self.blocks[1](self.blocks[0](x)) + ops.sum(self.seq(x), axis=-1, keepdims=True)

        def get_config(self):
            config = super().get_config()
            config.update(units=self.units)
            return config

    class Scale(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="random_uniform", name="scale")

        def call(self, x):
            return x * self.scale
    if register:
        tf.keras.utils.register_keras_serializable()(CustomLayer)
        tf.keras.utils.register_keras_serializable()(Scale)
    return CustomLayer, Scale


def models():
    CustomLayer, Scale = define()
    seq = tf.keras.Sequential([tf.keras.Input((3,)), CustomLayer(4), Scale(), tf.keras.layers.Dense(2)])
    inp = tf.keras.Input((3,), name="features")
    fun = tf.keras.Model(inp, tf.keras.layers.Dense(1)(Scale()(CustomLayer(5)(inp))))
    return {"sequential": seq, "functional": fun}


def keep(name, path, x, model):
    """With GLASSNET_CUSTOM_LAYER_OUT=DIR: glassnet's file and predictions kept there for
    ``python tools/make_keras_custom_layer.py --check DIR`` (Keras reading glassnet's files)."""
    out = os.environ.get("GLASSNET_CUSTOM_LAYER_OUT")
    if out:
        shutil.copy(path, os.path.join(out, f"{name}.keras"))
        np.savez(os.path.join(out, f"{name}.npz"), x=x, predictions=model.predict(x, verbose=0))


def layout(path):
    """Every dataset in the file's weights: {path: shape}."""
    h5py = pytest.importorskip("h5py")
    with zipfile.ZipFile(path) as z:
        data = z.read("model.weights.h5")
    found = {}
    with h5py.File(io.BytesIO(data), "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj.shape) if isinstance(obj, h5py.Dataset) else None)
    return found


@pytest.mark.parametrize("name", ["sequential", "functional"])
def test_keras_files_load_with_the_registry_and_predict_as_keras(name):
    define()
    ref = np.load(FIX / f"{name}.npz")
    model = tf.keras.models.load_model(FIX / f"{name}.keras")
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["predictions"], rtol=1e-5, atol=1e-6)


def test_keras_file_loads_with_custom_objects_alone():
    CustomLayer, Scale = define(register=False)
    tf.keras.saving.get_registered_object("Custom>CustomLayer")    # (the registry may hold another test's)
    ref = np.load(FIX / "sequential.npz")
    model = tf.keras.models.load_model(FIX / "sequential.keras",
                                       custom_objects={"CustomLayer": CustomLayer, "Scale": Scale})
    assert type(model.layers[0]) is CustomLayer and model.layers[0].units == 4
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["predictions"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["sequential", "functional"])
def test_glassnet_files_have_keras_layout_and_load_back(name, tmp_path):
    model = models()[name]
    x = np.load(FIX / f"{name}.npz")["x"]
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, np.ones((5, model.output_shape[-1]), "float32"), epochs=2, verbose=0)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    ours, keras = layout(path), layout(FIX / f"{name}.keras")
    layers = lambda d: {k: v for k, v in d.items() if k.startswith("layers/")}     # noqa: E731
    assert layers(ours) == layers(keras)            # same groups (inner/vars, blocks/dense_1, seq/layers/dense)
    assert ours.keys() == keras.keys()              # the optimizer's state too
    again = tf.keras.models.load_model(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    assert "autocast" not in config["compile_config"]["optimizer"]["config"]     # Keras's Adam refuses it
    keep(name, path, x, model)
    for a, b in zip(again.weights, model.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_inner_sequential_weights_are_the_layers_weights_and_train():
    CustomLayer, _ = define()
    layer = CustomLayer(4)
    model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
    names = [v.name for v in layer.weights]
    assert len(layer.weights) == 2 + 2 + 4 + 2 and names[:2] == ["w", "b"]
    before = np.asarray(layer.seq.layers[0].kernel).copy()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 4), "float32"), verbose=0)
    assert not np.allclose(np.asarray(layer.seq.layers[0].kernel), before)


def test_a_layer_held_where_keras_cannot_file_it_is_refused_by_name(tmp_path):
    @tf.keras.utils.register_keras_serializable("test_custom_layer_saving")
    class Holder(tf.keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.parts = (tf.keras.layers.Dense(2),)
            self.other = self.parts[0]                  # one layer under two names: placed once

        def call(self, x):
            return self.parts[0](x)
    model = tf.keras.Sequential([tf.keras.Input((3,)), Holder()])
    model.save(tmp_path / "ok.keras")                   # a tuple and an alias: Keras's first place
    assert "layers/holder/parts/dense/vars/0" in layout(tmp_path / "ok.keras")

    @tf.keras.utils.register_keras_serializable("test_custom_layer_saving")
    class Hidden(tf.keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = tf.keras.layers.Dense(2)
            self.__dict__["d"] = None                   # the layer is tracked but no attribute holds it

        def call(self, x):
            return x
    hidden = Hidden()
    hidden._tracked[0].build((None, 3))
    model = tf.keras.Sequential([tf.keras.Input((3,)), hidden])
    with pytest.raises(ValueError, match="'hidden'.*cannot be laid out"):
        model.save(tmp_path / "bad.keras")
    assert not (tmp_path / "bad.keras").exists()        # nothing half-written


def test_a_file_naming_an_unknown_class_is_refused_and_runs_nothing(tmp_path):
    with zipfile.ZipFile(FIX / "sequential.keras") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["config.json"] = parts["config.json"].replace(b"CustomLayer", b"NeverRegisteredLayer")
    path = tmp_path / "unknown.keras"
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(Exception, match="NeverRegisteredLayer"):
        tf.keras.models.load_model(path)


def wrapping_class():
    class Wrapping(tf.keras.layers.Layer):
        def __init__(self, sublayer, **kwargs):
            super().__init__(**kwargs)
            self.sublayer = sublayer

        def call(self, x):
            return self.sublayer(x) * 2.0

        def get_config(self):
            base_config = super().get_config()
            config = {"sublayer": tf.keras.saving.serialize_keras_object(self.sublayer)}
            return {**base_config, **config}

        @classmethod
        def from_config(cls, config):
            sublayer_config = config.pop("sublayer")
            sublayer = tf.keras.saving.deserialize_keras_object(sublayer_config)
            return cls(sublayer, **config)
    return Wrapping


def test_a_layer_given_a_sublayer_loads_keras_file_and_writes_keras_layout(tmp_path):
    Wrapping = wrapping_class()
    ref = np.load(FIX / "wrapping.npz")
    model = tf.keras.models.load_model(FIX / "wrapping.keras", custom_objects={"Wrapping": Wrapping})
    assert type(model.layers[0].sublayer).__name__ == "Dense"      # built by its from_config, safely
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["predictions"], rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "u.keras")              # unregistered: written as Keras writes it, found on
    with pytest.raises(tf.saving.ModelFileError, match="Wrapping"):     # loading only when named
        tf.keras.models.load_model(tmp_path / "u.keras")
    tf.keras.utils.register_keras_serializable("test_custom_layer_saving")(Wrapping)
    model.save(tmp_path / "w.keras")
    assert layout(tmp_path / "w.keras") == layout(FIX / "wrapping.keras")
    keep("wrapping", tmp_path / "w.keras", ref["x"], model)
    again = tf.keras.models.load_model(tmp_path / "w.keras", custom_objects={"Wrapping": Wrapping})
    np.testing.assert_array_equal(again.predict(ref["x"], verbose=0), model.predict(ref["x"], verbose=0))


def test_deserialize_keras_object_builds_only_known_classes():
    dense = tf.keras.saving.deserialize_keras_object(
        tf.keras.saving.serialize_keras_object(tf.keras.layers.Dense(3, activation="relu", name="d")))
    assert type(dense).__name__ == "Dense" and dense.units == 3 and dense.name == "d"
    with pytest.raises(Exception, match="os.system|refused|unknown"):
        tf.keras.saving.deserialize_keras_object({"module": "os", "class_name": "system", "config": {}})
