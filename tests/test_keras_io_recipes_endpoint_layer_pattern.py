"""keras.io's recipe "Endpoint layer pattern" (examples/keras_recipes/endpoint_layer_pattern.py, its
Keras 3 version), run renamed: a ``LogisticEndpoint`` layer that takes ``(logits, targets,
sample_weight)`` as three positional arguments, adds its loss with ``add_loss`` and updates a
``BinaryAccuracy`` it keeps as an attribute; a functional model of three inputs trained with no
compiled loss, an inference model calling the layer with ``targets=None, sample_weight=None``, and a
subclassed model calling it with keywords. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15
from the same seeded program (the losses agree to float32's last digits; fit's timings are not compared).

What it showed: the third positional argument (``sample_weight``) sat where ``Layer.__call__`` names
``mask`` and was dropped (the loss came out unweighted, 0.7283 against Keras's 0.3580); a functional
call whose other arguments are all None was refused; the layer's own metric was missing from the logs.
"""
import re

import numpy as np

from conftest import _numbers_close, run_printing

from glassnet import keras

TIMING = re.compile(r" - \d+m?s - \d+[mu]?s/step")     # fit's timings ("473us/step" too)

PROGRAM = """\
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import tensorflow as tf
import keras
import numpy as np
keras.utils.set_random_seed(0)


class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_metric = keras.metrics.BinaryAccuracy(name="accuracy")

    def call(self, logits, targets=None, sample_weight=None):
        if targets is not None:
            loss = self.loss_fn(targets, logits, sample_weight)
            self.add_loss(loss)
            self.accuracy_metric.update_state(targets, logits, sample_weight)
        return tf.nn.softmax(logits)


inputs = keras.Input((764,), name="inputs")
logits = keras.layers.Dense(1)(inputs)
targets = keras.Input((1,), name="targets")
sample_weight = keras.Input((1,), name="sample_weight")
preds = LogisticEndpoint()(logits, targets, sample_weight)
model = keras.Model([inputs, targets, sample_weight], preds)
data = {
    "inputs": np.random.random((1000, 764)),
    "targets": np.random.random((1000, 1)),
    "sample_weight": np.random.random((1000, 1)),
}
model.compile(keras.optimizers.Adam(1e-3))
h = model.fit(data, epochs=2, verbose=2)
print(h.history)
model.summary()

inputs = keras.Input((764,), name="inputs")
logits = keras.layers.Dense(1)(inputs)
preds = LogisticEndpoint()(logits, targets=None, sample_weight=None)
inference_model = keras.Model(inputs, preds)
inference_model.set_weights(model.get_weights())
preds = inference_model.predict(np.random.random((1000, 764)), verbose=0)
print(preds.shape, preds.dtype, float(preds.min()), float(preds.max()))


class LogReg(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.logistic_endpoint = LogisticEndpoint()

    def call(self, inputs):
        logits = self.dense(inputs["inputs"])
        preds = self.logistic_endpoint(
            logits=logits,
            targets=inputs["targets"],
            sample_weight=inputs["sample_weight"],
        )
        return preds


model = LogReg()
data = {
    "inputs": np.random.random((1000, 764)),
    "targets": np.random.random((1000, 1)),
    "sample_weight": np.random.random((1000, 1)),
}
model.compile(keras.optimizers.Adam(1e-3))
h = model.fit(data, epochs=2, verbose=2)
print(h.history)
"""

TF_OUTPUT = [
    'Epoch 1/2',
    '32/32 - 8s - 246ms/step - accuracy: 0.0000e+00 - loss: 0.3580',
    'Epoch 2/2',
    '32/32 - 0s - 10ms/step - accuracy: 0.0000e+00 - loss: 0.3497',
    "{'accuracy': [0.0, 0.0], 'loss': [0.35804301500320435, 0.3496810793876648]}",
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ inputs (InputLayer) │ (None, 764)       │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense (Dense)       │ (None, 1)         │        765 │ inputs[0][0]      │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ targets             │ (None, 1)         │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sample_weight       │ (None, 1)         │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ logistic_endpoint   │ (None, 1)         │          0 │ dense[0][0],      │',
    '│ (LogisticEndpoint)  │                   │            │ targets[0][0],    │',
    '│                     │                   │            │ sample_weight[0]… │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 2,297 (8.98 KB)',
    ' Trainable params: 765 (2.99 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 1,532 (5.99 KB)',
    '(1000, 1) float32 1.0 1.0',
    'Epoch 1/2',
    '32/32 - 7s - 212ms/step - accuracy: 0.0000e+00 - loss: 0.3482',
    'Epoch 2/2',
    '32/32 - 1s - 31ms/step - accuracy: 0.0000e+00 - loss: 0.3441',
    "{'accuracy': [0.0, 0.0], 'loss': [0.34818416833877563, 0.3441031277179718]}",
    '',
]


NUMERIC = [4, 32]     # History's losses: float32 sums in another order may differ in the last digit


def test_endpoint_layer_pattern():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    got = [TIMING.sub("", line) for line in run_printing(PROGRAM)]
    want = [TIMING.sub("", line) for line in TF_OUTPUT]
    assert len(got) == len(want), "\n".join(got)
    for i, (g, w) in enumerate(zip(got, want)):
        assert _numbers_close(g, w) if i in NUMERIC else g == w, (i, g, w)


def test_a_layer_metric_is_reset_and_reported_by_evaluate():
    keras.backend.clear_session()

    class Endpoint(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.seen = keras.metrics.Sum(name="seen")

        def call(self, logits, targets=None):
            if targets is not None:
                self.add_loss(keras.ops.mean(keras.ops.square(logits - targets)))
                self.seen.update_state(keras.ops.ones_like(targets))
            return logits

    x, t = keras.Input((3,), name="x"), keras.Input((1,), name="t")
    model = keras.Model([x, t], Endpoint()(keras.layers.Dense(1)(x), t))
    model.compile("sgd")
    data = [np.ones((10, 3), "float32"), np.zeros((10, 1), "float32")]
    logs = model.evaluate(data, batch_size=4, return_dict=True, verbose=0)
    assert logs["seen"] == 10.0                 # ten rows counted once: reset at the start, not doubled
    assert model.evaluate(data, batch_size=4, return_dict=True, verbose=0)["seen"] == 10.0
