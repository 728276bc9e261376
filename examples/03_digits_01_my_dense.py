"""Handwritten 0s and 1s: a network in glassnet, then the same forward pass in NumPy with
a ``my_dense`` written unit by unit, and vectorized. (The course's first assignment, on
glassnet's shipped 8x8 digits: 64 pixels instead of 400.)

Run: python examples/03_digits_01_my_dense.py
"""
import numpy as np

import glassnet as tf
from glassnet.datasets import digits
from glassnet.keras import Sequential
from glassnet.keras.activations import sigmoid
from glassnet.keras.layers import Dense, Input
from _common import epochs, heading

(X, y), (X_test, y_test) = digits.load_data(classes=2)
y, y_test = y.reshape(-1, 1), y_test.reshape(-1, 1)
heading(f"{len(X)} training images of 64 pixels, digits 0 and 1")

tf.random.set_seed(1234)
model = Sequential([Input(shape=(64,)), Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                    Dense(1, activation="sigmoid")], name="my_model")
model.summary()
assert model.input.shape.as_list() == [None, 64]
assert [layer.output.shape.as_list() for layer in model.layers] == [[None, 25], [None, 15], [None, 1]]
model.compile(loss=tf.keras.losses.BinaryCrossentropy(), optimizer=tf.keras.optimizers.Adam(0.001))
model.fit(X, y, epochs=epochs(20), verbose=0)


def my_dense(a_in, W, b, g):
    """One layer, one unit at a time: a_out[j] = g(w_j . a_in + b_j)."""
    a_out = np.zeros(W.shape[1])
    for j in range(W.shape[1]):
        z = np.dot(W[:, j], a_in) + b[j]
        a_out[j] = g(z)                               # g(z) on a single number
    return a_out


def my_dense_v(A_in, W, b, g):
    """The same for a whole batch: A_out = g(A_in W + b)."""
    return g(np.matmul(A_in, W) + b)


(W1, b1), (W2, b2), (W3, b3) = (layer.get_weights() for layer in model.layers)
x0 = X_test[0]
a = my_dense(my_dense(my_dense(x0, W1, b1, sigmoid), W2, b2, sigmoid), W3, b3, sigmoid)
print(f"first test image (label {int(y_test[0, 0])}): my_dense {a[0]:.4f}, "
      f"model.predict {model.predict(x0.reshape(1, 64), verbose=0)[0, 0]:.4f}")
A = my_dense_v(my_dense_v(my_dense_v(X_test, W1, b1, sigmoid), W2, b2, sigmoid), W3, b3, sigmoid)
assert np.allclose(A.numpy(), model.predict(X_test, verbose=0), atol=1e-5)
Yhat = (A >= 0.5).numpy().astype(int)
print(f"test accuracy (vectorized NumPy network): {np.mean(Yhat == y_test):.3f}")

heading("glass box: one step on two images (3 numbers per array)")
print(tf.explain(model, X[:2], y[:2]))
