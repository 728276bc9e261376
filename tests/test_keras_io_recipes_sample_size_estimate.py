"""keras.io's recipe "Estimating required sample size for model training"
(examples/keras_recipes/sample_size_estimate.py), its learning-curve part run renamed: the recipe's
recorded accuracies and sample sizes, ``a * x**b`` with ``x`` a Python list and ``a, b``
tf.Variables, fitted for 5,000 steps of GradientTape + ``assign_sub`` against a
``tf.convert_to_tensor`` of the mean accuracies with ``keras.losses.MeanSquaredError``, the
prediction for 3,303 samples and ``MeanAbsoluteError``. TF_OUTPUT was recorded under TensorFlow
2.21 / Keras 3.15: the fitted weights and the prediction agree to every digit printed.

Left out: tensorflow_datasets' tf_flowers (not installed) and the MobileNetV2 transfer model
(``MobileNetV2(input_tensor=x)`` with ``x`` a Rescaling output, not an Input: Keras builds the
application on the tensor's source input; glassnet refuses the graph as disconnected). Not matched:
``tf.convert_to_tensor([np.mean(...), ...])`` is float64 in TensorFlow, float32 here, so the last
line's mean absolute error differs in its 7th digit (compared to float32's precision).
"""
import re

from conftest import _numbers_close, run_printing

from glassnet import keras

TIMING = re.compile(r" - \d+m?s - \d+[mu]?s/step")     # fit's timings ("473us/step" too)

PROGRAM = """\
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import numpy as np
import tensorflow as tf
import keras
from keras import layers
seed = 42
keras.utils.set_random_seed(seed)
AUTO = tf.data.AUTOTUNE
num_classes = 5
class_names = ["dandelion", "daisy", "tulips", "sunflowers", "roses"]
image_size = (64, 64)
train_acc = [
    [0.8202, 0.7466, 0.8011, 0.8447, 0.8229],
    [0.861, 0.8774, 0.8501, 0.8937, 0.891],
    [0.891, 0.9237, 0.8856, 0.9101, 0.891],
    [0.8937, 0.9373, 0.9128, 0.8719, 0.9128],
]
sample_sizes = [165, 330, 825, 1651]


def fit_and_predict(train_acc, sample_sizes, pred_sample_size):
    x = sample_sizes
    mean_acc = tf.convert_to_tensor([np.mean(i) for i in train_acc])
    error = [np.std(i) for i in train_acc]
    mse = keras.losses.MeanSquaredError()

    def exp_func(x, a, b):
        return a * x**b

    a = tf.Variable(0.0)
    b = tf.Variable(0.0)
    learning_rate = 0.01
    training_epochs = 5000
    for epoch in range(training_epochs):
        with tf.GradientTape() as tape:
            y_pred = exp_func(x, a, b)
            cost_function = mse(y_pred, mean_acc)
        gradients = tape.gradient(cost_function, [a, b])
        a.assign_sub(gradients[0] * learning_rate)
        b.assign_sub(gradients[1] * learning_rate)
    print(f"Curve fit weights: a = {a.numpy()} and b = {b.numpy()}.")
    max_acc = exp_func(pred_sample_size, a, b).numpy()
    print(f"A model accuracy of {max_acc} is predicted for {pred_sample_size} samples.")
    x_cont = np.linspace(x[0], pred_sample_size, 100)
    print(exp_func(x_cont, a, b).shape)
    mae = keras.losses.MeanAbsoluteError()
    print(f"The mae for the curve fit is {mae(mean_acc, exp_func(x, a, b)).numpy()}.")


fit_and_predict(train_acc, sample_sizes, pred_sample_size=3303)
"""

TF_OUTPUT = [
    'Curve fit weights: a = 0.6445642113685608 and b = 0.048097413033246994.',
    'A model accuracy of 0.9517362117767334 is predicted for 3303 samples.',
    '(100,)',
    'The mae for the curve fit is 0.016098767518997192.',
    '',
]

NUMERIC = [3]     # float32 sums in another order may differ in the last digits there


def test_sample_size_estimate():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    got = [TIMING.sub("", line) for line in run_printing(PROGRAM)]
    want = [TIMING.sub("", line) for line in TF_OUTPUT]
    assert len(got) == len(want), "\n".join(got)
    for i, (g, w) in enumerate(zip(got, want)):
        assert _numbers_close(g, w) if i in NUMERIC else g == w, (i, g, w)
