"""Why ReLU: a piecewise-linear curve is a sum of ReLU units, and no stack of linear units
can bend. Both networks are fitted to the same target.

Run: python examples/04_relu_vs_linear.py
"""
import numpy as np

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.activations import relu
from glassnet.keras.layers import Dense, Input, LeakyReLU
from _common import epochs, heading

X = np.linspace(0, 3, 60).reshape(-1, 1)
target = np.where(X < 1, 0.0, np.where(X < 2, X - 1, 1 + 2 * (X - 2)))     # flat, slope 1, slope 2

heading("three ReLU units, weights set by hand, make the curve exactly")
W1, b1 = np.array([[1.0, 1.0, 1.0]]), np.array([0.0, -1.0, -2.0])
W2, b2 = np.array([[0.0], [1.0], [1.0]]), np.array([0.0])
by_hand = relu(X @ W1 + b1).numpy() @ W2 + b2
print("largest error of the hand-made ReLU network:", float(np.max(np.abs(by_hand - target))))

results = {}
for name, hidden in [("relu", Dense(3, activation="relu")), ("linear", Dense(3, activation="linear")),
                     ("leaky", Dense(3))]:
    tf.random.set_seed(1)
    stack = [Input(shape=(1,)), hidden] + ([LeakyReLU(negative_slope=0.1)] if name == "leaky" else [])
    model = Sequential(stack + [Dense(1)])
    model.compile(loss="mse", optimizer=tf.keras.optimizers.Adam(0.05))
    trace = tf.callbacks.Trace()
    model.fit(X, target, epochs=epochs(300), batch_size=60, verbose=0, callbacks=[trace])
    results[name] = (model.evaluate(X, target, verbose=0), trace)
    print(f"{name:>6} hidden units: mean squared error {results[name][0]:.4f}")

heading("glass box: Trace's diagnosis of the ReLU network")
for line in results["relu"][1].diagnose() or ["nothing looks wrong"]:
    print(" -", line)
