"""A custom training loop, the TensorFlow way, beside the same model trained by fit.

TensorFlow's guides train with Variables, a cost written by hand, a GradientTape and an
optimizer's apply_gradients. Here that loop fits a logistic regression, w and b as
tf.Variables, and lands on the very numbers that Sequential([Dense(1, "sigmoid")]).fit finds
with the same optimizer and full batches. Run: python examples/09_custom_training_loop.py
"""
import numpy as np

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input
from _common import epochs, heading

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 2)).astype(np.float32)
y = (X[:, 0] + 2 * X[:, 1] > 0.5).astype(np.float32).reshape(-1, 1)
heading(f"{len(X)} points, two features, label 1 above the line x1 + 2 x2 = 0.5")

w = tf.Variable(np.zeros((2, 1), np.float32), name="w")
b = tf.Variable(np.zeros((1,), np.float32), name="b")
optimizer = tf.keras.optimizers.SGD(learning_rate=0.5)


def cost(X, y):
    f = tf.sigmoid(tf.matmul(X, w) + b)                       # f(x) = g(x w + b)
    loss = -y * tf.math.log(f) - (1 - y) * tf.math.log(1 - f)  # the course's logistic loss
    return tf.reduce_mean(loss)                               # J(w, b)


for step in range(epochs(200)):
    with tf.GradientTape() as tape:                            # records every operation on w and b
        J = cost(X, y)
    dj_dw, dj_db = tape.gradient(J, [w, b])                    # ... and runs them back
    optimizer.apply_gradients(zip([dj_dw, dj_db], [w, b]))     # w <- w - alpha dJ/dw
print(f"custom loop: J = {float(cost(X, y)):.4f}, w = {w.numpy().ravel().round(4)}, b = {b.numpy().round(4)}")

model = Sequential([Input(shape=(2,)), Dense(1, activation="sigmoid", kernel_initializer="zeros")])
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")
model.fit(X, y, epochs=epochs(200), batch_size=len(X), verbose=0)
kernel, bias = model.get_weights()
print(f"fit:         J = {model.evaluate(X, y, verbose=0):.4f}, w = {kernel.ravel().round(4)}, b = {bias.round(4)}")
assert np.allclose(kernel, w.numpy(), atol=1e-4) and np.allclose(bias, b.numpy(), atol=1e-4)

heading("glass box: what the tape recorded for one cost, and its gradients")
with tf.GradientTape(persistent=True) as tape:
    J = cost(X[:4], y[:4])
for node in tape.recorded:                                    # in order; gradient runs them back
    print(f"  {node.name}")
dj_dw, dj_db = tape.gradient(J, [w, b])
f = 1 / (1 + np.exp(-(X[:4] @ w.numpy() + b.numpy())))
print("dJ/dw by the tape:", np.asarray(dj_dw).ravel().round(5),
      " by hand, X.T (f - y) / m:", (X[:4].T @ (f - y[:4]) / 4).ravel().round(5))
