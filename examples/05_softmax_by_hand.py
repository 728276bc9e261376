"""Softmax by hand beside glassnet.nn.softmax, and why the library subtracts the maximum.

Run: python examples/05_softmax_by_hand.py
"""
import numpy as np

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input
from _common import heading


def my_softmax(z):
    """a_j = e^z_j / sum_k e^z_k"""
    ez = np.exp(z)
    return ez / np.sum(ez)


heading("the formula and the library agree")
z = np.array([1.0, 2.0, 3.0, 4.0])
a, atf = my_softmax(z), tf.nn.softmax(z)
print("my_softmax(z):        ", a)
print("glassnet.nn.softmax(z):", atf.numpy(), atf.dtype)
assert np.allclose(a, atf, atol=1e-12)

heading("large logits: e^1000 overflows, e^(z - max z) does not")
big = np.array([1000.0, 999.0, 0.0])
with np.errstate(over="ignore", invalid="ignore"):
    print("my_softmax:", my_softmax(big))
print("nn.softmax:", tf.nn.softmax(big).numpy())

heading("glass box: a softmax output layer's step, dZ = (A - Y) / m")
model = Sequential([Input(shape=(2,)), Dense(3, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
print(tf.explain(model, np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0, 2])))
