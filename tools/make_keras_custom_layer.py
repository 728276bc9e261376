"""Writes tests/fixtures/keras_custom_layer/ with real Keras 3 (the custom-objects section of
TensorFlow's "Save and load models" tutorial, with layers written with ``call``).

``CustomLayer`` holds its own weights (``add_weight`` in ``build``), an inner ``Dense`` set as
an attribute, a list of two ``Dense`` and an inner ``Sequential``; ``Scale`` holds one weight.
Two models use them: a Sequential and a functional model; a third holds ``Wrapping``
(the guides' layer given a sublayer, serialized with serialize_keras_object). For each: the .keras file, and an
.npz with the input and Keras's predictions. tests/test_custom_layer_saving.py loads these
files in glassnet (registry and ``custom_objects``) and checks that glassnet's own files have
the same HDF5 groups and shapes. Run with an interpreter that has Keras:

    python tools/make_keras_custom_layer.py

The other way: ``--check DIR`` loads glassnet's files ``DIR/<name>.keras`` (written by
tests/test_custom_layer_saving.py when GLASSNET_CUSTOM_LAYER_OUT=DIR is set) in Keras and
compares Keras's predictions with glassnet's (``DIR/<name>.npz``).
"""
import os
import sys

import keras
import numpy as np
from keras import ops

HERE = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras_custom_layer")


@keras.saving.register_keras_serializable()
class CustomLayer(keras.layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = keras.layers.Dense(units, activation="tanh")
        self.blocks = [keras.layers.Dense(3), keras.layers.Dense(units)]
        self.seq = keras.Sequential([keras.layers.Dense(2)])

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


@keras.saving.register_keras_serializable()
class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="random_uniform", name="scale")

    def call(self, x):
        return x * self.scale


@keras.saving.register_keras_serializable()
class Wrapping(keras.layers.Layer):
    """The guides' custom layer holding a layer it is given, serialized in its config."""
    def __init__(self, sublayer, **kwargs):
        super().__init__(**kwargs)
        self.sublayer = sublayer

    def call(self, x):
        return self.sublayer(x) * 2.0

    def get_config(self):
        base_config = super().get_config()
        config = {"sublayer": keras.saving.serialize_keras_object(self.sublayer)}
        return {**base_config, **config}

    @classmethod
    def from_config(cls, config):
        sublayer_config = config.pop("sublayer")
        sublayer = keras.saving.deserialize_keras_object(sublayer_config)
        return cls(sublayer, **config)


def main():
    os.makedirs(HERE, exist_ok=True)
    keras.utils.set_random_seed(3)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    seq = keras.Sequential([keras.Input((3,)), CustomLayer(4), Scale(), keras.layers.Dense(2)])
    inp = keras.Input((3,), name="features")
    out = keras.layers.Dense(1)(Scale()(CustomLayer(5)(inp)))
    fun = keras.Model(inp, out)
    wrapping = keras.Sequential([keras.Input((3,)), Wrapping(keras.layers.Dense(2, activation="relu"))])
    for name, model in (("sequential", seq), ("functional", fun), ("wrapping", wrapping)):
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, np.ones((5, model.output_shape[-1]), "float32"), epochs=2, verbose=0)
        path = os.path.join(HERE, f"{name}.keras")
        model.save(path)
        np.savez(os.path.join(HERE, f"{name}.npz"), x=x, predictions=model.predict(x, verbose=0))
        print("wrote", path)


def check(folder):
    bad = 0
    for name in ("sequential", "functional", "wrapping"):
        ref = np.load(os.path.join(folder, f"{name}.npz"))
        model = keras.models.load_model(os.path.join(folder, f"{name}.keras"), custom_objects={
            "CustomLayer": CustomLayer, "Scale": Scale, "Wrapping": Wrapping,
            "test_custom_layer_saving>Wrapping": Wrapping})      # (the test registers it in its own package)
        same = np.allclose(model.predict(ref["x"], verbose=0), ref["predictions"], rtol=1e-5, atol=1e-6)
        print(name, "Keras reads glassnet's file:", "same predictions" if same else "DIFFERENT")
        bad += not same
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
