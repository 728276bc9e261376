"""Keras's guide "Save, serialize, and export models" (keras.io / tensorflow.org, Keras 3), run
renamed (``from glassnet import keras``) on small random arrays. Keras 3.15's answers (under
TF 2.21, /work/peers/bin/python) are written beside each check: the archive's files, the
config entries of registered classes, the keys of ``to_json``, the refusal of a Lambda."""
import json
import zipfile

import numpy as np
import pytest

from glassnet import keras
from glassnet.keras import layers, ops
from glassnet.saving import ModelFileError


def get_model():
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(), loss="mean_squared_error")
    return model


@keras.saving.register_keras_serializable(package="MyLayers")
class CustomLayer(keras.layers.Layer):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {"factor": self.factor}


@keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
def custom_fn(x):
    return x**2


@keras.saving.register_keras_serializable(package="my_package")
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class CustomLayer2(keras.layers.Layer):          # not registered: loading needs custom_objects
    def __init__(self, sublayer, **kwargs):
        super().__init__(**kwargs)
        self.sublayer = sublayer

    def call(self, x):
        return self.sublayer(x)

    def get_config(self):
        return {**super().get_config(), "sublayer": keras.saving.serialize_keras_object(self.sublayer)}

    @classmethod
    def from_config(cls, config):
        sublayer = keras.saving.deserialize_keras_object(config.pop("sublayer"))
        return cls(sublayer, **config)


def test_the_saving_guide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    keras.utils.set_random_seed(0)
    model = get_model()
    test_input, test_target = np.random.random((128, 32)), np.random.random((128, 1))
    model.fit(test_input, test_target, verbose=0)
    model.save("my_model.keras")
    reconstructed_model = keras.models.load_model("my_model.keras")
    np.testing.assert_allclose(model.predict(test_input, verbose=0), reconstructed_model.predict(test_input, verbose=0))
    # Keras 3.15: ['config.json', 'metadata.json', 'model.weights.h5'], Adam, 4 steps restored
    assert sorted(zipfile.ZipFile("my_model.keras").namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
    assert type(reconstructed_model.optimizer).__name__ == "Adam" and int(reconstructed_model.optimizer.iterations) == 4

    # registered classes: written with no module and their registered names (Keras 3.15's entries)
    assert keras.saving.get_registered_name(MyDense) == "my_package>MyDense"
    assert keras.saving.get_registered_object("my_package>MyDense") is MyDense
    inputs = keras.Input((4,))
    model = keras.Model(inputs, CustomLayer(2.0)(MyDense(3)(inputs)))
    model.compile(optimizer="adam", loss="mse")
    xx = np.random.rand(5, 4).astype("float32")
    model.fit(xx, np.random.rand(5, 3), verbose=0)
    model.save("custom_model.keras")
    cfg = json.loads(zipfile.ZipFile("custom_model.keras").read("config.json"))
    assert [(e["class_name"], e.get("module"), e.get("registered_name")) for e in cfg["config"]["layers"]] == [
        ("InputLayer", "keras.layers", None), ("MyDense", None, "my_package>MyDense"),
        ("CustomLayer", None, "MyLayers>CustomLayer")]
    reconstructed = keras.models.load_model("custom_model.keras")
    np.testing.assert_allclose(model.predict(xx, verbose=0), reconstructed.predict(xx, verbose=0), rtol=1e-6)
    assert [type(layer).__name__ for layer in reconstructed.layers] == ["InputLayer", "MyDense", "CustomLayer"]

    # an unregistered class saves (as Keras); loading it needs custom_objects or a custom_object_scope
    inputs = keras.Input((4,))
    m = keras.Model(inputs, CustomLayer2(layers.Dense(2), name="wrapper")(inputs))
    m.save("wrap.keras")
    with pytest.raises(ModelFileError, match="CustomLayer2"):          # Keras 3.15: a TypeError naming it
        keras.models.load_model("wrap.keras")
    r = keras.models.load_model("wrap.keras", custom_objects={"CustomLayer2": CustomLayer2})
    np.testing.assert_allclose(m.predict(xx, verbose=0), r.predict(xx, verbose=0), rtol=1e-6)
    with keras.saving.custom_object_scope({"CustomLayer2": CustomLayer2}):
        r = keras.models.load_model("wrap.keras")
    np.testing.assert_allclose(m.predict(xx, verbose=0), r.predict(xx, verbose=0), rtol=1e-6)
    with pytest.raises(ModelFileError):                                # the scope is closed again
        keras.models.load_model("wrap.keras")

    # weights only; get_config / from_config; to_json / model_from_json; clone_model
    model = get_model()
    model.save_weights("my_model.weights.h5")
    m2 = get_model()
    m2.load_weights("my_model.weights.h5")
    np.testing.assert_allclose(model.predict(test_input, verbose=0), m2.predict(test_input, verbose=0))
    new_model = keras.Model.from_config(model.get_config())
    assert [layer.name for layer in new_model.layers] == [layer.name for layer in model.layers]
    json_config = model.to_json()
    assert isinstance(json_config, str) and sorted(json.loads(json_config)) == [
        "build_config", "class_name", "compile_config", "config", "module", "registered_name"]   # Keras 3.15's
    new_model = keras.models.model_from_json(json_config)
    assert new_model.count_params() == model.count_params()
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d")])
    assert sorted(keras.saving.serialize_keras_object(model)) == [
        "build_config", "class_name", "compile_config", "config", "module", "registered_name"]
    clone = keras.models.clone_model(model)
    assert type(clone).__name__ == "Sequential" and [layer.name for layer in clone.layers] == ["d"]
    assert np.allclose(clone.get_weights()[1], 0) and clone is not model
    new_layer = keras.layers.Dense.from_config(keras.layers.Dense(3, activation="relu").get_config())
    assert (new_layer.units, new_layer.activation.__name__) == (3, "relu")
    new_seq = keras.Sequential.from_config(keras.Sequential([keras.Input((32,)), keras.layers.Dense(1)]).get_config())
    assert type(new_seq).__name__ == "Sequential" and len(new_seq.layers) == 1

    # x + inputs (Keras's Add operation) round-trips; a Lambda's code does not go into a file
    inputs = keras.Input(shape=(4,))
    x = layers.Dense(4)(inputs)
    model = keras.Model(inputs, x + inputs)
    model.save("op.keras")
    np.testing.assert_allclose(model.predict(xx, verbose=0), keras.models.load_model("op.keras").predict(xx, verbose=0),
                               rtol=1e-6)
    lam = keras.Model(inputs, layers.Lambda(lambda t: t * 3)(x))
    with pytest.raises(ValueError, match="Lambda"):     # Keras 3.15 refuses it at load ("Requested the
        lam.save("lam.keras")                            # deserialization of a `Lambda` layer"); glassnet at save
