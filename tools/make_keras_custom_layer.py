"""Writes tests/fixtures/keras_custom_layer/ with real Keras 3 (the custom-objects section of
TensorFlow's "Save and load models" tutorial, with layers written with ``call``).

``CustomLayer`` holds its own weights (``add_weight`` in ``build``), an inner ``Dense`` set as
an attribute, a list of two ``Dense`` and an inner ``Sequential``; ``Scale`` holds one weight.
Two models use them: a Sequential and a functional model. For each: the .keras file, and an
.npz with the input and Keras's predictions. tests/test_custom_layer_saving.py loads these
files in glassnet (registry and ``custom_objects``) and checks that glassnet's own files have
the same HDF5 groups and shapes. Run with an interpreter that has Keras:

    python tools/make_keras_custom_layer.py
"""
import os

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


def main():
    os.makedirs(HERE, exist_ok=True)
    keras.utils.set_random_seed(3)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    seq = keras.Sequential([keras.Input((3,)), CustomLayer(4), Scale(), keras.layers.Dense(2)])
    inp = keras.Input((3,), name="features")
    out = keras.layers.Dense(1)(Scale()(CustomLayer(5)(inp)))
    fun = keras.Model(inp, out)
    for name, model in (("sequential", seq), ("functional", fun)):
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, np.ones((5, model.output_shape[-1]), "float32"), epochs=2, verbose=0)
        path = os.path.join(HERE, f"{name}.keras")
        model.save(path)
        np.savez(os.path.join(HERE, f"{name}.npz"), x=x, predictions=model.predict(x, verbose=0))
        print("wrote", path)


if __name__ == "__main__":
    main()
